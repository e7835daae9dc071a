/* Aids while filling a section, on top of a form that works without them:
 * - a "please specify" box shows only while its "other" option is chosen (without JavaScript it
 *   is always shown, and ignored unless "other" is chosen);
 * - after "Add a row", the focus goes to the new row (the page opens at its table);
 * - choosing a reason for no value where a value is typed offers to clear the value. */
(function () {
  "use strict";

  var form = document.querySelector("form[data-questionnaire]");
  if (!form) return;

  function gettext(text) { return window.gettext ? window.gettext(text) : text; }
  function interpolate(text, values) { return window.interpolate ? window.interpolate(text, values) : text.replace("%s", values[0]); }

  function controlsOf(name) {
    return form.querySelectorAll('[name="' + CSS.escape(name) + '"]');
  }

  function otherChosen(name) {
    return Array.prototype.some.call(controlsOf(name), function (control) {
      if (control.tagName === "SELECT") {
        var option = control.options[control.selectedIndex];
        return !!option && option.hasAttribute("data-other");
      }
      return control.checked && control.hasAttribute("data-other");
    });
  }

  function revealOthers() {
    form.querySelectorAll(".other-specify[data-other-for]").forEach(function (box) {
      var input = box.querySelector("input");
      // A box with an error or a text stays visible: what it says must be seen.
      var keep = box.querySelector(".error-message") || (input && input.value && otherChosen(box.dataset.otherFor));
      box.hidden = !(otherChosen(box.dataset.otherFor) || keep);
    });
  }

  function valueFieldsOf(select) {
    var base = select.name.replace(/\.status$/, "");
    return Array.prototype.filter.call(form.elements, function (element) {
      return element.name === base || element.name === base + ".other" || /\.rank\d+$/.test(element.name) && element.name.indexOf(base + ".rank") === 0;
    });
  }

  function hasValue(elements) {
    return elements.some(function (element) {
      if (element.type === "radio" || element.type === "checkbox") return element.checked;
      return element.value !== "";
    });
  }

  function clear(elements) {
    elements.forEach(function (element) {
      if (element.type === "radio" || element.type === "checkbox") element.checked = false;
      else element.value = "";
      element.dispatchEvent(new Event("input", { bubbles: true }));
      element.dispatchEvent(new Event("change", { bubbles: true }));
    });
  }

  function offerToClear(select) {
    var holder = select.closest(".special-value");
    var old = holder.querySelector(".clear-offer");
    if (old) old.remove();
    var fields = valueFieldsOf(select);
    if (!select.value || !hasValue(fields)) return;
    var reason = select.options[select.selectedIndex].text;
    var offer = document.createElement("div");
    offer.className = "clear-offer";
    offer.setAttribute("role", "alert");
    var text = document.createElement("p");
    text.textContent = interpolate(gettext("An answer is given as well. Clear it, so that the reason “%s” is kept?"), [reason]);
    var yes = document.createElement("button");
    yes.type = "button";
    yes.textContent = gettext("Clear the answer");
    yes.addEventListener("click", function () {
      clearing = true;
      clear(fields);
      select.dispatchEvent(new Event("change", { bubbles: true }));
      clearing = false;
      offer.remove();
      select.focus();
    });
    var no = document.createElement("button");
    no.type = "button";
    no.className = "secondary";
    no.textContent = gettext("Keep the answer");
    no.addEventListener("click", function () {
      clearing = true;
      select.value = "";
      select.dispatchEvent(new Event("change", { bubbles: true }));
      clearing = false;
      offer.remove();
      select.focus();
    });
    offer.appendChild(text); offer.appendChild(yes); offer.appendChild(document.createTextNode(" ")); offer.appendChild(no);
    holder.appendChild(offer);
  }

  var clearing = false;  // the changes made here by "Clear the answer" offer nothing more

  form.addEventListener("change", function (event) {
    revealOthers();
    var target = event.target;
    if (!clearing && target.tagName === "SELECT" && /\.status$/.test(target.name)) offerToClear(target);
  });
  revealOthers();

  var added = form.querySelector("tr[data-added-row]");
  if (added) {
    // After the load, when the browser has scrolled to the table (the form's #fragment).
    window.addEventListener("load", function () {
      var first = added.querySelector("input:not([type=hidden]):not([disabled]), select:not([disabled]), textarea:not([disabled])");
      if (first) { first.focus(); added.scrollIntoView({ block: "center" }); }
    });
  }
})();
