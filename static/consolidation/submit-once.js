// A form marked data-submit-once sends once: its button is disabled after the first click.
// The server refuses a second submission anyway; this only spares the second request.
document.querySelectorAll("form[data-submit-once]").forEach(function (form) {
  form.addEventListener("submit", function () {
    form.querySelectorAll("button[type=submit]").forEach(function (button) {
      // After the browser has taken the click, so that the button's value is still sent.
      setTimeout(function () { button.disabled = true; }, 0);
    });
  });
});
