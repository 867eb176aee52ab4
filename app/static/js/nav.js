/* The navbar of the lean pages (app/templates/ek_layout.html, app/static_assets.py) without
   jQuery and Bootstrap's script: the menu button opens the collapsed menu, a dropdown opens on
   click and closes on a click elsewhere or Escape, a flash message's x closes it. The same
   markup and classes as Bootstrap 3 (.in, .open), so the stylesheet is Bootstrap's. */
(function () {
  "use strict";
  function closeDropdowns(except) {
    document.querySelectorAll(".dropdown.open").forEach(function (li) {
      if (li !== except) {
        li.classList.remove("open");
        var t = li.querySelector("[data-toggle='dropdown']");
        if (t) { t.setAttribute("aria-expanded", "false"); }
      }
    });
  }
  document.querySelectorAll("[data-toggle='collapse']").forEach(function (button) {
    var target = document.querySelector(button.getAttribute("data-target"));
    if (!target) { return; }
    button.setAttribute("aria-expanded", "false");
    button.addEventListener("click", function () {
      var open = target.classList.toggle("in");
      button.classList.toggle("collapsed", !open);
      button.setAttribute("aria-expanded", open ? "true" : "false");
    });
  });
  document.querySelectorAll("[data-toggle='dropdown']").forEach(function (toggle) {
    toggle.setAttribute("aria-haspopup", "true");
    toggle.setAttribute("aria-expanded", "false");
    toggle.addEventListener("click", function (event) {
      event.preventDefault();
      event.stopPropagation();
      var li = toggle.parentNode;
      closeDropdowns(li);
      var open = li.classList.toggle("open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
  });
  document.addEventListener("click", function () { closeDropdowns(null); });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { closeDropdowns(null); }
  });
  document.querySelectorAll("[data-dismiss='alert']").forEach(function (button) {
    button.addEventListener("click", function () {
      var alert = button.closest(".alert");
      if (alert) { alert.parentNode.removeChild(alert); }
    });
  });
})();
