// Unit tests of the client script's decisions, in Node's own test runner:
//   node --test runtime/assets/require-login.test.js
// Each test loads require-login.js into a fresh page (a vm context) whose
// fetch, XMLHttpRequest, location, sessionStorage, console and clock are
// stubs that record what the script did. The Chromium suite
// (tests/tests/browser/) is the end-to-end proof in a real browser.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const vm = require("node:vm");

const SOURCE = fs.readFileSync(path.join(__dirname, "require-login.js"), "utf8");
const STREAMS = fs.readFileSync(path.join(__dirname, "streams.js"), "utf8");
const DEFAULTS = { sentinel: "LOGIN_REQUIRED", login: "/login", field: "next", mark: true };

/** The script as the server sends it: the asset, then the configuration call. */
function scriptFor(config) {
  return SOURCE + "(" + JSON.stringify(Object.assign({}, DEFAULTS, config)) + ");\n";
}

/** A recording stand-in for XMLHttpRequest. */
function fakeXhrClass(env) {
  return class FakeXhr {
    constructor() {
      this.readyState = 0;
      this.status = 0;
      this.responseURL = "";
      this.responseType = "";
      this.response = null;
      this.responseText = "";
      this.requestHeaders = {};
      this.responseHeaders = {};
      this.listeners = [];
      env.xhrs.push(this);
    }
    open(method, url) {
      this.method = method;
      this.url = url;
      this.readyState = 1;
      this.sent = false;
      this.requestHeaders = {};
    }
    setRequestHeader(name, value) {
      if (this.readyState !== 1 || this.sent) { throw new Error("InvalidStateError"); }
      this.requestHeaders[name.toLowerCase()] = value;
    }
    send() {
      if (this.readyState !== 1 || this.sent) { throw new Error("InvalidStateError"); }
      this.sent = true;
    }
    addEventListener(type, listener) {
      if (type === "readystatechange") { this.listeners.push(listener); }
    }
    getResponseHeader(name) {
      const value = this.responseHeaders[name.toLowerCase()];
      return value === undefined ? null : value;
    }
    /** Completes the request; `responseURL` defaults to the request's URL. */
    respond({ status, headers = {}, body = "", responseURL }) {
      this.status = status;
      for (const [name, value] of Object.entries(headers)) { this.responseHeaders[name.toLowerCase()] = value; }
      this.responseText = body;
      this.response = body;
      this.responseURL = responseURL === undefined ? new URL(this.url, env.href).href : responseURL;
      this.readyState = 4;
      for (const listener of this.listeners) { listener.call(this); }
    }
  };
}

/** A recording stand-in for EventSource or WebSocket: `fire` dispatches an event. */
function fakeStreamClass(env, made) {
  class FakeStream {
    constructor(url, options) {
      this.url = new URL(url, env.href).href;
      this.options = options;
      this.readyState = 0;
      this.listeners = {};
      made.push(this);
    }
    addEventListener(type, listener) { (this.listeners[type] = this.listeners[type] || []).push(listener); }
    fire(type, event = {}) { for (const listener of this.listeners[type] || []) { listener.call(this, Object.assign({ type }, event)); } }
    close() { this.readyState = 2; this.closed = true; }
  }
  Object.assign(FakeStream, { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 2 });
  return FakeStream;
}

/**
 * A page at `url` with one script per entry of `configs` loaded, in order.
 * `respond(request)` answers fetch calls (default: 200 "ok"); `storage`
 * is sessionStorage, shared between pages of one tab when passed on.
 */
