// require-login form keeping: what the user typed survives the login round trip.
// Served after the client script proper, in the same file. When the page is
// sent to the login page, the values of its form fields are kept in this
// tab's sessionStorage; when the same user comes back to the page, they are
// put back into the fields still as the page rendered them, once.
(function () {
  "use strict";

  // --- Settings ------------------------------------------------------------

  // One sessionStorage item per page, under PREFIX + path and query.
  var PREFIX = "require-login:kept:";
  // Kept values are dropped after KEEP_FOR ms.
  var KEEP_FOR = 30 * 60 * 1000;
  // A plain form submit is kept as "pending" until the next page shows
  // whether it was answered with the login page; an answer that takes longer
  // than this is not the login redirect.
  var ANSWER_WITHIN = 2 * 60 * 1000;
  // The <meta name> of the opaque value naming the user the page is for.
  var OWNER = "require-login-owner";
  var KEEP_OFF = '[data-require-login-keep="off"]';
  var NOTICE_OFF = '[data-require-login-notice="off"]';
  var LOGOUT = "[data-require-login-logout]";
  var NOTICE_FOR = 8000;

  var has = Object.prototype.hasOwnProperty;
  // The client script's state (its own property of window, as it sets it).
  var state = has.call(window, "requireLogin") ? window.requireLogin : null;
  if (!state || state.keepsForms) { return; }
  state.keepsForms = true;
  // Without these it cannot tell which fields were passwords: it keeps nothing.
  if (typeof MutationObserver !== "function" || typeof WeakSet !== "function") { return; }
  var store;
  try { store = window.sessionStorage; store.getItem(PREFIX); } catch (e) { return; }
  var location = window.location;

  // --- What the fields are, whatever they look like now ---------------------

  // Fields that were type=password at any time since the page loaded: a
  // "show password" toggle makes one type=text, and it is still a secret.
  var secrets = new WeakSet();
  // Fields the user changed (an input or change event: a script that sets
  // a value sends none), and those put back, which hold what the user typed.
  var touched = new WeakSet();
  function isPassword(type) { return /^password$/i.test(type || ""); }
  function noteSecrets(records) {
    records.forEach(function (record) { if (isPassword(record.oldValue)) { secrets.add(record.target); } });
  }
  var typeWatch = new MutationObserver(noteSecrets);
  typeWatch.observe(document, { attributes: true, attributeFilter: ["type"], attributeOldValue: true, subtree: true });
  function noteTouched(event) {
    var field = event.target;
    if (!field) { return; }
    touched.add(field);
    if (isPassword(field.type)) { secrets.add(field); }
  }
  document.addEventListener("input", noteTouched, true);
  document.addEventListener("change", noteTouched, true);

  // --- Which fields, under which keys -----------------------------------------

  // From <head> only (the body may hold user content with a copied tag);
  // two tags there name no one.
  function ownerOfPage() {
    var tags = document.head ? document.head.querySelectorAll('meta[name="' + OWNER + '"]') : [];
    return tags.length === 1 ? tags[0].getAttribute("content") || "" : "";
  }
  function isChoice(field) { return field.type === "checkbox" || field.type === "radio"; }
  // Never kept: secrets (passwords, shown or not, one-time codes, passkeys),
  // files, values the server put there (hidden fields: a CSRF token must
  // come fresh from the new session), payment cards, disabled fields (a
  // disabled fieldset's too), and whatever the page marks off.
  function isKept(field) {
    return !!(field.name || field.id) && !field.matches(":disabled") && !field.readOnly && !secrets.has(field) &&
      !/^(password|file|hidden|submit|button|reset|image)$/.test(field.type) &&
      !/(^|\s)(current-password|new-password|one-time-code|webauthn|cc-\S+)(\s|$)/i.test(field.getAttribute("autocomplete") || "") &&
      !field.closest(KEEP_OFF) && !(field.form && field.form.closest(KEEP_OFF));
  }
  // Calls visit(field, key) for each kept field: the key is its form (id,
  // name or position), its name (or id), and its value for a checkbox or
  // radio button, else its place among fields of that name.
  function eachField(visit) {
    var seen = {}, fields = document.querySelectorAll("input,textarea,select");
    for (var i = 0; i < fields.length; i++) {
      var field = fields[i], form = field.form;
      if (!isKept(field)) { continue; }
      var base = (form ? form.getAttribute("id") || form.getAttribute("name") ||
        "#" + Array.prototype.indexOf.call(document.forms, form) : "") + "\n" + (field.name || field.id);
      seen[base] = (seen[base] || 0) + 1;
      visit(field, base + "\n" + (isChoice(field) ? "=" + field.value : seen[base]));
    }
  }
  // The values of a select's options that have `property` set.
  function options(field, property) {
    var values = [];
    for (var i = 0; i < field.options.length; i++) { if (field.options[i][property]) { values.push(field.options[i].value); } }
    return values;
  }
  function read(field) {
    return isChoice(field) ? field.checked : field.options ? options(field, "selected") : field.value;
  }
  function write(field, value) {
    if (isChoice(field)) { field.checked = !!value; return; }
    if (!field.options) { field.value = String(value); return; }
    for (var i = 0; i < field.options.length; i++) { field.options[i].selected = value.indexOf(field.options[i].value) >= 0; }
  }
  // The field's value as the page rendered it.
  function rendered(field) {
    if (isChoice(field)) { return field.defaultChecked; }
    if (!field.options) { return field.defaultValue; }
    var values = options(field, "defaultSelected");
    // A single select with no option marked shows its first.
    return values.length || field.type !== "select-one" || !field.options.length ? values : [field.options[0].value];
  }
  function same(a, b) { return String(a) === String(b); }
  function isUntouched(field) { return same(read(field), rendered(field)); }

  // --- sessionStorage -------------------------------------------------------------

  function load(page) {
    try { return JSON.parse(store.getItem(PREFIX + page)); } catch (e) { return null; }
  }
  // A full sessionStorage keeps nothing.
  function save(page, entry) {
    try { store.setItem(PREFIX + page, JSON.stringify(entry)); } catch (e) {}
  }
  function drop(page) { store.removeItem(PREFIX + page); }
  function keptPages() {
    var pages = [];
    for (var i = 0; i < store.length; i++) {
      var key = store.key(i);
      if (key && key.indexOf(PREFIX) === 0) { pages.push(key.slice(PREFIX.length)); }
    }
    return pages;
  }
  function forgetAll() { keptPages().forEach(drop); }
  function thisPage() { return location.pathname + location.search; }

  // --- Keeping ----------------------------------------------------------------------

  // Keeps the fields the user changed, when this is a user's page; `pending`
  // until the login page shows it answered the submit.
  function keep(pending) {
    var owner = ownerOfPage(), values = {}, changed = false;
    if (!owner) { return; }
    // A type changed in this same task is not reported yet.
    noteSecrets(typeWatch.takeRecords());
    eachField(function (field, key) {
      if (!touched.has(field) || isUntouched(field)) { return; }
      values[key] = [read(field), rendered(field)];
      changed = true;
    });
    if (changed) { save(thisPage(), { owner: owner, at: Date.now(), pending: pending, values: values }); }
    expireLater();
  }
  // The client script is about to go to the login page (a denied fetch or
  // XHR call), or htmx is, following the guard's HX-Redirect.
  document.addEventListener("require-login:redirect", function () { keep(false); });
  // A plain form submit leaves the page: its answer may be the login
  // redirect. Seen last (on window, bubbling), so a submit that a script
  // (htmx, a framework) took over and cancelled keeps nothing.
  window.addEventListener("submit", function (event) {
    var form = event.target;
    if (!event.defaultPrevented && form && form.getAttribute("method") !== "dialog") { keep(true); }
  });
  // Logging out discards everything kept in this tab.
  function onLogout(event) {
    var target = event.target;
    if (target && target.closest && target.closest(LOGOUT)) { forgetAll(); }
  }
  document.addEventListener("click", onLogout, true);
  document.addEventListener("submit", onLogout, true);
  document.addEventListener("require-login:logout", forgetAll);

  // --- Putting back ---------------------------------------------------------------------

  function sameOrigin(url) {
    try { url = new URL(url, location.href); } catch (e) { return null; }
    return url.origin === location.origin ? url : null;
  }
  // The page this page returns to after logging in, when it is a login page
  // of a script copy and was reached by a redirect (Navigation Timing, when
  // the browser has it) from that page: a plain submit answered with the
  // login redirect. A later visit from elsewhere, or an answer that merely
  // carries `next=`, is none.
  function answeredSubmit() {
    var configs = state.configs || [], from = sameOrigin(document.referrer);
    var timing = window.performance && performance.getEntriesByType && performance.getEntriesByType("navigation")[0];
    if (!from || (timing && !(timing.redirectCount > 0))) { return null; }
    for (var i = 0; i < configs.length; i++) {
      var login = configs[i].login && sameOrigin(configs[i].login);
      var page = configs[i].field && new URL(location.href).searchParams.get(configs[i].field);
      if (login && login.pathname === location.pathname && page && page === from.pathname + from.search) { return page; }
    }
    return null;
  }
  // Fills in each field still as the page rendered it, and rendered as
  // when its value was kept (an empty field still empty; one the server now
  // fills differently, say after someone else's edit, is left alone). Tells
  // the page's frameworks, and the page.
  function restore(values) {
    var restored = [];
    eachField(function (field, key) {
      var kept = has.call(values, key) && values[key];
      if (!kept || !isUntouched(field) || !same(rendered(field), kept[1]) || same(kept[0], read(field))) { return; }
      write(field, kept[0]);
      restored.push(field);
    });
    if (!restored.length) { return; }
    restored.forEach(function (field) {
      touched.add(field);
      field.dispatchEvent(new Event("input", { bubbles: true }));
      field.dispatchEvent(new Event("change", { bubbles: true }));
    });
    var told = new CustomEvent("require-login:restored", { bubbles: true, cancelable: true, detail: { fields: restored } });
    if (document.dispatchEvent(told) && !document.querySelector(NOTICE_OFF)) { notice(); }
  }
  // A short note, gone after NOTICE_FOR ms or a click; a page turns it off
  // with data-require-login-notice="off" or by cancelling the event.
  function notice() {
    var box = document.createElement("div");
    box.id = "require-login-notice";
    box.setAttribute("role", "status");
    box.textContent = "What you typed before logging in has been put back.";
    box.style.cssText = "position:fixed;z-index:99999;left:1em;bottom:1em;padding:.5em 1em;background:#222;color:#fff";
    function remove() { if (box.parentNode) { box.parentNode.removeChild(box); } }
    box.addEventListener("click", remove);
    document.body.appendChild(box);
    setTimeout(remove, NOTICE_FOR);
  }
  // How long `entry` has left (a pending one: to be answered), <= 0 once
  // out of time; a time in the future (a clock set back) is out of time too.
  function timeLeft(entry, now) {
    var age = entry && typeof entry.at === "number" ? now - entry.at : -1;
    return age < 0 ? 0 : (entry.pending ? ANSWER_WITHIN : KEEP_FOR) - age;
  }
  // Drops what is out of time, now and whenever the next entry runs out
  // while this page is open.
  var expiryTimer = null;
  function expireLater() {
    var now = Date.now(), next = Infinity;
    keptPages().forEach(function (kept) {
      var left = timeLeft(load(kept), now);
      if (left > 0) { next = Math.min(next, left); } else { drop(kept); }
    });
    clearTimeout(expiryTimer);
    if (next < Infinity) { expiryTimer = setTimeout(expireLater, next + 1); }
  }
  // On every page: drops what is out of time, what another user kept, and
  // a submit's values this page does not show were answered with the login
  // page; confirms those it does; and puts back this page's own, once.
  function settle() {
    var owner = ownerOfPage(), now = Date.now(), page = thisPage(), answered = answeredSubmit();
    var mine = null;
    keptPages().forEach(function (kept) {
      var entry = load(kept);
      if (!(timeLeft(entry, now) > 0) || (entry.pending && kept !== answered) || (owner && entry.owner !== owner)) {
        drop(kept);
      } else if (kept === page && owner) {
        drop(kept);
        mine = entry;
      } else if (entry.pending) {
        entry.pending = false;
        save(kept, entry);
      }
    });
    expireLater();
    if (mine) { restore(mine.values || {}); }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", settle);
  } else {
    settle();
  }
  // Back to a page from the back/forward cache is a page load too.
  window.addEventListener("pageshow", function (event) { if (event.persisted) { settle(); } });
})();
