/* Aktivitas Saya: search the catalog, show the claimed minutes while choosing
   (norm x volume, or end - start without a catalog item), confirm deletes. */
(function () {
  "use strict";
  var select = document.getElementById("f-catalog");
  var search = document.getElementById("f-catalog-search");
  var volume = document.getElementById("f-volume");
  var start = document.getElementById("f-start");
  var end = document.getElementById("f-end");
  var out = document.getElementById("f-claimed-n");

  function minutesOf(value) {
    var m = /^(\d{1,2}):(\d{2})/.exec(value || "");
    return m ? parseInt(m[1], 10) * 60 + parseInt(m[2], 10) : null;
  }

  function claimed() {
    var option = select && select.options[select.selectedIndex];
    var norm = option && option.getAttribute("data-norm");
    if (norm) {
      var v = parseFloat(String(volume.value || "").replace(",", "."));
      return isFinite(v) && v > 0 ? Math.round(parseInt(norm, 10) * v) : null;
    }
    var s = minutesOf(start && start.value), e = minutesOf(end && end.value);
    return s !== null && e !== null && e > s ? e - s : null;
  }

  function update() {
    if (!out) { return; }
    var n = claimed();
    out.textContent = n === null ? "–" : n + " menit";
  }

  if (search && select) {
    search.addEventListener("input", function () {
      var q = search.value.trim().toLowerCase();
      for (var i = 1; i < select.options.length; i++) {
        var o = select.options[i];
        var hit = !q || o.text.toLowerCase().indexOf(q) !== -1;
        o.hidden = !hit;
        o.disabled = !hit && !o.selected;
      }
    });
  }
  [select, volume, start, end].forEach(function (el) {
    if (el) { el.addEventListener("input", update); el.addEventListener("change", update); }
  });
  update();

  /* The RHK list belongs to the year of the opened day: another year's date hides it. */
  var rhkBlock = document.getElementById("f-rhk-block");
  var rhk = document.getElementById("f-rhk");
  var rhkNote = document.getElementById("f-rhk-other-year");
  var day = document.getElementById("f-date");
  function rhkYear() {
    if (!rhkBlock || !rhk || !day) { return; }
    var other = (day.value || "").slice(0, 4) !== rhkBlock.getAttribute("data-year");
    rhk.style.display = other ? "none" : "";
    rhk.disabled = other;
    if (rhkNote) { rhkNote.hidden = !other; rhkNote.style.display = other ? "" : "none"; }
  }
  if (day) { day.addEventListener("change", rhkYear); day.addEventListener("input", rhkYear); }
  rhkYear();

  Array.prototype.forEach.call(document.querySelectorAll("form.ek-confirm"), function (form) {
    form.addEventListener("submit", function (ev) {
      if (!window.confirm(form.getAttribute("data-confirm"))) { ev.preventDefault(); }
    });
  });
})();