function openPage({ url = "http://app.test/page?x=1", configs = [{}], respond, storage = new Map(), now = 1e9, before, streams = false } = {}) {
  const here = new URL(url);
  const env = { href: here.href, assigned: [], requests: [], xhrs: [], errors: [], listeners: {}, storage, now, sources: [], sockets: [] };
  const window = {
    location: {
      href: here.href, origin: here.origin, pathname: here.pathname, search: here.search,
      assign(target) { env.assigned.push(target); },
    },
    document: { baseURI: here.href },
    async fetch(input, init) {
      // What the browser would send: the Request that fetch() builds.
      const request = new Request(typeof input === "string" ? new URL(input, here.href) : input, init);
      env.requests.push(request);
      const response = respond ? await respond(request) : new Response("ok");
      if (!Object.prototype.hasOwnProperty.call(response, "url")) {
        Object.defineProperty(response, "url", { value: request.url });
      }
      return response;
    },
    XMLHttpRequest: fakeXhrClass(env),
    EventSource: fakeStreamClass(env, env.sources),
    WebSocket: fakeStreamClass(env, env.sockets),
    Headers, Request, Response, URL, TextDecoder, WeakMap, AbortController,
    sessionStorage: {
      getItem: (key) => (storage.has(key) ? storage.get(key) : null),
      setItem: (key, value) => { storage.set(key, String(value)); },
    },
    console: { error: (...parts) => { env.errors.push(parts.join(" ")); } },
    Date: { now: () => env.now },
    addEventListener(type, listener) { (env.listeners[type] = env.listeners[type] || []).push(listener); },
  };
  window.window = window;
  if (before) { before(window); }
  env.window = window;
  env.context = vm.createContext(window);
  for (const config of configs) { vm.runInContext(scriptFor(config), env.context); }
  if (streams) { vm.runInContext(STREAMS, env.context); }
  env.dispatch = (type, event = {}) => { for (const listener of env.listeners[type] || []) { listener(event); } };
  return env;
}

/** A response as the server would send it, from `url`. */
function answer(status, { headers = {}, body = "", url } = {}) {
  const response = new Response(body, { status, headers });
  if (url !== undefined) { Object.defineProperty(response, "url", { value: url }); }
  return response;
}

const settle = () => new Promise((resolve) => setImmediate(resolve));
async function settled() { for (let i = 0; i < 5; i++) { await settle(); } }

/** Starts an XHR to `url`, with `headers` set by the page. */
function xhr(env, url, headers = {}) {
  const request = new env.window.XMLHttpRequest();
  request.open("GET", url);
  for (const [name, value] of Object.entries(headers)) { request.setRequestHeader(name, value); }
  request.send();
  return request;
}

const LOGIN_FOR_PAGE = "/login?next=%2Fpage%3Fx%3D1";
const DENIED = { headers: { "X-Login-Url": "/login?next=%2Fpage%3Fx%3D1" } };

// --- 1. The mark --------------------------------------------------------------

test("a same-origin fetch is marked X-Requested-With: XMLHttpRequest", async () => {
  const env = openPage();
  await env.window.fetch("/api/time");
  await env.window.fetch("http://app.test/api/time", { method: "POST", body: "x" });
  await env.window.fetch(new Request("http://app.test/api/time", { headers: { Authorization: "Bearer t" } }));
  for (const request of env.requests) { assert.equal(request.headers.get("X-Requested-With"), "XMLHttpRequest", request.url); }
  assert.equal(env.requests[1].method, "POST", "the page's other options still apply");
  assert.equal(await env.requests[1].text(), "x");
  assert.equal(env.requests[2].headers.get("Authorization"), "Bearer t", "a Request's own headers are kept");
});

test("a cross-origin fetch is not marked, and its init is passed on as the page gave it", async () => {
  const env = openPage();
  const init = { headers: { Accept: "application/json" } };
  await env.window.fetch("https://api.other.test/data", init);
  await env.window.fetch("//api.other.test/data");
  await env.window.fetch("http://app.test:8080/data");
  for (const request of env.requests) { assert.equal(request.headers.get("X-Requested-With"), null, request.url); }
  assert.equal(env.requests[0].headers.get("Accept"), "application/json");
});

test("the page's own X-Requested-With is kept", async () => {
  const env = openPage();
  await env.window.fetch("/api", { headers: { "x-requested-with": "Fetch" } });
  assert.equal(env.requests[0].headers.get("X-Requested-With"), "Fetch");
  const request = xhr(env, "/api", { "X-Requested-With": "Custom" });
  assert.equal(request.requestHeaders["x-requested-with"], "Custom");
});

