// While a large workbook is read in the background, check again every few seconds.
(function () {
  "use strict";
  var button = document.querySelector("[data-refresh-after]");
  if (!button) {
    return;
  }
  window.setTimeout(function () {
    button.click();
  }, Number(button.getAttribute("data-refresh-after")) || 2000);
})();
