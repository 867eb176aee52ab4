/* Relation lookups on demand (app/views/lookups.py): a <select class="ek-lookup"> holds only its
   current value; Select2 asks data-lookup-url for the rows in the user's scope, 20 at a time,
   searched by NIP, code or name. Also the fields of the list search widget, which FAB's
   ab_filters.js adds to the page when a filter is chosen. */
(function ($) {
  "use strict";
  if (!$ || !$.fn || !$.fn.select2) {
    return;
  }

  function setup(el) {
    if (el.dataset.lookupReady) {
      return;
    }
    el.dataset.lookupReady = "1";
    var $el = $(el);
    var blank = el.dataset.blank || "";
    var dependsName = el.dataset.depends;
    var dependsOn = function () {
      return dependsName && el.form ? el.form.querySelector("[name='" + dependsName + "']") : null;
    };
    $el.select2({
      theme: "bootstrap",
      width: "100%",
      placeholder: { id: blank, text: el.dataset.placeholder || "" },
      allowClear: el.dataset.allowClear === "1",
      ajax: {
        url: el.dataset.lookupUrl,
        dataType: "json",
        delay: 250,
        cache: true,
        data: function (params) {
          var query = { q: params.term || "", page: params.page || 1 };
          var other = dependsOn();
          if (other) {
            query[dependsName] = other.value;
          }
          return query;
        }
      }
    });
    /* jQuery 3.6 keeps Select2 from focusing its search box: the user types at once. */
    $el.on("select2:open", function () {
      var box = document.querySelector(".select2-container--open .select2-search__field");
      if (box) {
        box.focus();
      }
    });
    var other = dependsOn();
    if (other) {
      /* Another Unit Kerja: the chosen Jabatan may not belong to it any more. */
      $(other).on("change", function () {
        $el.val(blank).trigger("change");
      });
    }
  }

  function setupAll(root) {
    $("select.ek-lookup", root || document).each(function () { setup(this); });
  }

  /* ab_filters.js appends the field of a new search filter in its own click handler. */
  $(document).on("click", "#filter_form a.filter", function () {
    setupAll(document.getElementById("filter_form"));
  });

  $(function () { setupAll(); });
})(window.jQuery);
