// The exports page: follow each export still being written and offer its file when ready.
(function () {
  "use strict";
  var POLL_MS = 1500;

  function follow(row) {
    var url = row.getAttribute("data-export-status-url");
    var bar = row.querySelector("progress");
    var state = row.querySelector(".export-state");
    var file = row.querySelector(".export-file");
    function poll() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          if (!data) { return; }
          bar.value = data.percent;
          bar.textContent = data.percent + "%";
          state.textContent = data.status_label + " · " + data.percent + "%";
          row.setAttribute("data-status", data.status);
          if (data.download && !file.querySelector("a")) {
            var link = document.createElement("a");
            link.href = data.download;
            link.textContent = gettext("Download");
            file.appendChild(link);
          }
          if (data.error) { state.textContent += " · " + data.error; }
          if (data.status === "queued" || data.status === "running") {
            window.setTimeout(poll, POLL_MS);
          }
        })
        .catch(function () { window.setTimeout(poll, POLL_MS * 4); });
    }
    poll();
  }

  document.querySelectorAll("tr[data-export-status-url]").forEach(function (row) {
    var status = row.getAttribute("data-status");
    if (status === "queued" || status === "running") { follow(row); }
  });
})();
