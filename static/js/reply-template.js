/* The reply page (Django admin): choosing a template fills in the subject and text at once when
   nothing is typed there yet; with text typed, the "Fill in from the template" button replaces it.
   Same-origin file, no inline script (the Content-Security-Policy forbids inline script). */
(function () {
  "use strict";

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("reply_form");
    if (!form) { return; }
    var select = form.querySelector("select[name=template]");
    var fill = form.querySelector("button[value=fill]");
    var subject = form.querySelector("[name=subject]");
    var body = form.querySelector("[name=body]");
    if (!select || !fill || !subject || !body) { return; }
    select.addEventListener("change", function () {
      if (select.value && !subject.value.trim() && !body.value.trim()) { fill.click(); }
    });
  });
}());
