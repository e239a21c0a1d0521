// Unit tests of relogin.js in Node's own test runner:
//   node --test runtime/assets/relogin.test.js
// Each test loads require-login.js, its configuration call, and relogin.js
// into a fresh page (a vm context) with a recording fetch, a small DOM
// (metas, a dialog that records showModal/close) and a BroadcastChannel
// the test posts to. The Chromium suite (tests/tests/browser/relogin.rs)
// is the end-to-end proof: popup, XHR, jQuery, htmx, two tabs.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const vm = require("node:vm");

const CLIENT = fs.readFileSync(path.join(__dirname, "require-login.js"), "utf8") +
  '({sentinel: "LOGIN_REQUIRED", login: "/login", field: "next", mark: true});\n';
const RELOGIN = fs.readFileSync(path.join(__dirname, "relogin.js"), "utf8");
const DENIAL = { status: 403, headers: { "X-Login-Url": "/login?next=%2Fpage", "Content-Type": "text/plain" }, body: "LOGIN_REQUIRED" };

/** A small element: attributes, children, listeners. */
function element(tag) {
  return {
    tagName: tag, attributes: {}, children: [], listeners: {}, open: false,
    setAttribute(name, value) { this.attributes[name] = String(value); },
    getAttribute(name) { return this.attributes[name] === undefined ? null : this.attributes[name]; },
    appendChild(child) { this.children.push(child); return child; },
    addEventListener(type, listener) { (this.listeners[type] = this.listeners[type] || []).push(listener); },
    showModal() { this.open = true; },
    close() { this.open = false; },
    focus() {},
  };
}

/** A page with the owner `owner`, answering fetch with `respond(request, n)`. */
function openPage({ owner = "owner-ada", respond, texts }) {
  const env = { requests: [], assigned: [], reloads: 0, opened: [], channels: [] };
  const metas = { "require-login-owner": element("meta"), "csrf-token": element("meta") };
  metas["require-login-owner"].setAttribute("content", owner);
  metas["csrf-token"].setAttribute("content", "old-token");
  const byId = {};
  if (texts) { byId["require-login-relogin-text"] = { textContent: JSON.stringify(texts) }; }
  const body = element("body");
  body.appendChild = function (child) {
    const walk = (node) => { if (node.id) { byId[node.id] = node; } node.children.forEach(walk); };
    walk(child);
    body.children.push(child);
    return child;
  };
  const here = new URL("http://app.test/page");
  const window = {
    location: { href: here.href, origin: here.origin, pathname: here.pathname, search: "", assign(url) { env.assigned.push(url); }, reload() { env.reloads++; } },
    document: {
      baseURI: here.href, body,
      createElement: (tag) => element(tag),
      querySelector(selector) { const m = /name="([^"]+)"/.exec(selector); return m && owner !== null ? metas[m[1]] || null : m ? (m[1] === "csrf-token" ? metas["csrf-token"] : null) : null; },
      getElementById: (id) => byId[id] || null,
    },
    async fetch(input, init) {
      const request = new Request(typeof input === "string" ? new URL(input, here.href) : input, init);
      env.requests.push(request);
      const answer = respond(request, env.requests.length);
      const response = new Response(answer.body || "", { status: answer.status || 200, headers: answer.headers || {} });
      Object.defineProperty(response, "url", { value: request.url });
      return response;
    },
    open(url) { env.opened.push(url); return {}; },
    BroadcastChannel: class { constructor(name) { this.name = name; env.channels.push(this); } postMessage() {} },
    sessionStorage: { getItem: () => null, setItem: () => {} },
    // The give-up timer (minutes) must not keep Node running.
    setTimeout: (run, ms) => { const timer = setTimeout(run, ms); timer.unref(); return timer; },
    clearTimeout, Headers, Request, Response, URL, TextDecoder, WeakMap, AbortController, Error,
    console: { error() {} },
    Date,
    addEventListener() {},
  };
  window.window = window;
  env.window = window;
  env.metas = metas;
  env.byId = byId;
  env.context = vm.createContext(window);
  vm.runInContext(CLIENT, env.context);
  vm.runInContext(RELOGIN, env.context);
  env.loggedIn = (message) => { for (const channel of env.channels) { channel.onmessage({ data: message }); } };
  return env;
}

const settle = () => new Promise((resolve) => setImmediate(resolve));
async function settled() { for (let i = 0; i < 10; i++) { await settle(); } }
const OK = { status: 200, body: "done" };

test("a denied call waits, and goes through once with the new token when the same user logs in", async () => {
  const env = openPage({ respond: (request, n) => (n === 1 ? DENIAL : OK) });
  let answer = null;
  env.window.fetch("/api/echo", { method: "POST", headers: { "X-CSRF-Token": "old-token" }, body: "{}" })
    .then((r) => r.text()).then((text) => { answer = text; });
  await settled();
  assert.equal(answer, null, "the page has no answer yet");
  assert.equal(env.byId["require-login-relogin-login"] !== undefined, true);
  assert.equal(env.assigned.length, 0, "no visit to the login page");
  env.loggedIn({ type: "logged-in", owner: "owner-ada", csrf: "new-token" });
  await settled();
  assert.equal(answer, "done");
  assert.equal(env.requests.length, 2, "sent again once");
  assert.equal(env.requests[1].headers.get("X-CSRF-Token"), "new-token");
  assert.equal(await env.requests[1].text(), "{}", "with its body");
  assert.equal(env.metas["csrf-token"].getAttribute("content"), "new-token", "later calls read the new token");
});

