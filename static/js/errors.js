/* Error summaries (GOV.UK pattern): the summary takes the focus when the page opens, so that a
 * screen reader reads it first, and each of its links moves the focus to the field it names. */
(function () {
  "use strict";

  var summary = document.getElementById("error-summary");
  if (!summary) return;
  summary.focus();
  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
    if (!link) return;
    var target = document.getElementById(decodeURIComponent(link.getAttribute("href").slice(1)));
    if (!target) return;
    event.preventDefault();
    var field = target.matches("input, select, textarea, button")
      ? target
      : target.querySelector("input:not([type=hidden]), select, textarea");
    // The question's label or legend is brought into view with the field, not hidden above it.
    var heading = target.closest("section.question, fieldset, p, .field") || target;
    heading.scrollIntoView();
    if (field) field.focus({ preventScroll: true });
    else { target.setAttribute("tabindex", "-1"); target.focus({ preventScroll: true }); }
  });
})();
