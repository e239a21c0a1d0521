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
  var store;
  try { store = window.sessionStorage; store.getItem(PREFIX); } catch (e) { return; }
  var location = window.location;

  // --- Which fields, under which keys -----------------------------------------

  function ownerOfPage() {
    var tag = document.querySelector('meta[name="' + OWNER + '"]');
    return tag ? tag.getAttribute("content") || "" : "";
  }
  function isChoice(field) { return field.type === "checkbox" || field.type === "radio"; }
  // Never kept: secrets, files, values the server put there (hidden fields:
  // a CSRF token must come fresh from the new session), one-time codes,
  // payment cards, and whatever the page marks off.
  function isKept(field) {
    return !!(field.name || field.id) && !field.disabled && !field.readOnly &&
      !/^(password|file|hidden|submit|button|reset|image)$/.test(field.type) &&
      !/(^|\s)(one-time-code|cc-\S+)(\s|$)/i.test(field.getAttribute("autocomplete") || "") &&
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

  // Keeps this page's fields, when it is a user's page and the user changed
  // any; `pending` until the next page shows the submit went to the login page.
  function keep(pending) {
    var owner = ownerOfPage(), values = {}, changed = false;
    if (!owner) { return; }
    eachField(function (field, key) {
      values[key] = [read(field), rendered(field)];
      changed = changed || !isUntouched(field);
    });
    if (changed) { save(thisPage(), { owner: owner, at: Date.now(), pending: pending, values: values }); }
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

  // The page `url` (a URL of this site) names as the one to return to after
  // logging in, in any script copy's return-to field.
  function returnTo(url) {
    var parsed;
    try { parsed = new URL(url, location.href); } catch (e) { return null; }
    if (parsed.origin !== location.origin) { return null; }
    var configs = state.configs || [];
    for (var i = 0; i < configs.length; i++) {
      var page = configs[i].field && parsed.searchParams.get(configs[i].field);
      if (page) { return page; }
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
  // On every page: drops what expired, what another user kept, and a
  // submit's values whose answer was not the login page; confirms those
  // whose was (this page, or the page before it, returns to theirs); and
  // puts back this page's own, once.
  function settle() {
    var owner = ownerOfPage(), now = Date.now(), page = thisPage();
    var back = [returnTo(location.href), document.referrer ? returnTo(document.referrer) : null];
    var mine = null;
    keptPages().forEach(function (kept) {
      var entry = load(kept);
      var answered = entry && entry.pending && now - entry.at < ANSWER_WITHIN && back.indexOf(kept) >= 0;
      if (!entry || !(now - entry.at < KEEP_FOR) || (entry.pending && !answered) || (owner && entry.owner !== owner)) {
        drop(kept);
      } else if (kept === page && owner) {
        drop(kept);
        mine = entry;
      } else if (answered) {
        entry.pending = false;
        save(kept, entry);
      }
    });
    if (mine) { restore(mine.values || {}); }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", settle);
  } else {
    settle();
  }
})();
