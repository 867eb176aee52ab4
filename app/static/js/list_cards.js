/* Lists drawn by app/templates/widgets/list_cards.html: each cell gets its column heading as
   data-label, shown before the value when the rows are cards (app/static/css/list_cards.css). */
(function () {
  "use strict";
  Array.prototype.forEach.call(document.querySelectorAll(".ek-cards > table"), function (table) {
    var heads = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
      return th.textContent.trim();
    });
    Array.prototype.forEach.call(table.querySelectorAll("tbody > tr"), function (tr) {
      Array.prototype.forEach.call(tr.children, function (td, i) {
        if (heads[i]) { td.setAttribute("data-label", heads[i]); }
      });
    });
  });
})();
