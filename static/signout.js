/* Signing out forgets the unsaved answers this browser keeps (autosave.js), so that the next
 * person to use it never sees them. */
(function () {
  "use strict";

  document.addEventListener("submit", function (event) {
    if (!event.target.matches("form[data-sign-out]")) return;
    try {
      Object.keys(localStorage).forEach(function (key) {
        if (key.indexOf("autosave:") === 0) localStorage.removeItem(key);
      });
    } catch (error) { /* storage disabled: nothing is kept */ }
  });
})();
