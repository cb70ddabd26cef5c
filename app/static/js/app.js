// Searchable, paginated pickers (select2 AJAX) for large relations such as the household of a
// resident: options come page by page from a scoped JSON endpoint, never as one huge <select>.
$(function () {
  $("select.ajax-picker").each(function () {
    var elem = $(this);
    elem.select2({
      placeholder: elem.data("placeholder"),
      allowClear: true,
      minimumInputLength: 0,
      language: {
        noResults: function () { return "没有找到匹配项"; },
        searching: function () { return "搜索中……"; },
        loadingMore: function () { return "加载更多……"; },
        errorLoading: function () { return "无法载入结果"; }
      },
      ajax: {
        url: elem.data("url"),
        dataType: "json",
        delay: 250,
        data: function (params) { return {q: params.term || "", page: params.page || 1}; }
      }
    });
  });
});
