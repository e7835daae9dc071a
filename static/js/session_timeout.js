/* Two minutes before the session ends, a warning with a button to stay signed in (WCAG 2.2.1).
 * Saving counts as activity: the page hears of it through the "consultation:activity" event
 * that autosave sends after each answer from the server. */
(function () {
  "use strict";

  var box = document.getElementById("session-warning");
  if (!box) return;
  var WARN_BEFORE = 120 * 1000;
  var idle = Number(box.dataset.idleSeconds) * 1000;
  var now = Date.now();
  var deadline = now + Number(box.dataset.secondsLeft) * 1000;
  // The absolute limit (hours after sign-in) binds when it leaves less than the idle one.
  var absolute = Number(box.dataset.secondsLeft) * 1000 < idle - 60000 ? deadline : Infinity;
  var button = document.getElementById("stay-signed-in");
  var text = document.getElementById("session-warning-text");
  var signIn = document.getElementById("session-sign-in");
  var timers = [];

  function arm() {
    timers.forEach(clearTimeout);
    var left = deadline - Date.now();
    timers = [
      setTimeout(warn, Math.max(0, left - WARN_BEFORE)),
      setTimeout(ended, Math.max(0, left))
    ];
  }

  function warn() {
    if (!box.hidden) return;
    box.hidden = false;
    button.focus();
  }

  function ended() {
    box.hidden = false;
    text.textContent = text.dataset.ended;
    button.hidden = true;
    signIn.hidden = false;
  }

  function renewed(secondsLeft) {
    deadline = Math.min(absolute, Date.now() + secondsLeft * 1000);
    box.hidden = true;
    arm();
  }

  button.addEventListener("click", function () {
    fetch(box.dataset.statusUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.json().then(function (body) { return { ok: response.ok, body: body }; }); })
      .then(function (result) {
        if (result.ok && result.body.signed_in) renewed(result.body.seconds_left);
        else ended();
      })
      .catch(function () { /* offline: the warning stays, the button can be pressed again */ });
  });

  document.addEventListener("consultation:activity", function () {
    // The session is renewed at most once a minute: count from a minute less.
    renewed(Math.max(0, idle - 60000) / 1000);
  });

  arm();
})();