test("only the exact denial is kept: an app's own 403, or one without the sentinel, reaches the page", async () => {
  for (const answer of [{ status: 403, body: "forbidden" }, { status: 403, headers: { "X-Login-Url": "/login" }, body: "other" }]) {
    const env = openPage({ respond: () => answer });
    const response = await env.window.fetch("/api");
    assert.equal(response.status, 403);
    assert.equal(env.requests.length, 1);
  }
});

test("another user logging in gets nothing sent again: the page reloads", async () => {
  const env = openPage({ respond: (request, n) => (n === 1 ? DENIAL : OK) });
  env.window.fetch("/api/echo", { method: "POST", body: "{}" });
  await settled();
  env.loggedIn({ type: "logged-in", owner: "owner-bob", csrf: "t" });
  await settled();
  assert.equal(env.requests.length, 1);
  assert.equal(env.reloads, 1);
});

test("a page without an owner tag sends nothing again either", async () => {
  const env = openPage({ owner: null, respond: (request, n) => (n === 1 ? DENIAL : OK) });
  env.window.fetch("/api");
  await settled();
  env.loggedIn({ type: "logged-in", owner: null, csrf: null });
  await settled();
  assert.equal(env.requests.length, 1);
  assert.equal(env.reloads, 1);
});

test("a streamed body is not sent again: the call fails with RequireLoginNotReplayed", async () => {
  const env = openPage({ respond: () => DENIAL });
  const stream = new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode("x")); c.close(); } });
  const failed = await env.window.fetch("/api/upload", { method: "POST", body: stream, duplex: "half" }).then(() => null, (e) => e);
  assert.equal(failed.name, "RequireLoginNotReplayed");
  env.loggedIn({ type: "logged-in", owner: "owner-ada", csrf: "t" });
  await settled();
  assert.equal(env.requests.length, 1, "never sent again");
});

test("calls made while the dialog is open wait unsent, and go once after the login", async () => {
  const env = openPage({ respond: (request, n) => (n === 1 ? DENIAL : OK) });
  env.window.fetch("/api/one");
  await settled();
  const second = env.window.fetch("/api/two").then((r) => r.status);
  await settled();
  assert.equal(env.requests.length, 1, "the second waits unsent");
  env.loggedIn({ type: "logged-in", owner: "owner-ada", csrf: "t" });
  assert.equal(await second, 200);
  assert.deepEqual(env.requests.map((r) => new URL(r.url).pathname), ["/api/one", "/api/one", "/api/two"]);
});

test("Go to the login page fails the kept calls with RequireLoginLeft and goes there", async () => {
  const env = openPage({ respond: () => DENIAL });
  const failed = env.window.fetch("/api").then(() => null, (e) => e.name);
  await settled();
  env.byId["require-login-relogin-leave"].onclick();
  assert.equal(await failed, "RequireLoginLeft");
  assert.deepEqual(env.assigned, ["/login?next=%2Fpage"]);
});

test("Log in again opens the login page in a popup coming back to the done page; a blocked popup is the round trip", async () => {
  const env = openPage({ respond: () => DENIAL });
  const first = env.window.fetch("/api").then(() => null, (e) => e.name);
  await settled();
  env.byId["require-login-relogin-login"].onclick();
  assert.deepEqual(env.opened, ["http://app.test/login?next=%2Frequire-login%2Frelogin-done"]);
  env.window.open = () => null;
  const failed = env.window.fetch("/api").then(() => null, (e) => e.name);
  await settled();
  env.byId["require-login-relogin-login"].onclick();
  assert.equal(env.assigned.length, 1, "blocked: to the login page");
  assert.equal(await failed, "RequireLoginPopupBlocked");
  assert.equal(await first, "RequireLoginPopupBlocked", "every kept call fails");
});

test("the page's own texts replace the dialog's, each one it gives", async () => {
  const env = openPage({ respond: () => DENIAL, texts: { title: "Session terminée", login: "Se reconnecter" } });
  env.window.fetch("/api").catch(() => {});
  await settled();
  assert.equal(env.byId["require-login-relogin-title"].textContent, "Session terminée");
  assert.equal(env.byId["require-login-relogin-login"].textContent, "Se reconnecter");
  assert.equal(env.byId["require-login-relogin-body"].textContent, "Log in again to continue.", "the others stay");
  const dialog = env.window.document.body.children[0];
  assert.equal(dialog.open, true);
  assert.equal(dialog.getAttribute("aria-labelledby"), "require-login-relogin-title");
  let prevented = false;
  dialog.listeners.cancel[0]({ preventDefault() { prevented = true; } });
  assert.equal(prevented, true, "Esc does not dismiss it");
});
