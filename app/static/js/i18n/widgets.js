/* Flask-AppBuilder's browser widgets in the user's language (issue 10 item 7), loaded after
   FAB's scripts by app/templates/ek_layout.html (app.i18n.widgets_script) with the language in
   data-locale ("id" by default, "en" when chosen in the navbar's language menu):
   - bootstrap-datepicker: Indonesian month and day names, Monday first, closes after a choice;
     FAB's search filters call $.fn.datetimepicker, which FAB does not ship: the same picker;
   - Select2: its messages, and "— pilih —" instead of FAB's hard-coded "Select a State";
   - FAB's alert ("No row selected") in the user's language.
   Month names match app/formatting.py (tests/test_i18n.py compares them). */
(function ($) {
  "use strict";
  if (!$) { return; }
  var script = document.currentScript;
  var lang = (script && script.getAttribute("data-locale")) || "id";
  var TEXT = {
    id: {
      picker: {
        days: ["Minggu", "Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu"],
        daysShort: ["Min", "Sen", "Sel", "Rab", "Kam", "Jum", "Sab"],
        daysMin: ["Mg", "Sn", "Sl", "Rb", "Km", "Jm", "Sb"],
        months: ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
                 "September", "Oktober", "November", "Desember"],
        monthsShort: ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"],
        today: "Hari ini",
        clear: "Kosongkan",
        monthsTitle: "Bulan",
        weekStart: 1
      },
      blank: "— pilih —",
      select2: {
        errorLoading: function () { return "Data tidak dapat dimuat."; },
        inputTooLong: function (a) { return "Hapus " + (a.input.length - a.maximum) + " karakter."; },
        inputTooShort: function (a) { return "Ketik " + (a.minimum - a.input.length) + " karakter lagi."; },
        loadingMore: function () { return "Memuat data lainnya…"; },
        maximumSelected: function (a) { return "Paling banyak " + a.maximum + " pilihan."; },
        noResults: function () { return "Tidak ada yang cocok."; },
        searching: function () { return "Mencari…"; },
        removeAllItems: function () { return "Hapus semua pilihan"; }
      },
      alerts: { "No row selected": "Belum ada baris yang dipilih." }
    },
    en: {
      picker: null,  // bootstrap-datepicker's own English
      blank: "— select —",
      select2: null,  // Select2's own English
      alerts: {}
    }
  };
  var t = TEXT[lang] || TEXT.id;

  if ($.fn.datepicker) {
    if (t.picker) { $.fn.datepicker.dates[lang] = t.picker; }
    $.extend($.fn.datepicker.defaults, {
      language: lang, autoclose: true, todayHighlight: true, format: "yyyy-mm-dd",
      weekStart: t.picker ? t.picker.weekStart : 0
    });
    if (!$.fn.datetimepicker) {
      $.fn.datetimepicker = function (options) {
        var opts = $.extend({}, options);
        delete opts.pickTime;
        return this.datepicker(opts);
      };
    }
  }

  if ($.fn.select2) {
    var select2 = $.fn.select2;
    var english = { "Select a State": true, "Select": true };
    var localised = function (options) {
      if (options && typeof options === "object") {
        options = $.extend({}, options);
        if (english[options.placeholder]) { options.placeholder = t.blank; }
        if (t.select2 && !options.language) { options.language = t.select2; }
      }
      return select2.apply(this, [options].concat(Array.prototype.slice.call(arguments, 1)));
    };
    $.extend(localised, select2);  // keeps $.fn.select2.defaults and .amd
    $.fn.select2 = localised;
  }

  if (typeof window.ab_alert === "function") {
    var alert = window.ab_alert;
    window.ab_alert = function (text) { return alert(t.alerts[text] || text); };
  }
}(window.jQuery));
