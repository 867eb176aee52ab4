/* Antrean Persetujuan: "Pilih semua" ticks every card of one employee for "Setujui terpilih"
   (shown only when this script runs; without it each card is ticked one by one). */
(function () {
  "use strict";
  Array.prototype.forEach.call(document.querySelectorAll(".ek-q-all"), function (all) {
    var group = all.closest(".ek-q-group");
    var label = all.closest("label");
    function boxes() { return group.querySelectorAll("input[name=ids]"); }
    if (label) { label.hidden = false; }
    all.addEventListener("change", function () {
      Array.prototype.forEach.call(boxes(), function (box) { box.checked = all.checked; });
    });
    group.addEventListener("change", function (ev) {
      if (ev.target.name === "ids") {
        all.checked = Array.prototype.every.call(boxes(), function (box) { return box.checked; });
      }
    });
  });
})();
