// Polls a background job's status and updates the progress bar; shows the download when ready.
(function () {
  var state = document.getElementById("job-state");
  if (!state) { return; }
  function poll() {
    fetch(state.dataset.url, {credentials: "same-origin"}).then(function (r) { return r.json(); })
      .then(function (job) {
        var bar = document.getElementById("job-bar");
        bar.style.width = job.percent + "%";
        bar.textContent = job.percent + "%（" + job.done + "/" + job.total + "）";
        state.textContent = job.status_name + (job.message ? "：" + job.message : "");
        if (job.ready) { document.getElementById("job-download").classList.remove("hidden"); }
        if (job.status === "queued" || job.status === "running") { setTimeout(poll, 1000); }
      });
  }
  poll();
})();
