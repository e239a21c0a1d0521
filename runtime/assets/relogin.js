// require-login log in again in place: a call the guard denied waits while
// the user logs in again in a popup, then goes through, once.
// Served apart (RELOGIN_SCRIPT_TAG), after the client script, on the pages
// that turn it on. It sits between the client script and the network: a
// response that is exactly the guard's denial (401 or 403, X-Login-Url, and
// a sentinel as the whole body) never reaches the page. The call is kept,
// a modal <dialog> offers "Log in again" (the login page in a popup, whose
// `next` is the crate's done page) or "Go to the login page" (the usual
// round trip). The done page tells every tab, over a BroadcastChannel, who
// logged in and the new session's CSRF token; a tab whose page belongs to
// that user sends each kept call again, once, with the new token; any
// other tab reloads. The guard answers before any handler runs, so a
// denied call never ran: sending it again cannot run it twice.
(function () {
  "use strict";

  // --- Settings ------------------------------------------------------------

  var CHANNEL = "require-login:relogin";
  var DONE_PATH = "/require-login/relogin-done";
  var OWNER = "require-login-owner";
  var CSRF_META = "csrf-token";
  var CSRF_HEADER = "X-CSRF-Token";
  var TEXT_ID = "require-login-relogin-text";
  // Kept calls give up after this long without a login (ms).
  var GIVE_UP = 10 * 60 * 1000;
  var TEXT = {
    title: "Your session has ended",
    body: "Log in again to continue.",
    login: "Log in again",
    leave: "Go to the login page"
  };

  var has = Object.prototype.hasOwnProperty;
  var state = has.call(window, "requireLogin") ? window.requireLogin : null;
  if (!state || state.relogin || typeof state.fetch !== "function") { return; }
  var doc = document, location = window.location;

  // The calls kept, each {replay(token), fail(error)}; the login URL of the
  // first denial; the dialog, once built; the give-up timer.
  var kept = [], loginUrl = null, dialog = null, giveUp = null;
  var channel = typeof BroadcastChannel === "function" ? new BroadcastChannel(CHANNEL) : null;
  state.relogin = { kept: function () { return kept.length; } };

  // The error a kept call fails with: `name` says why.
  function failure(name, why) {
    var error = new Error("require-login: " + why);
    error.name = name;
    return error;
  }

  // --- The exact denial ---------------------------------------------------------

  function sentinelOf(text) {
    for (var i = 0; i < state.configs.length; i++) {
      if (state.configs[i].sentinel === text) { return true; }
    }
    return false;
  }
  function sameOrigin(url) {
    try { return new URL(url, doc.baseURI).origin === location.origin; } catch (e) { return false; }
  }
  // What the guard answers a logged-out call: never an app's own 401 or 403.
  function isDenial(status, url, get) {
    return (status === 401 || status === 403) && !!get("X-Login-Url") && sameOrigin(url);
  }

  // --- Keeping, and going on -------------------------------------------------------

  function keep(call, url) {
    loginUrl = loginUrl || url;
    kept.push(call);
    open();
  }
  // Ends the waiting: each kept call `how`.
  function release(how) {
    var calls = kept;
    kept = [];
    clearTimeout(giveUp);
    giveUp = null;
    if (dialog && dialog.open) { dialog.close(); }
    calls.forEach(how);
  }
  // The usual round trip; the kept calls fail, the page can tell why.
  function leave(name, why) {
    var url = loginUrl;
    loginUrl = null;
    release(function (call) { call.fail(failure(name, why)); });
    state.go(url);
  }
  function ownerOfPage() {
    var meta = doc.querySelector('meta[name="' + OWNER + '"]');
    return meta ? meta.getAttribute("content") : null;
  }
  function loggedIn(message) {
    if (!kept.length) { return; }
    var owner = ownerOfPage();
    if (!owner || message.owner !== owner) {
      // Someone else logged in: nothing of this page is sent for them.
      kept = [];
      location.reload();
      return;
    }
    var token = typeof message.csrf === "string" ? message.csrf : null;
    var meta = doc.querySelector('meta[name="' + CSRF_META + '"]');
    if (meta && token) { meta.setAttribute("content", token); }
    loginUrl = null;
    release(function (call) { call.replay(token); });
  }
  if (channel) {
    channel.onmessage = function (event) {
      if (event.data && event.data.type === "logged-in") { loggedIn(event.data); }
    };
  }

  // --- The dialog ----------------------------------------------------------------

  function texts() {
    var own = {};
    var node = doc.getElementById(TEXT_ID);
    try { own = node ? JSON.parse(node.textContent) : {}; } catch (e) {}
    var out = {};
    Object.keys(TEXT).forEach(function (key) { out[key] = typeof own[key] === "string" ? own[key] : TEXT[key]; });
    return out;
  }
  function element(tag, id, text) {
    var node = doc.createElement(tag);
    if (id) { node.id = "require-login-relogin-" + id; }
    if (text) { node.textContent = text; }
    return node;
  }
  function build() {
    var text = texts();
    dialog = element("dialog");
    dialog.className = "require-login-relogin";
    dialog.setAttribute("aria-labelledby", "require-login-relogin-title");
    dialog.setAttribute("aria-describedby", "require-login-relogin-body");
    var login = element("button", "login", text.login);
    var away = element("button", "leave", text.leave);
    login.type = away.type = "button";
    login.onclick = popup;
    away.onclick = function () { leave("RequireLoginLeft", "the user went to the login page"); };
    // Esc does not dismiss it: the calls wait for one of the two answers.
    dialog.addEventListener("cancel", function (event) { event.preventDefault(); });
    [element("h2", "title", text.title), element("p", "body", text.body), login, away].forEach(function (node) {
      dialog.appendChild(node);
    });
    doc.body.appendChild(dialog);
  }
  function open() {
    if (!dialog) { build(); }
    if (!dialog.open) {
      dialog.showModal();
      doc.getElementById("require-login-relogin-login").focus();
    }
    if (!giveUp) {
      giveUp = setTimeout(function () { leave("RequireLoginTimedOut", "no login within " + GIVE_UP / 60000 + " minutes"); }, GIVE_UP);
    }
  }
  // The login page in a popup (opened by the click: popup blockers let it
  // be), coming back to the done page.
  function popup() {
    var url;
    try {
      url = new URL(loginUrl || state.configs[0].login, doc.baseURI);
      url.searchParams.set(state.configs[0].field || "next", DONE_PATH);
    } catch (e) { url = null; }
    var opened = url && window.open(url.href, "require-login-relogin", "popup,width=520,height=680");
    if (!opened) { leave("RequireLoginPopupBlocked", "the login popup was blocked"); }
  }

  // --- fetch -----------------------------------------------------------------------

  var network = state.fetch;
  // The call again, its CSRF header (if it had one) the new session's.
  function again(self, input, init, copy, token) {
    var request = copy ? copy.clone() : null;
    var headers = new Headers((init && init.headers) || (request ? request.headers : undefined));
    if (token && headers.has(CSRF_HEADER)) { headers.set(CSRF_HEADER, token); }
    var fresh = Object.create(init != null && typeof init === "object" ? init : null);
    fresh.headers = headers;
    return network.call(self, request || input, fresh);
  }
  state.fetch = function (input, init) {
    var self = this;
    var isRequest = typeof Request === "function" && input instanceof Request;
    // A body that can be read once (a stream) cannot be sent again.
    var once = !!(init && init.body && typeof init.body.getReader === "function");
    var copy = isRequest && !once ? input.clone() : null;
    var wait = function (url) {
      return new Promise(function (resolve, reject) {
        if (once) {
          reject(failure("RequireLoginNotReplayed", "a streamed body cannot be sent again"));
          keep({ replay: function () {}, fail: function () {} }, url);
          return;
        }
        keep({
          replay: function (token) { again(self, input, init, copy, token).then(resolve, reject); },
          fail: reject
        }, url);
      });
    };
    // While the dialog is open, new calls wait with the others.
    if (kept.length) { return wait(null); }
    return network.apply(this, arguments).then(function (response) {
      var get = function (name) { return response.headers.get(name); };
      if (!isDenial(response.status, response.url || (isRequest ? input.url : String(input)), get)) { return response; }
      return response.clone().text().then(function (text) {
        return sentinelOf(text) ? wait(get("X-Login-Url")) : response;
      }, function () { return response; });
    });
  };

  // --- XMLHttpRequest -----------------------------------------------------------------

  var Xhr = window.XMLHttpRequest;
  if (!Xhr || !Xhr.prototype) { return; }
  var proto = Xhr.prototype;
  var open_ = proto.open, setHeader = proto.setRequestHeader, send = proto.send;
  // Each XMLHttpRequest's current call: how it was opened, its headers and body.
  var calls = new WeakMap();
  // The answer the page must not see: the denial, while the call is kept.
  function hide(event) {
    var call = calls.get(this);
    if (call && call.hidden) { event.stopImmediatePropagation(); }
  }
  function resend(xhr, call, token) {
    call.hidden = false;
    open_.apply(xhr, call.open);
    call.headers.forEach(function (pair) {
      var value = token && pair[0].toLowerCase() === CSRF_HEADER.toLowerCase() ? token : pair[1];
      setHeader.call(xhr, pair[0], value);
    });
    send.call(xhr, call.body);
  }
  function hold(xhr, call) {
    keep({
      replay: function (token) { resend(xhr, call, token); },
      fail: function () {
        // Let the page see the denial it was kept from.
        call.hidden = false;
        xhr.dispatchEvent(new Event("readystatechange"));
        xhr.dispatchEvent(new Event("load"));
        xhr.dispatchEvent(new Event("loadend"));
      }
    }, xhr.getResponseHeader("X-Login-Url"));
  }
  function decide(event) {
    var xhr = this, call = calls.get(xhr);
    if (!call || xhr.readyState !== 4 || call.hidden) { return; }
    var get = function (name) { return xhr.getResponseHeader(name); };
    var text = xhr.responseType === "" || xhr.responseType === "text" ? xhr.responseText : null;
    if (isDenial(xhr.status, xhr.responseURL || call.open[1], get) && sentinelOf(text)) {
      event.stopImmediatePropagation();
      call.hidden = true;
      hold(xhr, call);
    }
  }
  proto.open = function () {
    if (!calls.has(this)) {
      // Before the client script's and the page's listeners: they never
      // see a denial that is kept.
      this.addEventListener("readystatechange", decide);
      this.addEventListener("load", hide);
      this.addEventListener("loadend", hide);
    }
    calls.set(this, { open: Array.prototype.slice.call(arguments), headers: [], body: null, hidden: false });
    return open_.apply(this, arguments);
  };
  proto.setRequestHeader = function (name, value) {
    var call = calls.get(this);
    if (call) { call.headers.push([String(name), String(value)]); }
    return setHeader.apply(this, arguments);
  };
  proto.send = function (body) {
    var call = calls.get(this);
    if (call) { call.body = body === undefined ? null : body; }
    if (call && kept.length) {
      // While the dialog is open, new calls wait with the others.
      call.hidden = true;
      keep({ replay: resend.bind(null, this, call), fail: function () {} }, null);
      return undefined;
    }
    return send.apply(this, arguments);
  };
})();
