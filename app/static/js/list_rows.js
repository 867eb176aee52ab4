/* Delete buttons of the light list rows (app/templates/widgets/ek_list.html): FAB's confirmation
   dialog, opened by one delegated handler instead of a <script> per row. */
(function ($) {
  "use strict";
  if (!$ || window.ekListRows) {
    return;
  }
  window.ekListRows = true;
  var deleter = null;  /* one AdminActions: one OK handler, whichever row asked last */
  $(document).on("click", "a.ek-delete[data-delete-url]", function (event) {
    event.preventDefault();
    deleter = deleter || new window.AdminActions();
    deleter.execute_single_delete(this.dataset.deleteUrl, this.dataset.confirm);
  });
})(window.jQuery);
