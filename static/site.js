// Progressive enhancement only: every page works without this file.
document.addEventListener("DOMContentLoaded", function () {
  // After a failed submit, move focus to the error summary so screen readers announce it.
  var summary = document.querySelector("[data-error-summary]");
  if (summary) { summary.focus(); }
});
// A print button only where printing from a script works; otherwise the browser's own menu.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll(".print-button").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
});
// Quick exit: leave for a neutral page at once and replace this page in the history, so the back
// button does not lead here. Without JavaScript the link still leaves at once.
document.addEventListener("DOMContentLoaded", function () {
  var exit = document.querySelector("[data-quick-exit]");
  if (!exit) { return; }
  exit.addEventListener("click", function (event) {
    event.preventDefault();
    window.location.replace(exit.href);
  });
});