test("a same-origin XHR is marked when sent, a cross-origin one is not", () => {
  const env = openPage();
  assert.equal(xhr(env, "/api/time").requestHeaders["x-requested-with"], "XMLHttpRequest");
  assert.equal(xhr(env, "api/relative").requestHeaders["x-requested-with"], "XMLHttpRequest");
  assert.equal(xhr(env, "https://api.other.test/data").requestHeaders["x-requested-with"], undefined);
});

test("requests of htmx, Inertia and Turbo keep their own protocol: not marked", async () => {
  const env = openPage();
  for (const headers of [{ "HX-Request": "true" }, { "X-Inertia": "true" }, { "X-Turbo-Request-Id": "1f0c" }]) {
    await env.window.fetch("/api", { headers });
    assert.equal(xhr(env, "/api", headers).requestHeaders["x-requested-with"], undefined, JSON.stringify(headers));
  }
  for (const request of env.requests) { assert.equal(request.headers.get("X-Requested-With"), null); }
});

test("mark: false turns the mark off, from any copy of the script", async () => {
  for (const configs of [[{ mark: false }], [{}, { sentinel: "OTHER", mark: false }]]) {
    const env = openPage({ configs });
    await env.window.fetch("/api");
    assert.equal(env.requests[0].headers.get("X-Requested-With"), null);
    assert.equal(xhr(env, "/api").requestHeaders["x-requested-with"], undefined);
  }
});

test("headers the browser refuses reach fetch as the page gave them, so the page gets fetch's own error", async () => {
  const env = openPage();
  await assert.rejects(env.window.fetch("/api", { headers: { "bad header": "x" } }), TypeError);
});

// --- 2. A cancelled visit ------------------------------------------------------

test("after a visit the page stayed on (beforeunload answered Stay), the next denial tries again", async () => {
  const env = openPage({ respond: () => answer(403, DENIED) });
  await env.window.fetch("/api");
  await env.window.fetch("/api");
  assert.deepEqual(env.assigned, [LOGIN_FOR_PAGE], "a burst of denials is one visit");
  // Location.assign was called but the page is still here: the user stayed.
  env.dispatch("mousedown");
  await env.window.fetch("/api");
  assert.equal(env.assigned.length, 2, "a click re-arms");
  env.now += 5000;
  await env.window.fetch("/api");
  assert.equal(env.assigned.length, 3, "so does time, for a page that only polls");
});

test("Back restoring the page from the back/forward cache re-arms it", async () => {
  const env = openPage({ respond: () => answer(403, DENIED) });
  await env.window.fetch("/api");
  env.dispatch("pageshow", { persisted: true });
  await env.window.fetch("/api");
  assert.equal(env.assigned.length, 2);
});

// --- 3. Headers from an iterator ---------------------------------------------------

test("headers given as a generator or a Map iterator reach the network", async () => {
  const env = openPage();
  function* generated() { yield ["Authorization", "Bearer one"]; }
  await env.window.fetch("/api", { headers: generated() });
  await env.window.fetch("/api", { headers: new Map([["Authorization", "Bearer two"]]).entries() });
  await env.window.fetch("https://api.other.test/x", { headers: new Map([["Authorization", "Bearer three"]]).entries() });
  assert.deepEqual(env.requests.map((r) => r.headers.get("Authorization")), ["Bearer one", "Bearer two", "Bearer three"]);
});

test("an htmx fetch given headers as an iterator is still recognised as htmx", async () => {
  const env = openPage({
    respond: () => answer(403, { headers: { "HX-Redirect": "/login", "X-Login-Url": "/login" } }),
    before: (window) => { window.htmx = {}; },
  });
  await env.window.fetch("/api", { headers: new Map([["HX-Request", "true"]]).entries() });
  assert.deepEqual(env.assigned, [], "left to htmx");
  assert.equal(env.requests[0].headers.get("HX-Request"), "true");
});

// --- 4. Whose login URL, whose response ----------------------------------------------

test("a same-origin denial naming another site's login page goes to the script's own", async () => {
  const env = openPage({ respond: () => answer(401, { headers: { "X-Login-Url": "https://evil.example/login?next=/" } }) });
  await env.window.fetch("/api");
  assert.deepEqual(env.assigned, [LOGIN_FOR_PAGE]);
});

