// require-login session warning: the page is told before its session ends
// (WCAG 2.2.1 Timing Adjustable), and every tab of the site knows.
// Served after the client script proper when the app turns it on. It asks
// the status endpoint how long the session has left (seconds, never a time
// of day), reads X-Session-Left on every same-origin response, and opens a
// modal <dialog> `warn` seconds before the end: "Stay signed in" (also
// Enter and Esc) extends the session, "Log out" logs out. The texts come
// from the page when it has <script type="application/json"
// id="require-login-warning-text">, else the English ones below.
(function () {
  "use strict";

  // --- Settings ------------------------------------------------------------

  var STATUS = "/require-login/session";
  var HEADER = "X-Session-Left";
  var PASSIVE = "X-Session-Passive";
  var CHANNEL = "require-login:session";
  var TEXT_ID = "require-login-warning-text";
  // A screen reader hears the time left at most every ANNOUNCE_EVERY s,
  // then each second in the last ANNOUNCE_EACH s.
  var ANNOUNCE_EVERY = 15;
  var ANNOUNCE_EACH = 10;
  // Never less than this to answer the warning (WCAG: at least 20 s).
  var MIN_WARN = 20;
  var TEXT = {
    title: "Your session is about to end",
    idle: "You will be logged out in {time} because you have not been active. Stay signed in?",
    absolute: "Your session ends in {time} and cannot be extended. Save your work now.",
    stay: "Stay signed in",
    logout: "Log out",
    close: "Close",
    minute: "{n} minute",
    minutes: "{n} minutes",
    second: "{n} second",
    seconds: "{n} seconds"
  };

  var has = Object.prototype.hasOwnProperty;
  var state = has.call(window, "requireLogin") ? window.requireLogin : null;
  if (!state || state.warns) { return; }
  state.warns = true;
  var doc = document, location = window.location;
  var now = function () { return window.performance.now(); };

  // --- What the server said ----------------------------------------------------

  // When (performance.now(), ms) each deadline passes; null: none, or unknown.
  var idleEnd = null, absoluteEnd = null;
  var warn = 120, logoutUrl = "/logout", reasonField = "reason";
  var timer = null, dialog = null;
  // The final warning (the absolute end) was closed: not shown again.
  var dismissed = false;

  // "idle=1795, absolute=28000" (RFC 8941 dictionary) into seconds.
  function members(value) {
    var out = {};
    String(value || "").split(",").forEach(function (member) {
      var pair = member.split("=");
      var n = Number(pair[1]);
      if (pair.length === 2 && n >= 0) { out[pair[0].trim()] = n; }
    });
    return out;
  }
  function learn(left, fromHere) {
    var at = now();
    idleEnd = typeof left.idle === "number" ? at + left.idle * 1000 : null;
    var ends = typeof left.absolute === "number" ? at + left.absolute * 1000 : null;
    // Another session (a new login) has another absolute end.
    if (ends === null || absoluteEnd === null || Math.abs(ends - absoluteEnd) > 2000) { dismissed = false; }
    absoluteEnd = ends;
    if (fromHere) { tell({ type: "left", idle: left.idle, absolute: left.absolute }); }
    schedule();
  }
  function sameOrigin(url) {
    try { return new URL(url, doc.baseURI).origin === location.origin; } catch (e) { return false; }
  }
  function heard(get, url) {
    var value = get(HEADER);
    if (value && sameOrigin(url)) { learn(members(value), true); }
  }

  var originalFetch = window.fetch;
  if (typeof originalFetch === "function") {
    window.fetch = function () {
      return originalFetch.apply(this, arguments).then(function (response) {
        try { heard(function (name) { return response.headers.get(name); }, response.url); } catch (e) {}
        return response;
      });
    };
  }
  var Xhr = window.XMLHttpRequest;
  if (Xhr && Xhr.prototype) {
    var originalOpen = Xhr.prototype.open;
    Xhr.prototype.open = function () {
      var xhr = this;
      xhr.addEventListener("loadend", function () {
        try { heard(function (name) { return xhr.getResponseHeader(name); }, xhr.responseURL); } catch (e) {}
      });
      return originalOpen.apply(this, arguments);
    };
  }

  // Asks the status endpoint: a GET only reads, a POST extends. A denial
  // is the client script's to follow (the round trip to the login page).
  function ask(extend) {
    var init = { method: extend ? "POST" : "GET", credentials: "same-origin", headers: {} };
    if (!extend) { init.headers[PASSIVE] = "1"; }
    return window.fetch(STATUS, init).then(function (response) {
      if (!response.ok) { return; }
      return response.json().then(function (status) {
        if (typeof status.warn === "number") { warn = Math.max(MIN_WARN, status.warn); }
        if (typeof status.logout === "string") { logoutUrl = status.logout; }
        if (typeof status.reason_field === "string") { reasonField = status.reason_field; }
        learn(status, true);
      });
    }).then(null, function () {});
  }

  // --- When to warn ------------------------------------------------------------

  function end() {
    if (idleEnd === null) { return absoluteEnd; }
    return absoluteEnd === null ? idleEnd : Math.min(idleEnd, absoluteEnd);
  }
  // The absolute lifetime ends first: nothing can extend it.
  function final() { return absoluteEnd !== null && (idleEnd === null || absoluteEnd <= idleEnd); }
  function schedule() {
    window.clearTimeout(timer);
    var at = end();
    if (at === null) { return close(); }
    var left = at - now();
    // The seconds the server says are whole (rounded down): the real end is
    // within a second after this one.
    if (left <= 0) { close(); timer = window.setTimeout(ended, 1000); return; }
    if (left > warn * 1000) {
      close();
      timer = window.setTimeout(schedule, left - warn * 1000);
      return;
    }
    if (final() && dismissed) { close(); } else { show(Math.ceil(left / 1000)); }
    timer = window.setTimeout(schedule, Math.min(1000, left));
  }
  // The deadline passed: the status endpoint's denial takes the page to the
  // login page, with the reason, the way any denied call does.
  function ended() {
    idleEnd = absoluteEnd = null;
    ask(false);
  }

  // --- The dialog --------------------------------------------------------------

  function text() {
    var own = doc.getElementById(TEXT_ID), out = {}, key;
    var theirs = {};
    try { theirs = own ? JSON.parse(own.textContent) : {}; } catch (e) {}
    for (key in TEXT) { if (has.call(TEXT, key)) { out[key] = typeof theirs[key] === "string" ? theirs[key] : TEXT[key]; } }
    return out;
  }
  function duration(t, seconds) {
    var m = Math.floor(seconds / 60), s = seconds % 60, parts = [];
    if (m) { parts.push(t[m === 1 ? "minute" : "minutes"].replace("{n}", m)); }
    if (s || !m) { parts.push(t[s === 1 ? "second" : "seconds"].replace("{n}", s)); }
    return parts.join(" ");
  }
  function element(name, attributes, content) {
    var node = doc.createElement(name);
    for (var key in attributes) { if (has.call(attributes, key)) { node.setAttribute(key, attributes[key]); } }
    if (content) { node.textContent = content; }
    return node;
  }
  function build(t) {
    var box = element("dialog", { "class": "require-login-warning", "aria-labelledby": "require-login-warning-title",
      "aria-describedby": "require-login-warning-body", "aria-modal": "true" });
    box.appendChild(element("h2", { id: "require-login-warning-title" }, t.title));
    box.appendChild(element("p", { id: "require-login-warning-body" }));
    // Read out by its own schedule, not at each second's change.
    box.appendChild(element("p", { id: "require-login-warning-live", "aria-live": "assertive", "aria-atomic": "true",
      style: "position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap" }));
    var stay = element("button", { type: "button", id: "require-login-stay" }, t.stay);
    var out = element("button", { type: "button", id: "require-login-logout" }, t.logout);
    stay.addEventListener("click", function () {
      if (final()) { dismissed = true; close(); } else { extend(); }
    });
    out.addEventListener("click", logout);
    box.appendChild(stay);
    box.appendChild(out);
    // Esc means stay (or, at the absolute end, only close).
    box.addEventListener("cancel", function (event) { event.preventDefault(); stay.click(); });
    return box;
  }
  var announced = null;
  function show(seconds) {
    var t = text();
    if (!dialog) { dialog = build(t); }
    if (!dialog.isConnected) { (doc.body || doc.documentElement).appendChild(dialog); }
    var body = dialog.querySelector("#require-login-warning-body");
    var stay = dialog.querySelector("#require-login-stay");
    var live = dialog.querySelector("#require-login-warning-live");
    var message = (final() ? t.absolute : t.idle).replace("{time}", duration(t, seconds));
    body.textContent = message;
    stay.textContent = final() ? t.close : t.stay;
    if (announced === null || seconds <= ANNOUNCE_EACH || announced - seconds >= ANNOUNCE_EVERY) {
      announced = seconds;
      live.textContent = message;
    }
    if (!dialog.open) {
      if (typeof dialog.showModal === "function") { dialog.showModal(); } else { dialog.setAttribute("open", ""); }
      stay.focus();
    }
  }
  function close() {
    announced = null;
    if (dialog && dialog.open) {
      if (typeof dialog.close === "function") { dialog.close(); } else { dialog.removeAttribute("open"); }
    }
  }
  function extend() {
    close();
    ask(true);
  }
  function logout() {
    tell({ type: "logout" });
    close();
    var form = element("form", { method: "post", action: logoutUrl });
    // A page with <meta name="csrf-token"> (and csrf-param, else the field
    // csrf_token) sends its token along, as its own logout form would.
    var token = doc.querySelector('meta[name="csrf-token"]');
    var param = doc.querySelector('meta[name="csrf-param"]');
    if (token) {
      form.appendChild(element("input", { type: "hidden", name: param ? param.content : "csrf_token", value: token.content }));
    }
    (doc.body || doc.documentElement).appendChild(form);
    form.submit();
  }

  // --- Every tab ---------------------------------------------------------------

  var channel = null;
  try { channel = typeof BroadcastChannel === "function" ? new BroadcastChannel(CHANNEL) : null; } catch (e) {}
  function tell(message) {
    try {
      if (channel) { channel.postMessage(message); }
      else { window.localStorage.setItem(CHANNEL, JSON.stringify({ message: message, id: Math.random() })); }
    } catch (e) {}
  }
  function hear(message) {
    if (!message || typeof message !== "object") { return; }
    if (message.type === "left") { learn(message, false); }
    if (message.type === "logout") { leave(); }
  }
  if (channel) { channel.onmessage = function (event) { hear(event.data); }; }
  window.addEventListener("storage", function (event) {
    if (event.key !== CHANNEL || !event.newValue) { return; }
    try { hear(JSON.parse(event.newValue).message); } catch (e) {}
  });
  // Another tab logged out: nothing guarded stays on the screen, and the
  // page goes to its login page, saying why.
  function leave() {
    close();
    doc.documentElement.style.visibility = "hidden";
    var c = state.configs[0];
    var url = c.login;
    var here = location.pathname + location.search;
    var join = url.indexOf("?") < 0 ? "?" : "&";
    if (c.field) { url += join + c.field + "=" + encodeURIComponent(here); join = "&"; }
    if (reasonField) { url += join + reasonField + "=logged-out"; }
    try { doc.dispatchEvent(new CustomEvent("require-login:redirect", { detail: { url: url } })); } catch (e) {}
    location.assign(url);
  }

  // Back to this page from the back/forward cache: ask again, so that a
  // session that ended meanwhile takes it to the login page.
  window.addEventListener("pageshow", function (event) { if (event.persisted) { ask(false); } });
  ask(false);
})();
