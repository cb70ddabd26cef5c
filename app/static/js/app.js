// Every page: the language of FAB's widgets (window.APP_I18N from app/ui.py) and the ajax pickers.
(function ($) {
  "use strict";
  var i18n = window.APP_I18N || {locale: "", messages: {}};

  function translate(text) {
    return Object.prototype.hasOwnProperty.call(i18n.messages, text) ? i18n.messages[text] : text;
  }

  if (i18n.locale) {
    $.fn.datepicker.defaults.language = i18n.locale;
    $.fn.select2.defaults.set("language", i18n.locale);
  }

  // FAB's scripts pass English placeholders to select2 and English text to ab_alert; both run
  // after this file (on document ready or on click), so wrapping them here translates them.
  var select2 = $.fn.select2;
  $.fn.select2 = function (options) {
    var args = Array.prototype.slice.call(arguments);
    if ($.isPlainObject(options) && typeof options.placeholder === "string") {
      args[0] = $.extend({}, options, {placeholder: translate(options.placeholder)});
    }
    return select2.apply(this, args);
  };
  $.extend($.fn.select2, select2);

  var abAlert = window.ab_alert;
  window.ab_alert = function (text) { abAlert(translate(text)); };

  // Lists: short values (names, dates, codes, headers) never break across lines; long ones wrap.
  var SHORT = 20;
  $(function () {
    $("table.table-bordered").find("th, td").each(function () {
      if ($.trim($(this).text()).length <= SHORT) { $(this).addClass("text-nowrap"); }
    });
  });

  // Large pickers (app/views/fields.py AjaxPickerWidget): options fetched page by page.
  $(function () {
    $("select.ajax-picker").each(function () {
      var $select = $(this);
      $select.select2({
        theme: "bootstrap",
        allowClear: true,
        placeholder: $select.data("placeholder"),
        ajax: {
          url: $select.data("url"),
          dataType: "json",
          delay: 250,
          data: function (params) { return {q: params.term || "", page: params.page || 1}; }
        }
      });
    });
  });
})(jQuery);
