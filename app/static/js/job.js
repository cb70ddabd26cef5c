// Polls a background job's status and updates the progress bar; shows the download when ready.
(function () {
  var state = document.getElementById("job-state");
  if (!state) { return; }
  function grouped(n) { return Number(n).toLocaleString("zh-CN"); }  // 12,345
  function poll() {
    fetch(state.dataset.url, {credentials: "same-origin"}).then(function (r) { return r.json(); })
      .then(function (job) {
        var bar = document.getElementById("job-bar");
        bar.style.width = job.percent + "%";
        bar.textContent = job.percent + "%（" + grouped(job.done) + "/" + grouped(job.total) + "）";
        state.textContent = job.status_name + (job.message ? "：" + job.message : "");
        if (job.ready) { document.getElementById("job-download").classList.remove("hidden"); }
        if (job.status === "queued" || job.status === "running") { setTimeout(poll, 1000); }
      });
  }
  poll();
})();
