// require-login streams: a guarded EventSource or WebSocket whose session ended sends the page to its login page, once.
// Served after the configuration call (ClientScript::with_streams): it
// wraps the EventSource and WebSocket constructors, and hands each end to
// the script proper (window.requireLogin.go), which goes to the login page
// at most once, as for a denied fetch.
(function () {
  "use strict";

  // The final event of a guarded SSE stream, and a guarded socket's close
  // code (require_login::stream::SESSION_ENDED_EVENT, CLOSE_CODE).
  var ENDED_EVENT = "require-login.session-ended";
  var CLOSE_CODE = 4401;

  var state = window.requireLogin;
  if (!state || typeof state.go !== "function" || state.streams) { return; }
  state.streams = true;

  function sameOrigin(url) {
    try { return new URL(url, document.baseURI).origin === window.location.origin; } catch (e) { return false; }
  }
  // Asks the guarded `url` again: a denial is the fetch wrapper's to follow
  // (to the login page, once); any other answer is let go at its headers.
  function probe(url, accept) {
    if (!sameOrigin(url) || typeof window.fetch !== "function" || typeof AbortController !== "function") { return; }
    var abort = new AbortController();
    var done = function () { abort.abort(); };
    window.fetch(url, { headers: { Accept: accept }, credentials: "same-origin", cache: "no-store", signal: abort.signal })
      .then(done, done);
  }
  // The page's constructor, wrapped so that `wrap` sees every instance;
  // `instanceof` and the constants still work.
  function wrapConstructor(name, wrap) {
    var Original = window[name];
    if (typeof Original !== "function") { return; }
    var Wrapped = function (url, options) {
      var made = arguments.length > 1 ? new Original(url, options) : new Original(url);
      try { wrap(made); } catch (e) {}
      return made;
    };
    Wrapped.prototype = Original.prototype;
    ["CONNECTING", "OPEN", "CLOSING", "CLOSED"].forEach(function (constant) {
      if (constant in Original) { Wrapped[constant] = Original[constant]; }
    });
    window[name] = Wrapped;
  }

  wrapConstructor("EventSource", function (source) {
    var ended = false;
    source.addEventListener(ENDED_EVENT, function (event) {
      // Closed here, before the stream's end: no reconnection, by the
      // browser or by a library listening for errors.
      ended = true;
      source.close();
      var login = null;
      try { login = JSON.parse(event.data).login; } catch (e) {}
      state.go(typeof login === "string" ? login : null);
    });
    source.addEventListener("error", function () {
      // Closed for good: the answer was no stream (a denial among others),
      // which an EventSource does not show; the probe reads it.
      if (!ended && source.readyState === 2) { probe(source.url, "text/event-stream"); }
    });
  });

  wrapConstructor("WebSocket", function (socket) {
    var opened = false;
    socket.addEventListener("open", function () { opened = true; });
    socket.addEventListener("close", function (event) {
      if (event.code === CLOSE_CODE) {
        state.go(event.reason || null);
      } else if (!opened) {
        // The upgrade was refused, and a browser does not say how.
        probe(socket.url.replace(/^ws/i, "http"), "*/*");
      }
    });
  });
})();
