/* Autosave: each answer is saved shortly after the respondent stops typing or leaves the field.
 * Nothing typed is lost: unsaved answers wait in localStorage until the server has confirmed
 * them (a Save pressed while offline keeps the page and its answers, and they are saved when the
 * connection returns), and leaving the page with unsaved answers asks first. A save names the
 * version it started from; if someone else saved in between, both values are shown and the
 * respondent chooses. Each save also reports answers changed meanwhile in another window or by
 * someone else: the page takes the new value and says so beside the question. */
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
  var refused = {};      // key -> true, answers the server refused: kept here, sent again with their question
  var inFlight = null;   // keys being saved
  var timer = null;
  var retryDelay = 2000;
  var submitting = false;
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

  function questionOf(key) { return key.split("|")[0]; }

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

  function sameData(one, other) {
    var names = Object.keys(one).concat(Object.keys(other));
    return names.every(function (name) {
      var a = one[name], b = other[name];
      if (Array.isArray(a) || Array.isArray(b)) return JSON.stringify((a || []).slice().sort()) === JSON.stringify((b || []).slice().sort());
      return (a || "") === (b || "");
    });
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

  function fullData(key, data) {
    // A date comes as one ISO value; the page shows it as day, month and year.
    Object.keys(data).forEach(function (name) {
      if (form.querySelector('[name="' + CSS.escape(name) + '"]') || !form.querySelector('[name="' + CSS.escape(name + ".year") + '"]')) return;
      var parts = String(data[name] || "").split("-");
      data[name + ".year"] = parts[0] || "";
      data[name + ".month"] = parts[1] ? String(Number(parts[1])) : "";
      data[name + ".day"] = parts[2] ? String(Number(parts[2])) : "";
      delete data[name];
    });
    // Fields the server left out are blank: a cleared answer clears every input of the key.
    fieldsOf(key).forEach(function (element) {
      if (!(element.name in data)) data[element.name] = element.type === "checkbox" && element.value !== "on" ? [] : "";
    });
    return data;
  }

  function remember() {
    var pending = {};
    Object.keys(dirty).concat(Object.keys(refused)).forEach(function (key) {
      pending[key] = { data: dataOf(key), version: versions[key] || 0 };
    });
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

  function offlineMessage() {
    return gettext("You are offline: your answers are kept on this device and saved when the connection returns.");
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

  function sectionOf(key) {
    return document.getElementById("q-" + questionOf(key));
  }

  function removeNotes(key, selector) {
    var section = sectionOf(key);
    if (section) section.querySelectorAll(selector).forEach(function (node) {
      if (node.dataset.key === key || node.dataset.question === questionOf(key)) node.remove();
    });
  }

  function clearMessages(key) {
    // A new check is on its way: the messages of the last one (from the server's page or from
    // an earlier save) go, and the answer's fields lose their error marks.
    fieldsOf(key).forEach(function (element) {
      var pageError = document.getElementById("f-" + element.name + "-error");
      if (pageError) pageError.remove();
      element.removeAttribute("aria-invalid");
      var describedBy = (element.getAttribute("aria-describedby") || "").split(" ").filter(function (id) {
        return id && id.indexOf("autosave-error-") !== 0 && id !== "f-" + element.name + "-error";
      });
      if (describedBy.length) element.setAttribute("aria-describedby", describedBy.join(" "));
      else element.removeAttribute("aria-describedby");
    });
    removeNotes(key, ".autosave-error, .conflict, .not-saved, .changed-elsewhere");
  }

  function message(className, text, key) {
    var node = document.createElement("p");
    node.className = className;
    node.dataset.key = key;
    node.textContent = text;
    return node;
  }

  // Beside the question: above its inputs, below its label and hint.
  function placeInQuestion(key, node) {
    var section = sectionOf(key);
    if (!section) return;
    var anchor = section.querySelector(".help") || section.querySelector("legend, label");
    if (anchor && anchor.parentNode) anchor.parentNode.insertBefore(node, anchor.nextSibling);
    else section.insertBefore(node, section.firstChild);
  }

  function placeBesideField(key, node) {
    var element = fieldsOf(key)[0];
    if (!element || !element.closest(".cell, .choice, .rank")) { placeInQuestion(key, node); return; }
    var container = element.closest(".cell, .rank") || element.closest(".choices") || element;
    container.parentNode.insertBefore(node, container);
  }

  function showErrors(errors, questionCodes) {
    Object.keys(errors).forEach(function (name) {
      var text = errors[name].join(" ");
      var element = form.querySelector('[name="' + CSS.escape(name) + '"]');
      if (!element && questionCodes.indexOf(name) !== -1) {
        // A rule about the whole question (one answer compared with another): above its inputs.
        var node = message("error-message autosave-error", text, "");
        node.dataset.question = name;
        node.id = "autosave-error-" + name;
        placeInQuestion(name + "||", node);
        return;
      }
      var key = keyOf(name);
      if (!key || !element) return;
      element.setAttribute("aria-invalid", "true");
      var note = message("error-message autosave-error", text, key);
      note.id = "autosave-error-" + name;
      var container = element.closest(".cell, .choice, .rank, .other-specify, .special-value") || element;
      container.parentNode.insertBefore(note, container);
      var describedBy = element.getAttribute("aria-describedby");
      element.setAttribute("aria-describedby", (describedBy ? describedBy + " " : "") + note.id);
    });
  }

  function markNotSaved(keys) {
    keys.forEach(function (key) {
      removeNotes(key, ".not-saved");
      placeBesideField(key, message("not-saved", gettext("Not saved yet: this answer is kept on this device until it is."), key));
    });
  }

  function whoChanged(change) {
    if (change.same_person) return gettext("You changed this answer in another window");
    return interpolate(gettext("%s changed this answer"), [change.by || gettext("Another person")]);
  }

  function showChangedElsewhere(change) {
    versions[change.key] = change.version;
    applyData(fullData(change.key, change.data));
    removeNotes(change.key, ".changed-elsewhere");
    var node = message("changed-elsewhere", "", change.key);
    node.setAttribute("role", "status");
    node.textContent = whoChanged(change) + (change.at ? " (" + (localTime(change.at_iso) || change.at) + ")" : "") + ": " +
      interpolate(gettext("it is now “%s”."), [change.theirs]);
    placeBesideField(change.key, node);
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
    heading.firstChild.textContent = (conflict.same_person
      ? gettext("You changed this answer in another window while you were working here:")
      : gettext("Someone else changed this answer while you were working:")) + " " + conflict.label;
    var theirs = document.createElement("p");
    theirs.textContent = (conflict.same_person ? gettext("The other window's answer") : gettext("Their answer") + " (" + (conflict.by || gettext("another person")) + ")") + ": " + conflict.theirs;
    var yours = document.createElement("p");
    yours.textContent = gettext("Your answer here") + ": " + conflict.yours;
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
    take.textContent = conflict.same_person ? gettext("Use the other window's answer") : gettext("Use their answer");
    take.addEventListener("click", function () {
      versions[conflict.key] = conflict.version;
      applyData(fullData(conflict.key, conflict.data));
      delete dirty[conflict.key];
      remember();
      writeVersions();
      box.remove();
      setStatus(gettext("The other answer is kept."), "ok");
    });
    box.appendChild(heading); box.appendChild(theirs); box.appendChild(yours);
    box.appendChild(keep); box.appendChild(document.createTextNode(" ")); box.appendChild(take);
    placeBesideField(conflict.key, box);
  }

  function writeVersions() {
    if (versionsInput) versionsInput.value = JSON.stringify(versions);
  }

  function keysToSend() {
    // An answer refused by a rule that compares it with another is sent again with its question.
    var keys = Object.keys(dirty);
    var questions = keys.map(questionOf);
    Object.keys(refused).forEach(function (key) {
      if (!dirty[key] && questions.indexOf(questionOf(key)) !== -1) keys.push(key);
    });
    return keys;
  }

  function flush(check) {
    if (inFlight) { schedule(DEBOUNCE); return; }
    var keys = keysToSend();
    if (!keys.length && !check) return;
    if (!navigator.onLine) {
      if (keys.length) { setStatus(offlineMessage(), "error"); markNotSaved(keys); }
      return;  // the "online" event sends them
    }
    inFlight = keys;
    var answers = keys.map(function (key) {
      return { key: key, version: versions[key] || 0, data: dataOf(key) };
    });
    keys.forEach(function (key) { delete dirty[key]; delete refused[key]; clearMessages(key); });
    if (keys.length) setStatus(gettext("Saving…"), "");
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken(), "Accept": "application/json" },
      body: JSON.stringify({ answers: answers, known: versions }),
      keepalive: keys.length > 0
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) { return { status: response.status, body: body }; });
    }).then(function (result) {
      inFlight = null;
      var body = result.body || {};
      if (result.status === 401 || result.status === 403 && body.signed_out) {
        keys.forEach(function (key) { dirty[key] = true; });
        remember();
        setStatus(body.error || gettext("You have been signed out. Sign in again in another tab: your answers will then be saved."), "error");
        markNotSaved(keys);
        showSignIn();
        schedule(15000);
        return;
      }
      if (result.status >= 500 || !body.saved) {
        throw new Error(body.error || "server");
      }
      retryDelay = 2000;
      document.dispatchEvent(new CustomEvent("consultation:activity"));
      Object.keys(body.saved).forEach(function (key) { versions[key] = body.saved[key]; });
      Object.keys(body.unchanged || {}).forEach(function (key) { if (body.unchanged[key]) versions[key] = body.unchanged[key]; });
      (body.changed_elsewhere || []).forEach(function (change) {
        if (!dirty[change.key] && !refused[change.key]) showChangedElsewhere(change);
      });
      writeVersions();
      var errors = body.errors || {};
      var notSaved = body.not_saved || [];
      showErrors(errors, keys.map(questionOf));
      (body.conflicts || []).forEach(showConflict);
      notSaved.forEach(function (key) { refused[key] = true; });
      remember();
      if (notSaved.length) {
        setStatus(interpolate(ngettext("%s answer is not saved: see the message beside it.", "%s answers are not saved: see the messages beside them.", notSaved.length), [notSaved.length]), "error");
      } else if ((body.conflicts || []).length) setStatus(gettext("An answer was changed elsewhere: choose which to keep."), "error");
      else if (keys.length) setStatus(interpolate(gettext("Saved at %s"), [localTime(body.saved_at_iso) || body.saved_at]), "ok");
      if (Object.keys(dirty).length) schedule(DEBOUNCE);
    }).catch(function () {
      inFlight = null;
      keys.forEach(function (key) { dirty[key] = true; });
      remember();
      if (!keys.length) return;
      markNotSaved(keys);
      if (!navigator.onLine) { setStatus(offlineMessage(), "error"); return; }
      setStatus(gettext("Not saved: the connection failed. Your answers are kept on this device. Trying again…"), "error");
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
    removeNotes(key, ".changed-elsewhere");
    markDirty(key);
    schedule(delay);
  }

  form.addEventListener("input", function (event) { onEdit(event, DEBOUNCE); });
  form.addEventListener("change", function (event) { onEdit(event, 50); });
  form.addEventListener("focusout", function (event) { if (dirty[keyOf(event.target.name)]) schedule(0); });
  form.addEventListener("submit", function (event) {
    if (!navigator.onLine) {
      // Sending would show the browser's error page: stay here, keep everything, save later.
      event.preventDefault();
      remember();
      setStatus(offlineMessage(), "error");
      markNotSaved(keysToSend());
      return;
    }
    var input = form.querySelector('input[name="csrfmiddlewaretoken"]');
    if (input) input.value = csrfToken();
    clearTimeout(timer);
    // The local copy stays until the next page shows the server has these answers.
    remember();
    submitting = true;
  });
  // Back in this window: save what waits, and hear of answers changed in another one.
  window.addEventListener("focus", function () { clearTimeout(timer); timer = setTimeout(function () { flush(true); }, 0); });
  window.addEventListener("online", function () {
    setStatus(Object.keys(dirty).length ? gettext("Connection back: saving…") : "", "");
    schedule(0);
  });
  window.addEventListener("offline", function () {
    if (Object.keys(dirty).length) setStatus(offlineMessage(), "error");
  });
  window.addEventListener("beforeunload", function (event) {
    if (submitting) return;
    if (Object.keys(dirty).length || inFlight && inFlight.length) { event.preventDefault(); event.returnValue = ""; }
  });

  // Answers typed before a reload, a crash, a lost session or a Save that never arrived.
  try {
    var pending = JSON.parse(localStorage.getItem(storageKey) || "{}");
    Object.keys(pending).forEach(function (key) {
      if (!fieldsOf(key).length) return;
      var entry = pending[key];
      // The page already shows this value at a newer version: the server has it.
      if ((versions[key] || 0) > (entry.version || 0) && sameData(dataOf(key), entry.data)) return;
      applyData(entry.data);
      // The save starts from the version the respondent was editing, so a change made
      // meanwhile by someone else shows as a conflict rather than being overwritten.
      versions[key] = entry.version || 0;
      dirty[key] = true;
    });
    remember();
    if (Object.keys(dirty).length) {
      setStatus(gettext("Restoring answers not saved last time…"), "");
      schedule(0);
    }
  } catch (error) { /* nothing to restore */ }
  writeVersions();

  function localTime(iso) { return iso && window.LocalTimes ? window.LocalTimes.format(iso, false) : null; }
  function gettext(text) { return window.gettext ? window.gettext(text) : text; }
  function ngettext(one, many, count) { return window.ngettext ? window.ngettext(one, many, count) : (count === 1 ? one : many); }
  function interpolate(text, values) { return window.interpolate ? window.interpolate(text, values) : text.replace("%s", values[0]); }
})();
