// The public forms. Everything here only improves a form that works without it.
(function () {
  "use strict";

  // The error summary (GOV.UK pattern): take focus when the page loads, so a screen reader reads it
  // and a keyboard user starts from it; a link moves focus to its field and shows the field's label.
  var summary = document.querySelector("[data-error-summary]");
  if (summary) {
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      var control = link && document.getElementById(link.getAttribute("href").slice(1));
      if (!control) return;
      event.preventDefault();
      var group = control.closest("fieldset") || control.closest(".mb-3") || control;
      group.scrollIntoView();
      control.focus({ preventScroll: true });
    });
  }

  // The candidacy form: show the questions for the knee(s) that hurt, hide the other's (the server
  // ignores a hidden knee's answers anyway). Without this script both knees' questions show.
  var knees = document.querySelectorAll("input[name='knees']");
  if (knees.length) {
    var show = function () {
      var chosen = document.querySelector("input[name='knees']:checked");
      var sides = chosen ? (chosen.value === "both" ? ["left", "right"] : [chosen.value]) : [];
      document.querySelectorAll("[data-knee]").forEach(function (group) {
        group.hidden = chosen !== null && sides.indexOf(group.getAttribute("data-knee")) === -1;
      });
    };
    knees.forEach(function (radio) {
      radio.addEventListener("change", show);
    });
    show();
  }
})();
