/* Times in the reader's own time zone, with the zone named ("14:05 GMT+3"). The server writes
 * <time datetime="ISO" data-local="time|datetime">14:05 UTC</time>, correct without JavaScript. */
(function () {
  "use strict";

  function format(iso, withDate) {
    var date = new Date(iso);
    if (isNaN(date.getTime())) return null;
    var options = { hour: "2-digit", minute: "2-digit", hour12: false, timeZoneName: "short" };
    if (withDate) { options.day = "numeric"; options.month = "long"; options.year = "numeric"; }
    try { return date.toLocaleString(document.documentElement.lang || undefined, options); }
    catch (error) { return null; }
  }

  function localize(root) {
    (root || document).querySelectorAll("time[data-local]").forEach(function (node) {
      var text = format(node.getAttribute("datetime"), node.dataset.local === "datetime");
      if (text) node.textContent = text;
    });
  }

  window.LocalTimes = { format: format, localize: localize };
  localize(document);
})();