test("a login URL on the site of the configured login page (an external sign-in) is followed", async () => {
  const env = openPage({
    configs: [{ login: "https://sso.example.com/start" }],
    respond: () => answer(403, { headers: { "X-Login-Url": "https://sso.example.com/start?next=%2Fpage" } }),
  });
  await env.window.fetch("/api");
  assert.deepEqual(env.assigned, ["https://sso.example.com/start?next=%2Fpage"]);
});

test("a denial without a response URL is judged by the request's URL", async () => {
  const env = openPage({ respond: () => answer(403, { url: "", headers: { "X-Login-Url": "/login" }, body: "LOGIN_REQUIRED" }) });
  const foreign = xhr(env, "https://api.other.test/data");
  foreign.respond({ status: 403, headers: { "X-Login-Url": "/login" }, body: "LOGIN_REQUIRED", responseURL: "" });
  await env.window.fetch("https://api.other.test/data");
  assert.deepEqual(env.assigned, [], "another site's answer, with no responseURL (a polyfill), is ignored");
  const own = xhr(env, "/api");
  own.respond({ status: 403, headers: { "X-Login-Url": "/login" }, responseURL: "" });
  assert.deepEqual(env.assigned, [LOGIN_FOR_PAGE], "this site's is obeyed");
});

test("a response redirected to another site is ignored", async () => {
  const env = openPage({ respond: () => answer(401, { url: "https://api.other.test/x", headers: { "X-Login-Url": "/login" } }) });
  await env.window.fetch("/api");
  const request = xhr(env, "/api");
  request.respond({ status: 401, headers: { "X-Login-Url": "/login" }, responseURL: "https://api.other.test/x" });
  assert.deepEqual(env.assigned, []);
});

// --- 5. The return-to link --------------------------------------------------------------

test("a login URL without a return-to field gets one for this page", async () => {
  const env = openPage({ respond: () => answer(403, { headers: { "X-Login-Url": "/login" } }) });
  await env.window.fetch("/api");
  assert.deepEqual(env.assigned, [LOGIN_FOR_PAGE]);
});

test("the field is the one of the script whose login page it is; one already there is kept", async () => {
  let loginUrl = "/admin/login?tab=2";
  const env = openPage({
    configs: [{}, { sentinel: "ADMIN", login: "/admin/login", field: "return_to" }],
    respond: () => answer(403, { headers: { "X-Login-Url": loginUrl } }),
  });
  await env.window.fetch("/api");
  loginUrl = "/login?next=%2Felsewhere";
  env.dispatch("keydown");
  await env.window.fetch("/api");
  assert.deepEqual(env.assigned, ["/admin/login?tab=2&return_to=%2Fpage%3Fx%3D1", "/login?next=%2Felsewhere"]);
});

// --- 6. Fragments, clobbering, every field ---------------------------------------------------

test("a fallback login page with a fragment gets the return-to link before the fragment", async () => {
  const env = openPage({ configs: [{ login: "/login#form" }], respond: () => answer(403, { headers: { "Content-Type": "text/plain" }, body: "LOGIN_REQUIRED" }) });
  await env.window.fetch("/api");
  await settled();
  assert.deepEqual(env.assigned, ["/login?next=%2Fpage%3Fx%3D1#form"]);
});

test("an element with id=requireLogin does not stop the script", async () => {
  const env = openPage({
    before: (window) => { Object.setPrototypeOf(window, { requireLogin: { tagName: "DIV", id: "requireLogin" } }); },
    respond: () => answer(403, DENIED),
  });
  await env.window.fetch("/api");
  assert.deepEqual(env.assigned, [LOGIN_FOR_PAGE]);
});

test("on its login page, with another script's return-to field in the URL, the script does not reload it", async () => {
  const env = openPage({
    url: "http://app.test/login?return_to=%2Fa",
    configs: [{}, { sentinel: "ADMIN", field: "return_to" }],
    respond: () => answer(403, { headers: { "Content-Type": "text/plain" }, body: "LOGIN_REQUIRED" }),
  });
  await env.window.fetch("/api");
  await settled();
  assert.deepEqual(env.assigned, []);
});

// --- The loop breaker -------------------------------------------------------------------------

