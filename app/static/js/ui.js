/* Small page behaviours without inline event handlers (the Content-Security-Policy forbids them).
 *  <select data-autosubmit>      submits its form when the choice changes
 *  <a data-history-back href=…>  goes back in the browser history (the href is the fallback)
 */
(function () {
  "use strict";
  document.querySelectorAll("[data-autosubmit]").forEach(function (el) {
    el.addEventListener("change", function () { if (el.form) { el.form.submit(); } });
  });
  document.querySelectorAll("[data-history-back]").forEach(function (el) {
    el.addEventListener("click", function (event) {
      if (window.history.length > 1) { event.preventDefault(); window.history.back(); }
    });
  });
})();
