/* require-login client script: a guard's denial of an AJAX call sends the page to its login page. */
// Served by the Rust crate require-login, which appends the configuration:
// ({sentinel: "LOGIN_REQUIRED", login: "/login", field: "next", mark: true});
(function (config) {
  "use strict";

  // --- Settings ------------------------------------------------------------

  // The first copy on a page keeps its state here; later copies add to it.
  var STATE = "requireLogin";
  // At most MAX_REDIRECTS automatic visits to a login page per tab within
  // REDIRECT_WINDOW ms, counted in sessionStorage under REDIRECT_LOG.
  var MAX_REDIRECTS = 3;
  var REDIRECT_WINDOW = 30000;
  var REDIRECT_LOG = "require-login:redirects";
  // A visit started less than SETTLE ms ago (and no click or key since) is
  // not started again: a burst of denied calls is one visit, and a slow login
  // page is not restarted by every poll.
  var SETTLE = 5000;
  // The header every browser's AJAX carries, so that the guard tells it from
  // a navigation even without Fetch Metadata (Safari < 16.4, Firefox < 90).
  var MARK = "X-Requested-With";
  var MARK_VALUE = "XMLHttpRequest";

  var location = window.location;

  // --- One copy per page -----------------------------------------------------

  // Own property only: an element with id="requireLogin" shows up on window
  // too (through its prototype), and must not stop the script.
  var first = Object.prototype.hasOwnProperty.call(window, STATE) ? window[STATE] : null;
  if (first && Array.isArray(first.configs)) {
    if (!findConfig(first.configs, config.sentinel)) { first.configs.push(config); }
    return;
  }
  var configs = [config];
  // `go`: the way to the login page for the parts served after the call
  // (streams.js), with the same once-only and loop checks.
  var shared = window[STATE] = { configs: configs, go: function (url) { redirect(url, configFor(url || "")); } };

  // The first of `list` (by default every copy's configuration) that passes `test`, or null.
  function find(test, list) {
    list = list || configs;
    for (var i = 0; i < list.length; i++) { if (test(list[i])) { return list[i]; } }
    return null;
  }
  function findConfig(list, sentinel) { return find(function (c) { return c.sentinel === sentinel; }, list); }
  function longestSentinel() {
    var longest = 0;
    find(function (c) { longest = Math.max(longest, c.sentinel.length); });
    return longest;
  }
  // Any copy may turn the mark off for the page.
  function marking() { return !find(function (c) { return c.mark === false; }); }

  // --- URLs ------------------------------------------------------------------

  function parse(url) {
    try { return new URL(url, document.baseURI); } catch (e) { return null; }
  }
  // The origin of `url` as the browser resolves it, "" when unknown. Without
  // the URL parser: relative URLs are this page's, absolute ones compared as text.
  function originOf(url) {
    url = String(url);
    if (typeof URL === "function") {
      var parsed = parse(url);
      return parsed ? parsed.origin : "";
    }
    url = url.replace(/[\t\n\r]/g, "").replace(/^[\u0000-\u0020]+/, "");
    if (!/^([a-z][a-z0-9+.\-]*:|[\/\\]{2})/i.test(url)) { return location.origin; }
    var absolute = /^https?:\/\/[^\/\\?#]+/i.exec(url);
    return absolute ? absolute[0].toLowerCase() : "";
  }
  function isSameOrigin(url) { return !!url && originOf(url) === location.origin; }
  // A path on this site or an http(s) URL, with nothing a URL parser would
  // drop or read differently (whitespace, control characters, backslashes).
  function isSafe(url) {
    return typeof url === "string" && !/[\u0000-\u0020\u007f\\]/.test(url) &&
      (/^\/(?!\/)/.test(url) || /^https?:\/\/[^\/]/i.test(url)) && originOf(url) !== "";
  }
  // A login URL a denial may send the user to: on this site, or on the site
  // of a configured login page (an external sign-in). A same-origin proxy
  // passing on another service's header cannot send users anywhere else.
  function isTrustedLogin(url) {
    if (!isSafe(url)) { return false; }
    var origin = originOf(url);
    if (origin === location.origin) { return true; }
    return !!find(function (c) { return /^https?:/i.test(c.login) && originOf(c.login) === origin; });
  }
  function pathOf(url) { return url.split("#")[0].split("?")[0]; }
  function queryOf(url) { return url.split("#")[0].split("?").slice(1).join("?"); }
  function hasField(query, field) {
    return query.split("&").filter(function (pair) { return pair.split("=")[0] === field; }).length > 0;
  }
  // `url` with `field=<this page>` added before any fragment, unless it has
  // one already (or there is no field).
  function withReturnTo(url, field) {
    if (!field || hasField(queryOf(url), field)) { return url; }
    var hash = url.indexOf("#");
    var rest = hash < 0 ? url : url.slice(0, hash);
    var separator = rest.indexOf("?") < 0 ? "?" : /[?&]$/.test(rest) ? "" : "&";
    return rest + separator + field + "=" + encodeURIComponent(location.pathname + location.search) +
      (hash < 0 ? "" : url.slice(hash));
  }
  // The query without any copy's return-to field, in a fixed order.
  function withoutFields(query) {
    return query.replace(/^\?/, "").split("&").filter(function (pair) {
      return pair !== "" && !find(function (c) { return c.field === pair.split("=")[0]; });
    }).sort().join("&");
  }
  // Whether `target` is the page the browser is on, return-to links aside.
  function isThisPage(target) {
    var parsed = parse(target);
    if (parsed && parsed.origin !== location.origin) { return false; }
    var path = parsed ? parsed.pathname : pathOf(target);
    var query = parsed ? parsed.search : queryOf(target);
    return path === location.pathname && withoutFields(query) === withoutFields(location.search);
  }
  // The copy whose login page `url` is, else the first: its field names the
  // return-to link.
  function configFor(url) {
    return find(function (c) { return pathOf(c.login) === pathOf(url); }) || configs[0];
  }

  // --- Going to the login page -------------------------------------------------

  var startedAt = null;
  var warned = false;
  function rearm() { startedAt = null; }
  // Back from the login page may restore this page from the back/forward
  // cache; a click or a key after a visit was cancelled (a beforeunload
  // prompt answered "Stay") lets the next denial try again.
  window.addEventListener("pageshow", function (event) { if (event.persisted) { rearm(); } });
  window.addEventListener("mousedown", rearm, true);
  window.addEventListener("keydown", rearm, true);

  function recentRedirects(now) {
    var log;
    try { log = JSON.parse(window.sessionStorage.getItem(REDIRECT_LOG)); } catch (e) {}
    return (Array.isArray(log) ? log : []).filter(function (at) { return typeof at === "number" && at <= now && now - at < REDIRECT_WINDOW; });
  }
  // Once per page, why it does not go.
  function refuse(why) {
    if (!warned && window.console) { warned = true; console.error("require-login: not going to " + why); }
  }
  // Goes to the denial's login URL, or, when it has none the script trusts,
  // to the login page of the copy that recognised the denial.
  function redirect(url, matched) {
    var now = Date.now();
    if (startedAt !== null && now - startedAt < SETTLE) { return; }
    var target = url && isTrustedLogin(url) ? withReturnTo(url, configFor(url).field) : withReturnTo(matched.login, matched.field);
    // Already on that login page (its own calls are guarded too): going
    // there again would reload it for ever.
    if (isThisPage(target)) { return; }
    var log = recentRedirects(now);
    if (log.length >= MAX_REDIRECTS) {
      return refuse(target + " again: " + log.length + " automatic visits to a login page in " +
        REDIRECT_WINDOW / 1000 + " s (is the session cookie kept?)");
    }
    log.push(now);
    // Only the count in sessionStorage stops a loop across page loads: when
    // it cannot be kept (storage full or disabled), no automatic visit.
    try { window.sessionStorage.setItem(REDIRECT_LOG, JSON.stringify(log)); } catch (e) {
      return refuse(target + ": sessionStorage cannot keep the count of automatic visits that stops a login loop (" +
        (e && e.name) + ")");
    }
    startedAt = now;
    announce(target);
    location.assign(target);
  }
  // Tells the page, and the form keeping part after the configuration
  // call, that it is about to go to the login page `url`.
  function announce(url) {
    try { document.dispatchEvent(new CustomEvent("require-login:redirect", { detail: { url: url } })); } catch (e) {}
  }

  // --- Deciding on a response --------------------------------------------------

  function isDenied(status) { return status === 401 || status === 403; }
  function isTrue(value) { return value != null && String(value).toLowerCase() === "true"; }
  // Same-origin requests only (a cross-origin one would need a CORS
  // preflight), not already marked, and not of a client library with its own
  // protocol (htmx, Inertia, Turbo), which the server answers in that protocol.
  function shouldMark(url, get) {
    return marking() && get(MARK) == null && !isTrue(get("HX-Request")) && !get("X-Inertia") &&
      !get("X-Turbo-Request-Id") && isSameOrigin(url);
  }
  // htmx follows HX-Redirect itself: leave its requests to it, but say
  // when that is a guard's way to its login page.
  function leftToHtmx(call, get) {
    var left = call.htmx && !!window.htmx && !!get("HX-Redirect");
    if (left && get("X-Login-Url")) { announce(get("HX-Redirect")); }
    return left;
  }
  function checkBody(text) {
    var matched = text == null ? null : findConfig(configs, text);
    if (matched) { redirect(null, matched); }
  }
  // A denial's X-Login-Url; without one (a proxy dropped it) the body decides.
  function checkLoginUrl(get) {
    var url = get("X-Login-Url");
    if (url) { redirect(url, configFor(url)); }
    return !!url;
  }
  function decode(bytes) {
    return typeof TextDecoder === "function" ? new TextDecoder().decode(bytes) : String.fromCharCode.apply(null, bytes);
  }
  // The body of a response (a clone), or null once it is longer than
  // `limit`: a long or endless stream is never read to its end. Without
  // readable streams only a body known to be short is read.
  function readUpTo(response, limit, lengthKnown) {
    if (!response.body || typeof response.body.getReader !== "function") {
      return lengthKnown ? response.text() : Promise.resolve(null);
    }
    var reader = response.body.getReader(), parts = [], size = 0;
    function pump() {
      return reader.read().then(function (part) {
        if (part.done) {
          var bytes = new Uint8Array(size), at = 0;
          for (var i = 0; i < parts.length; i++) { bytes.set(parts[i], at); at += parts[i].length; }
          return decode(bytes);
        }
        size += part.value.length;
        if (size > limit) { reader.cancel(); return null; }
        parts.push(part.value);
        return pump();
      });
    }
    return pump();
  }

  // --- fetch ---------------------------------------------------------------------

  // The browser's fetch, on the state: a part served apart (relogin.js)
  // may put itself between this wrapper and the network.
  var originalFetch = shared.fetch = window.fetch;
  if (typeof originalFetch === "function") {
    // What the wrapper needs of a call, and the init to call fetch with: the
    // headers read once into a Headers (an iterator is spent by reading), the
    // mark added. `init: null` passes the call on as it came.
    var prepareFetch = function (input, init) {
      var call = { url: "", htmx: false, init: null };
      try {
        var isRequest = typeof Request === "function" && input instanceof Request;
        call.url = isRequest ? input.url : String(input);
        var own = init != null && init.headers != null;
        var headers = own ? new Headers(init.headers) : isRequest ? input.headers : null;
        var get = function (name) { return headers ? headers.get(name) : null; };
        call.htmx = isTrue(get("HX-Request"));
        if (shouldMark(call.url, get)) {
          headers = new Headers(headers || undefined);
          headers.set(MARK, MARK_VALUE);
          own = true;
        }
        if (own) {
          // Every other member still read from the page's own init.
          call.init = Object.create(init != null && typeof init === "object" ? init : null);
          call.init.headers = headers;
        }
      } catch (e) {
        // Unreadable headers: the page's fetch fails, or works, as it would have.
        call.init = null;
      }
      return call;
    };
    var inspect = function (response, call) {
      if (!response || !isDenied(response.status) || !isSameOrigin(response.url || call.url)) { return response; }
      var headers = response.headers;
      var get = function (name) { return headers.get(name); };
      if (leftToHtmx(call, get) || checkLoginUrl(get)) { return response; }
      // Only a short text/plain body is read, from a clone so the page still gets it.
      if ((get("Content-Type") || "").toLowerCase().indexOf("text/plain") !== 0) { return response; }
      var length = get("Content-Length");
      var lengthKnown = length !== null && !get("Content-Encoding");
      if (lengthKnown && !find(function (c) { return c.sentinel.length === Number(length); })) { return response; }
      // Whatever goes wrong in the check, the page still gets its response.
      var check = readUpTo(response.clone(), longestSentinel(), lengthKnown).then(checkBody).then(null, function () {});
      // A body of a sentinel's length is checked before the page sees it; one
      // of unknown length (chunked, compressed) alongside, so that a stream
      // reaches the page as it comes.
      return lengthKnown ? check.then(function () { return response; }) : response;
    };
    window.fetch = function (input, init) {
      var call = prepareFetch(input, init);
      var args = call.init ? [input, call.init] : arguments;
      return shared.fetch.apply(this, args).then(function (response) {
        try { return inspect(response, call); } catch (e) { return response; }
      });
    };
  }

  // --- XMLHttpRequest --------------------------------------------------------------

  var Xhr = window.XMLHttpRequest;
  if (Xhr && Xhr.prototype) {
    var proto = Xhr.prototype;
    var originalOpen = proto.open;
    var originalSetRequestHeader = proto.setRequestHeader;
    var originalSend = proto.send;
    // Each XMLHttpRequest seen, with its current request's URL and headers.
    var requests = new WeakMap();
    var onReadyStateChange = function () {
      var xhr = this, call = requests.get(xhr);
      if (!call || xhr.readyState !== 4 || !isDenied(xhr.status) || !isSameOrigin(xhr.responseURL || call.url)) { return; }
      var get = function (name) { return xhr.getResponseHeader(name); };
      if (leftToHtmx(call, get) || checkLoginUrl(get)) { return; }
      var type = xhr.responseType, body = xhr.response, limit = longestSentinel();
      if (type === "" || type === "text") {
        checkBody(xhr.responseText);
      } else if (type === "arraybuffer" && body && body.byteLength <= limit) {
        checkBody(decode(new Uint8Array(body)));
      } else if (type === "blob" && body && body.size <= limit && typeof body.text === "function") {
        body.text().then(checkBody).then(null, function () {});
      }
      // A "json" or "document" response keeps no text to compare: there
      // only X-Login-Url, which the guard always sends, is seen.
    };
    // Listening from open() on runs this check before handlers that pages
    // and libraries such as jQuery attach after open().
    proto.open = function (method, url) {
      if (!requests.has(this)) { this.addEventListener("readystatechange", onReadyStateChange); }
      var parsed = parse(url);
      requests.set(this, { url: parsed ? parsed.href : String(url), htmx: false, headers: {} });
      return originalOpen.apply(this, arguments);
    };
    proto.setRequestHeader = function (name, value) {
      var call = requests.get(this);
      if (call) { call.headers[String(name).toLowerCase()] = value; }
      return originalSetRequestHeader.apply(this, arguments);
    };
    proto.send = function () {
      var call = requests.get(this);
      if (call) {
        var get = function (name) { var value = call.headers[name.toLowerCase()]; return value == null ? null : value; };
        call.htmx = isTrue(get("HX-Request"));
        if (shouldMark(call.url, get)) {
          // In the wrong state send() throws for the page, as it would have.
          try { originalSetRequestHeader.call(this, MARK, MARK_VALUE); } catch (e) {}
        }
      }
      return originalSend.apply(this, arguments);
    };
  }
})