test("at most 3 automatic visits per tab in 30 s, then a console message and no more", async () => {
  const storage = new Map();
  let now = 1e9;
  const visit = async () => {
    const env = openPage({ storage, now, respond: () => answer(403, DENIED) });
    await env.window.fetch("/api");
    await env.window.fetch("/api");
    now += 2000;
    return env;
  };
  for (let i = 0; i < 3; i++) { assert.equal((await visit()).assigned.length, 1, `visit ${i + 1}`); }
  const stopped = await visit();
  assert.deepEqual(stopped.assigned, []);
  assert.equal(stopped.errors.length, 1, "said once why");
  assert.match(stopped.errors[0], /require-login: not going to \/login\?next=%2Fpage%3Fx%3D1 again: 3 automatic visits to a login page in 30 s/);
  now += 30000;
  assert.equal((await visit()).assigned.length, 1, "after the window, visits go again");
});

/** `before` for openPage: a sessionStorage that reads but refuses every write, as a full one does. */
function fullStorage(window) {
  window.sessionStorage.setItem = () => {
    const error = new Error("Failed to execute 'setItem' on 'Storage': exceeded the quota.");
    error.name = "QuotaExceededError";
    throw error;
  };
}

test("a full sessionStorage cannot keep the count that stops a loop: no automatic visit, one console message per page", async () => {
  const storage = new Map();
  let now = 1e9;
  // A login page that sends the browser straight back: a loop, page after page.
  for (let load = 1; load <= 5; load++) {
    const env = openPage({ storage, now, respond: () => answer(403, DENIED), before: fullStorage });
    for (let i = 0; i < 3; i++) { await env.window.fetch("/api"); env.dispatch("mousedown"); }
    assert.deepEqual(env.assigned, [], `page load ${load}: no automatic visit`);
    assert.equal(env.errors.length, 1, `page load ${load}: said once why`);
    assert.match(env.errors[0], /^require-login: not going to \/login\?next=%2Fpage%3Fx%3D1: sessionStorage cannot keep the count .*\(QuotaExceededError\)$/);
    now += 400;
  }
});

test("without sessionStorage (disabled) no automatic visit either, and one console message", async () => {
  const env = openPage({ respond: () => answer(403, DENIED), before: (window) => { Object.defineProperty(window, "sessionStorage", { get() { throw new Error("SecurityError"); } }); } });
  for (let i = 0; i < 5; i++) { await env.window.fetch("/api"); env.dispatch("mousedown"); }
  assert.deepEqual(env.assigned, []);
  assert.equal(env.errors.length, 1);
});

// --- What it always did ---------------------------------------------------------------------

test("a bare sentinel body (no X-Login-Url) goes to the fallback login, and the page still reads the body", async () => {
  const env = openPage({ respond: () => answer(403, { headers: { "Content-Type": "text/plain; charset=utf-8" }, body: "LOGIN_REQUIRED" }) });
  const response = await env.window.fetch("/api");
  assert.equal(await response.text(), "LOGIN_REQUIRED");
  await settled();
  assert.deepEqual(env.assigned, [LOGIN_FOR_PAGE]);
  const request = xhr(env, "/api");
  env.dispatch("mousedown");
  request.respond({ status: 403, body: "LOGIN_REQUIRED" });
  assert.equal(env.assigned.length, 2);
});

test("ordinary responses send the page nowhere", async () => {
  const env = openPage({ respond: () => answer(403, { headers: { "Content-Type": "text/plain" }, body: "you may not" }) });
  await env.window.fetch("/api");
  await env.window.fetch("/ok").catch(() => {});
  xhr(env, "/api").respond({ status: 500, headers: { "X-Login-Url": "/login" } });
  xhr(env, "/api").respond({ status: 403, body: "LOGIN_REQUIRED_NOT" });
  await settled();
  assert.deepEqual(env.assigned, []);
});

