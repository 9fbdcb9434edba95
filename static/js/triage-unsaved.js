/* The inquiry change page and its reply page (Django admin): leaving with unsaved edits asks first.
   Same-origin file, no inline script (the Content-Security-Policy forbids inline script). */
(function () {
  "use strict";

  function watch(form) {
    var dirty = false;
    function mark() { dirty = true; }
    form.addEventListener("input", mark);
    form.addEventListener("change", mark);
    // Any of the page's buttons saves everything typed: no question then.
    form.addEventListener("submit", function () { dirty = false; });
    window.addEventListener("beforeunload", function (event) {
      if (!dirty) { return; }
      event.preventDefault();
      event.returnValue = "";  // older browsers show their own "Leave page?" text
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    ["inquiry_form", "reply_form"].forEach(function (id) {
      var form = document.getElementById(id);
      if (form) { watch(form); }
    });
  });
}());
