/* Employee form: the Jabatan dropdown lists only the positions of the chosen Unit Kerja.
   Every option carries data-unit (its unit id); the server checks the same rule. */
(function () {
  "use strict";

  function setup(positionSelect) {
    if (positionSelect.dataset.unitFilterReady) {
      return;
    }
    positionSelect.dataset.unitFilterReady = "1";
    var form = positionSelect.form;
    var unitSelect = form ? form.querySelector("select[name='" + positionSelect.dataset.unitField + "']") : null;
    if (!unitSelect) {
      return;
    }
    var all = Array.prototype.slice.call(positionSelect.options).map(function (o) { return o.cloneNode(true); });

    function refresh() {
      var unit = unitSelect.value;
      var current = positionSelect.value;
      while (positionSelect.options.length) {
        positionSelect.remove(0);
      }
      var keep = false;
      all.forEach(function (option) {
        var blank = !option.dataset.unit;
        if (blank || option.dataset.unit === unit) {
          var copy = option.cloneNode(true);
          copy.selected = copy.value === current;
          keep = keep || (copy.selected && !blank);
          positionSelect.appendChild(copy);
        }
      });
      if (!keep) {
        positionSelect.value = all.length && !all[0].dataset.unit ? all[0].value : "";
      }
      positionSelect.dispatchEvent(new Event("change", { bubbles: true }));
    }

    if (window.jQuery) {
      window.jQuery(unitSelect).on("change", refresh); /* also the jQuery events Select2 raises */
    } else {
      unitSelect.addEventListener("change", refresh);
    }
    refresh();
  }

  function init() {
    document.querySelectorAll("select[data-unit-field]").forEach(setup);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