test("a second script adds its sentinel and login page to the first", async () => {
  const env = openPage({
    configs: [{}, { sentinel: "ADMIN", login: "/admin/login" }, { sentinel: "ADMIN", login: "/ignored" }],
    respond: () => answer(403, { headers: { "Content-Type": "text/plain" }, body: "ADMIN" }),
  });
  assert.equal(env.window.requireLogin.configs.length, 2);
  await env.window.fetch("/api");
  await settled();
  assert.deepEqual(env.assigned, ["/admin/login?next=%2Fpage%3Fx%3D1"]);
  assert.equal(env.requests.length, 1, "fetch wrapped once");
});

test("login URLs a parser would read as another host, or cannot read, are refused", async () => {
  for (const url of ["/\t/evil.example/login", "//evil.example/login", "/\\evil.example", "javascript:alert(1)", "https://[bad/login"]) {
    const env = openPage({ respond: () => answer(403, { headers: { "X-Login-Url": url } }) });
    await env.window.fetch("/api");
    assert.deepEqual(env.assigned, [LOGIN_FOR_PAGE], JSON.stringify(url));
  }
});

test("without the URL parser, this site's denials are still obeyed and other sites' ignored", async () => {
  const env = openPage({ respond: () => answer(403, DENIED), before: (window) => { window.URL = undefined; } });
  await env.window.fetch("/api");
  assert.deepEqual(env.assigned, [LOGIN_FOR_PAGE]);
  assert.equal(env.requests[0].headers.get("X-Requested-With"), "XMLHttpRequest");
  env.dispatch("mousedown");
  xhr(env, "https://api.other.test/x").respond({ status: 403, headers: { "X-Login-Url": "/login" }, responseURL: "" });
  assert.equal(xhr(env, "//api.other.test/x").requestHeaders["x-requested-with"], undefined);
  assert.equal(env.assigned.length, 1);
});

// --- Telling the page (form keeping listens) ----------------------------------------

/** `before` for openPage: a document that records the events dispatched on it. */
function recordAnnouncements(heard) {
  return (window) => {
    window.document.dispatchEvent = (event) => { heard.push([event.type, event.detail.url]); return true; };
    window.CustomEvent = class { constructor(type, init) { this.type = type; this.detail = init.detail; } };
  };
}

test("require-login:redirect is dispatched right before each visit to a login page, and only then", async () => {
  const heard = [];
  const env = openPage({ respond: () => answer(403, DENIED), before: recordAnnouncements(heard) });
  await env.window.fetch("/api");
  await env.window.fetch("/api"); // the same visit, already started: not again
  assert.deepEqual(heard, [["require-login:redirect", LOGIN_FOR_PAGE]]);
  assert.deepEqual(env.assigned, [LOGIN_FOR_PAGE]);
  const ordinary = openPage({ respond: () => answer(403, { body: "no" }), before: recordAnnouncements(heard) });
  await ordinary.window.fetch("/api");
  assert.equal(heard.length, 1, "an ordinary 403 is no visit");
});

test("an htmx denial is left to htmx but still announced; an htmx 403 without X-Login-Url is not", async () => {
  const heard = [];
  const env = openPage({
    respond: () => answer(403, { headers: { "HX-Redirect": "/login?next=%2Fpage", "X-Login-Url": "/login?next=%2Fpage" } }),
    before: (window) => { window.htmx = {}; recordAnnouncements(heard)(window); },
  });
  await env.window.fetch("/api", { headers: { "HX-Request": "true" } });
  xhr(env, "/api", { "HX-Request": "true" }).respond({ status: 403, headers: { "HX-Redirect": "/login?next=%2Fpage", "X-Login-Url": "/login" } });
  assert.deepEqual(env.assigned, [], "htmx follows HX-Redirect itself");
  assert.deepEqual(heard, [["require-login:redirect", "/login?next=%2Fpage"], ["require-login:redirect", "/login?next=%2Fpage"]]);
  xhr(env, "/api", { "HX-Request": "true" }).respond({ status: 403, headers: { "HX-Redirect": "/elsewhere" } });
  assert.equal(heard.length, 2, "an HX-Redirect that is no guard's denial");
});

test("a page whose document cannot dispatch events still goes to the login page", async () => {
  const env = openPage({ respond: () => answer(403, DENIED) });
  await env.window.fetch("/api");
  assert.deepEqual(env.assigned, [LOGIN_FOR_PAGE]);
});

