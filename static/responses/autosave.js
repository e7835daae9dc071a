/* Autosave: each answer is saved shortly after the respondent stops typing or leaves the field.
 * Nothing typed is lost: unsaved answers wait in localStorage until the server has them, and
 * leaving the page with unsaved answers asks first. A save names the version it started from;
 * if someone else saved in between, both values are shown and the respondent chooses. */
(function () {
  "use strict";

  var form = document.querySelector("form[data-autosave-url]");
  if (!form) return;
  var url = form.dataset.autosaveUrl;
  var statusNode = document.getElementById("save-status");
  var versionsInput = form.querySelector('input[name="_versions"]');
  var versions = JSON.parse(document.getElementById("answer-versions").textContent || "{}");
  // Kept per person: another account signing in on this browser never gets these answers, and
  // signing out forgets them (static/signout.js).
  var storageKey = "autosave:" + (form.dataset.autosaveOwner || "") + ":" + location.pathname + location.search;
  var dirty = {};        // key -> true, answers changed since their last successful save
  var inFlight = null;   // keys being saved
  var timer = null;
  var retryDelay = 2000;
  var DEBOUNCE = 800;

  function csrfToken() {
    // Signing in again (after the session ended) rotates the token: the cookie has the new one.
    var cookie = document.cookie.match(/(?:^|;\s*)(?:__Host-)?csrftoken=([^;]+)/);
    if (cookie) return decodeURIComponent(cookie[1]);
    var input = form.querySelector('input[name="csrfmiddlewaretoken"]');
    return input ? input.value : "";
  }

  function keyOf(name) {
    if (!name || name.charAt(0) === "_" || /\._rows$/.test(name) || name === "csrfmiddlewaretoken" ||
        name === "save" || name === "add_row") return null;
    var parts = name.split(".");
    if (parts.length <= 2) return parts[0] + "||";
    return parts[0] + "|" + parts[1] + "|" + parts[2];
  }

  function fieldsOf(key) {
    return Array.prototype.filter.call(form.elements, function (element) {
      return element.name && keyOf(element.name) === key;
    });
  }

  function dataOf(key) {
    var data = {};
    var groups = {};
    fieldsOf(key).forEach(function (element) {
      (groups[element.name] = groups[element.name] || []).push(element);
    });
    Object.keys(groups).forEach(function (name) {
      var elements = groups[name];
      var first = elements[0];
      if (first.type === "radio") {
        var checked = elements.filter(function (e) { return e.checked; })[0];
        data[name] = checked ? checked.value : "";
      } else if (first.type === "checkbox") {
        if (elements.length === 1 && first.value === "on") data[name] = first.checked ? "on" : "";
        else data[name] = elements.filter(function (e) { return e.checked; }).map(function (e) { return e.value; });
      } else {
        data[name] = first.value;
      }
    });
    return data;
  }

  function applyData(data) {
    Object.keys(data).forEach(function (name) {
      var value = data[name];
      form.querySelectorAll('[name="' + CSS.escape(name) + '"]').forEach(function (element) {
        if (element.type === "radio") element.checked = element.value === value;
        else if (element.type === "checkbox") {
          element.checked = Array.isArray(value) ? value.indexOf(element.value) !== -1 : value === "on";
        } else element.value = value;
      });
    });
    if (window.Conditions) window.Conditions.apply(form, new window.Conditions.Answers(form, {}));
  }

  function remember() {
    var pending = {};
    Object.keys(dirty).forEach(function (key) { pending[key] = { data: dataOf(key), version: versions[key] || 0 }; });
    try {
      if (Object.keys(pending).length) localStorage.setItem(storageKey, JSON.stringify(pending));
      else localStorage.removeItem(storageKey);
    } catch (error) { /* storage full or disabled: the page itself still holds the values */ }
  }

  function setStatus(text, kind) {
    if (!statusNode) return;
    statusNode.textContent = text;
    statusNode.className = "save-status" + (kind ? " " + kind : "");
  }

  function markDirty(key) {
    dirty[key] = true;
    remember();
    setStatus(gettext("Not saved yet…"), "");
  }

  function schedule(delay) {
    clearTimeout(timer);
    timer = setTimeout(flush, delay);
  }

  function clearMessages(key) {
    fieldsOf(key).forEach(function (element) {
      element.removeAttribute("aria-invalid");
    });
    var section = sectionOf(key);
    if (section) section.querySelectorAll(".autosave-error, .conflict").forEach(function (node) {
      if (node.dataset.key === key) node.remove();
    });
  }

  function sectionOf(key) {
    return document.getElementById("q-" + key.split("|")[0]);
  }

  function showErrors(errors) {
    Object.keys(errors).forEach(function (name) {
      var key = keyOf(name);
      var element = form.querySelector('[name="' + CSS.escape(name) + '"]');
      if (!key || !element) return;
      element.setAttribute("aria-invalid", "true");
      var message = document.createElement("p");
      message.className = "error-message autosave-error";
      message.dataset.key = key;
      message.id = "autosave-error-" + name;
      message.textContent = errors[name].join(" ");
      var container = element.closest(".cell, .choice, .rank, .other-specify, .special-value") || element;
      container.parentNode.insertBefore(message, container);
      element.setAttribute("aria-describedby", message.id);
    });
  }

  function showConflict(conflict) {
    var section = sectionOf(conflict.key);
    if (!section) return;
    var box = document.createElement("div");
    box.className = "conflict";
    box.dataset.key = conflict.key;
    box.setAttribute("role", "alert");
    var heading = document.createElement("p");
    heading.innerHTML = "<strong></strong>";
    heading.firstChild.textContent = gettext("Someone else changed this answer while you were working:") + " " + conflict.label;
    var theirs = document.createElement("p");
    theirs.textContent = gettext("Their answer") + " (" + (conflict.by || gettext("another person")) + "): " + conflict.theirs;
    var yours = document.createElement("p");
    yours.textContent = gettext("Your answer") + ": " + conflict.yours;
    var keep = document.createElement("button");
    keep.type = "button";
    keep.textContent = gettext("Keep my answer");
    keep.addEventListener("click", function () {
      versions[conflict.key] = conflict.version;
      box.remove();
      markDirty(conflict.key);
      schedule(0);
    });
    var take = document.createElement("button");
    take.type = "button";
    take.className = "secondary";
    take.textContent = gettext("Use their answer");
    take.addEventListener("click", function () {
      versions[conflict.key] = conflict.version;
      fieldsOf(conflict.key).forEach(function (element) {
        if (!(element.name in conflict.data)) conflict.data[element.name] = element.type === "checkbox" && element.value !== "on" ? [] : "";
      });
      applyData(conflict.data);
      delete dirty[conflict.key];
      remember();
      writeVersions();
      box.remove();
      setStatus(gettext("Their answer is kept."), "ok");
    });
    box.appendChild(heading); box.appendChild(theirs); box.appendChild(yours);
    box.appendChild(keep); box.appendChild(document.createTextNode(" ")); box.appendChild(take);
    section.insertBefore(box, section.firstChild);
  }

  function writeVersions() {
    if (versionsInput) versionsInput.value = JSON.stringify(versions);
  }

  function flush() {
    if (inFlight) { schedule(DEBOUNCE); return; }
    var keys = Object.keys(dirty);
    if (!keys.length) return;
    inFlight = keys;
    var answers = keys.map(function (key) {
      return { key: key, version: versions[key] || 0, data: dataOf(key) };
    });
    keys.forEach(function (key) { delete dirty[key]; clearMessages(key); });
    setStatus(gettext("Saving…"), "");
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken(), "Accept": "application/json" },
      body: JSON.stringify({ answers: answers }),
      keepalive: true
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) { return { status: response.status, body: body }; });
    }).then(function (result) {
      inFlight = null;
      var body = result.body || {};
      if (result.status === 401 || result.status === 403 && body.signed_out) {
        keys.forEach(function (key) { dirty[key] = true; });
        remember();
        setStatus(body.error || gettext("You have been signed out. Sign in again in another tab: your answers will then be saved."), "error");
        showSignIn();
        schedule(15000);
        return;
      }
      if (result.status >= 500 || !body.saved) {
        throw new Error(body.error || "server");
      }
      retryDelay = 2000;
      Object.keys(body.saved).forEach(function (key) { versions[key] = body.saved[key]; });
      Object.keys(body.unchanged || {}).forEach(function (key) { if (body.unchanged[key]) versions[key] = body.unchanged[key]; });
      writeVersions();
      var errors = body.errors || {};
      showErrors(errors);
      (body.conflicts || []).forEach(showConflict);
      Object.keys(errors).forEach(function (name) { var key = keyOf(name); if (key) dirty[key] = true; });
      remember();
      Object.keys(errors).forEach(function (name) { var key = keyOf(name); if (key) delete dirty[key]; });
      if (Object.keys(errors).length) setStatus(gettext("Some answers are not saved: see the messages beside them."), "error");
      else if ((body.conflicts || []).length) setStatus(gettext("Someone else changed an answer: choose which to keep."), "error");
      else setStatus(interpolate(gettext("Saved at %s"), [body.saved_at]), "ok");
      if (Object.keys(dirty).length) schedule(DEBOUNCE);
    }).catch(function () {
      inFlight = null;
      keys.forEach(function (key) { dirty[key] = true; });
      remember();
      setStatus(gettext("Not saved: the connection failed. Trying again…"), "error");
      schedule(retryDelay);
      retryDelay = Math.min(retryDelay * 2, 60000);
    });
  }

  function showSignIn() {
    if (document.getElementById("sign-in-again")) return;
    var link = document.createElement("a");
    link.id = "sign-in-again";
    link.href = "/accounts/login/?next=" + encodeURIComponent(location.pathname);
    link.target = "_blank";
    link.rel = "noopener";
    link.textContent = gettext("Sign in again (opens a new tab)");
    statusNode.parentNode.appendChild(link);
  }

  function onEdit(event, delay) {
    var key = keyOf(event.target.name);
    if (!key || event.target.disabled) return;
    markDirty(key);
    schedule(delay);
  }

  form.addEventListener("input", function (event) { onEdit(event, DEBOUNCE); });
  form.addEventListener("change", function (event) { onEdit(event, 50); });
  form.addEventListener("focusout", function (event) { if (dirty[keyOf(event.target.name)]) schedule(0); });
  form.addEventListener("submit", function () {
    var input = form.querySelector('input[name="csrfmiddlewaretoken"]');
    if (input) input.value = csrfToken();
    clearTimeout(timer); try { localStorage.removeItem(storageKey); } catch (error) { /* ignore */ } dirty = {}; });
  window.addEventListener("focus", function () { if (Object.keys(dirty).length) schedule(0); });
  window.addEventListener("online", function () { schedule(0); });
  window.addEventListener("beforeunload", function (event) {
    if (Object.keys(dirty).length || inFlight) { event.preventDefault(); event.returnValue = ""; }
  });

  // Answers typed before a reload, a crash or a lost session, not yet on the server.
  try {
    var pending = JSON.parse(localStorage.getItem(storageKey) || "{}");
    Object.keys(pending).forEach(function (key) {
      if (!fieldsOf(key).length) return;
      applyData(pending[key].data);
      // The save starts from the version the respondent was editing, so a change made
      // meanwhile by someone else shows as a conflict rather than being overwritten.
      versions[key] = pending[key].version || 0;
      dirty[key] = true;
    });
    if (Object.keys(dirty).length) {
      setStatus(gettext("Restoring answers not saved last time…"), "");
      schedule(0);
    }
  } catch (error) { /* nothing to restore */ }
  writeVersions();

  function gettext(text) { return window.gettext ? window.gettext(text) : text; }
  function interpolate(text, values) { return window.interpolate ? window.interpolate(text, values) : text.replace("%s", values[0]); }
})();