// --- Streams (streams.js) ------------------------------------------------------

const ENDED = "require-login.session-ended";
const LOGIN_FOR_LIVE = "/login?next=%2Flive";

test("a stream's final event closes it, before it could reconnect, and goes to the login URL it names, once", async () => {
  const env = openPage({ streams: true });
  const source = new env.window.EventSource("/live/clock");
  source.fire(ENDED, { data: JSON.stringify({ login: LOGIN_FOR_LIVE, reason: "logged-out" }) });
  assert.equal(source.closed, true);
  source.fire(ENDED, { data: JSON.stringify({ login: LOGIN_FOR_LIVE }) });
  assert.deepEqual(env.assigned, [LOGIN_FOR_LIVE]);
  assert.equal(env.requests.length, 0, "no probe: the event said it all");
});

test("an EventSource that failed for good asks its URL again, and the denial is followed", async () => {
  const env = openPage({ streams: true, respond: () => answer(403, DENIED) });
  const source = new env.window.EventSource("/live/clock", { withCredentials: true });
  assert.deepEqual(source.options, { withCredentials: true }, "the page's options reach the browser");
  source.fire("error"); // reconnecting (CONNECTING): the browser retries, no probe
  assert.equal(env.requests.length, 0);
  source.readyState = 2;
  source.fire("error");
  await settled();
  assert.equal(env.requests.length, 1);
  assert.equal(env.requests[0].url, "http://app.test/live/clock");
  assert.equal(env.requests[0].headers.get("Accept"), "text/event-stream");
  assert.deepEqual(env.assigned, [LOGIN_FOR_PAGE]);
});

test("a probe answered with a live stream is let go at its headers, and sends the page nowhere", async () => {
  const env = openPage({ streams: true, respond: () => answer(200, { headers: { "Content-Type": "text/event-stream" } }) });
  const source = new env.window.EventSource("/live/clock");
  source.readyState = 2;
  source.fire("error");
  await settled();
  assert.equal(env.requests[0].signal.aborted, true);
  assert.deepEqual(env.assigned, []);
});

test("a socket closed with 4401 goes to the login URL of its reason; without one, to the script's login page", async () => {
  const env = openPage({ streams: true });
  const socket = new env.window.WebSocket("ws://app.test/live/echo", ["chat"]);
  assert.deepEqual(socket.options, ["chat"]);
  socket.fire("open");
  socket.fire("close", { code: 4401, reason: LOGIN_FOR_LIVE });
  assert.deepEqual(env.assigned, [LOGIN_FOR_LIVE]);
  const bare = openPage({ streams: true });
  const other = new bare.window.WebSocket("ws://app.test/live/echo");
  other.fire("close", { code: 4401, reason: "" });
  assert.deepEqual(bare.assigned, [LOGIN_FOR_PAGE]);
  assert.equal(bare.requests.length, 0);
});

test("a socket refused before it opened is asked again over HTTP; one that dropped after opening, or another site's, is not", async () => {
  const env = openPage({ streams: true, respond: () => answer(403, DENIED) });
  const dropped = new env.window.WebSocket("ws://app.test/live/echo");
  dropped.fire("open");
  dropped.fire("close", { code: 1006 });
  new env.window.WebSocket("ws://elsewhere.test/echo").fire("close", { code: 1006 });
  await settled();
  assert.equal(env.requests.length, 0);
  new env.window.WebSocket("ws://app.test/live/echo").fire("close", { code: 1006 });
  await settled();
  assert.deepEqual(env.requests.map((r) => r.url), ["http://app.test/live/echo"]);
  assert.deepEqual(env.assigned, [LOGIN_FOR_PAGE]);
});

test("the wrapped constructors keep instanceof and their constants; a second copy wraps nothing again", async () => {
  const env = openPage({ streams: true });
  vm.runInContext(STREAMS, env.context);
  const source = new env.window.EventSource("/live/clock");
  assert.ok(source instanceof env.window.EventSource);
  assert.equal(env.window.EventSource.CLOSED, 2);
  assert.equal(env.window.WebSocket.OPEN, 1);
  assert.equal((source.listeners[ENDED] || []).length, 1, "one listener, not one per copy");
});
