// Unit tests of form keeping's decisions, in Node's own test runner:
//   node --test runtime/assets/keep-forms.test.js
// Each test loads keep-forms.js into a fresh page (a vm context) with a small
// stand-in DOM: fields, forms, meta tags, events, sessionStorage and clock.
// The Chromium suite (tests/tests/browser/forms.rs) is the end-to-end proof.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const vm = require("node:vm");

const SOURCE = fs.readFileSync(path.join(__dirname, "keep-forms.js"), "utf8");
// The script's own names (the crate checks them against its side,
// runtime/src/client/contract.rs).
const declared = (name) => SOURCE.match(new RegExp(`var ${name} = "([^"]+)"`))[1];
const PREFIX = declared("PREFIX");
const OWNER = declared("OWNER");
const MINUTE = 60 * 1000;

/** Listeners by type, as EventTarget keeps them. */
class Target {
  constructor() { this.listeners = {}; }
  addEventListener(type, listener) { (this.listeners[type] = this.listeners[type] || []).push(listener); }
  dispatchEvent(event) {
    if (!event.target) { event.target = this; }
    for (const listener of this.listeners[event.type] || []) { listener.call(this, event); }
    if (event.bubbles && this.parent) { this.parent.dispatchEvent(event); }
    return !event.defaultPrevented;
  }
}

/** An element: attributes, a parent, and `matches`/`closest`/`querySelectorAll` for
 * `tag`, `[name]`, `tag[name="value"]` and `:disabled`. */
class Element extends Target {
  constructor(tag, attributes = {}, parent = null) {
    super();
    this.tagName = tag.toUpperCase();
    this.attributes = Object.assign({}, attributes);
    this.parent = parent;
    this.children = [];
    this.style = {};
    if (parent) { parent.children.push(this); }
  }
  getAttribute(name) { return Object.prototype.hasOwnProperty.call(this.attributes, name) ? this.attributes[name] : null; }
  setAttribute(name, value) { this.attributes[name] = String(value); }
  matches(selector) {
    if (selector === ":disabled") {
      // A disabled field, or any in a disabled fieldset (its first legend aside).
      if (this.disabled) { return true; }
      for (let e = this.parent; e instanceof Element; e = e.parent) {
        if (e.tagName === "FIELDSET" && e.getAttribute("disabled") !== null) { return true; }
      }
      return false;
    }
    const match = /^(\w*)(?:\[([\w-]+)(?:="([^"]*)")?\])?$/.exec(selector);
    if (!match || !(match[1] || match[2])) { throw new Error("selector not supported by the stand-in: " + selector); }
    if (match[1] && match[1].toUpperCase() !== this.tagName) { return false; }
    if (!match[2]) { return true; }
    const value = this.getAttribute(match[2]);
    return value !== null && (match[3] === undefined || value === match[3]);
  }
  querySelectorAll(selector) { return all(this).slice(1).filter((e) => e.matches(selector)); }
  closest(selector) {
    for (let element = this; element instanceof Element; element = element.parent) { if (element.matches(selector)) { return element; } }
    return null;
  }
  get parentNode() { return this.parent; }
  appendChild(child) { child.parent = this; this.children.push(child); return child; }
  removeChild(child) { this.children = this.children.filter((c) => c !== child); child.parent = null; }
}

/** A form field; `value`/`checked`/`selected` start at their defaults. */
class Field extends Element {
  constructor(tag, attributes, parent, form, env) {
    super(tag, attributes, parent);
    this.env = env;
    this._type = tag === "input" ? (attributes.type || "text") : tag === "textarea" ? "textarea" :
      attributes.multiple !== undefined ? "select-multiple" : "select-one";
    this.name = attributes.name || "";
    this.id = attributes.id || "";
    this.form = form || null;
    this.disabled = attributes.disabled !== undefined;
    this.readOnly = attributes.readonly !== undefined;
    this.defaultValue = attributes.value || "";
    this.value = this.defaultValue;
    this.defaultChecked = attributes.checked !== undefined;
    this.checked = this.defaultChecked;
    this.fired = [];
  }
  dispatchEvent(event) { this.fired.push(event.type); return super.dispatchEvent(event); }
  get type() { return this._type; }
  /** As the DOM does: the type attribute changes, and observers hear of it. */
  set type(type) {
    const oldValue = this._type;
    this._type = type;
    this.attributes.type = type;
    for (const observer of this.env.observers) { observer.record({ type: "attributes", target: this, attributeName: "type", oldValue }); }
  }
}

/** A select's options: `[value, defaultSelected]` pairs. */
function addOptions(select, options) {
  select.options = options.map(([value, marked]) => ({ value, defaultSelected: !!marked, selected: !!marked }));
  if (select.type === "select-one" && !select.options.some((o) => o.selected)) { select.options[0].selected = true; }
  Object.defineProperty(select, "selectedIndex", { get: () => select.options.findIndex((o) => o.selected) });
}

/**
 * A page at `url` of one tab (`storage` is its sessionStorage, passed on
 * from page to page), rendered for `owner` ("" for no owner tag).
 * `build(page)` adds the page's forms and fields before the script runs.
 */
function openPage({ url = "http://app.test/draft", owner = "owner-a", storage = new Map(), now = 1e12, referrer = "",
  redirects = 0, build = () => {}, fields: returnFields = ["next"] } = {}) {
  const here = new URL(url);
  const html = new Element("html");
  const head = new Element("head", {}, html);
  const body = new Element("body", {}, html);
  const env = { storage, now, fields: [], forms: [], timers: [], observers: [], after: [] };
  const document = new Target();
  Object.assign(document, {
    readyState: "loading", referrer, documentElement: html, head, body, forms: env.forms,
    querySelector(selector) { return all(html).find((e) => e.matches(selector)) || null; },
    querySelectorAll(selector) {
      assert.equal(selector, "input,textarea,select");
      return env.fields.slice();
    },
    createElement(tag) { return new Element(tag); },
  });
  html.parent = document; // events bubble from the page to the document
  /** An owner tag, in the head unless said otherwise. */
  env.meta = (content, parent = head) => new Element("meta", { name: OWNER, content }, parent);
  if (owner) { env.meta(owner); }
  const window = new Target();
  Object.assign(window, {
    location: { href: here.href, origin: here.origin, pathname: here.pathname, search: here.search },
    document,
    requireLogin: { configs: returnFields.map((field) => ({ field, login: "/login" })) },
    sessionStorage: {
      get length() { return storage.size; },
      key: (i) => Array.from(storage.keys())[i] ?? null,
      getItem: (key) => (storage.has(key) ? storage.get(key) : null),
      setItem: (key, value) => { storage.set(key, String(value)); },
      removeItem: (key) => { storage.delete(key); },
    },
    Date: { now: () => env.now },
    setTimeout: (f, ms) => { const timer = { f, ms, at: env.now + ms }; env.timers.push(timer); return timer; },
    clearTimeout: (timer) => { env.timers = env.timers.filter((t) => t !== timer); },
    // How this page was reached: Navigation Timing's redirect count.
    performance: { getEntriesByType: (type) => (type === "navigation" ? [{ type: "navigate", redirectCount: redirects }] : []) },
    URL, JSON, Array, Object, String, Math,
    MutationObserver: class {
      constructor(callback) { this.callback = callback; this.records = []; }
      observe(target, options) { assert.equal(String(options.attributeFilter), "type"); env.observers.push(this); }
      record(record) { this.records.push(record); queueMicrotask(() => { const r = this.takeRecords(); if (r.length) { this.callback(r); } }); }
      takeRecords() { const records = this.records; this.records = []; return records; }
    },
    Event: class { constructor(type, init = {}) { this.type = type; this.bubbles = !!init.bubbles; this.cancelable = !!init.cancelable; this.defaultPrevented = false; this.isTrusted = false; } preventDefault() { if (this.cancelable) { this.defaultPrevented = true; } } },
  });
  window.CustomEvent = class extends window.Event { constructor(type, init = {}) { super(type, init); this.detail = init.detail; } };
  document.parent = window; // and from the document to the window
  window.window = window;
  env.window = window;
  env.document = document;
  env.body = body;
  /** A form in the body. */
  env.form = (attributes = {}, parent = body) => {
    const form = new Element("form", attributes, parent);
    env.forms.push(form);
    return form;
  };
  /** A field in `parent` (a form, or any element), belonging to `form`. */
  env.field = (tag, attributes = {}, parent = body, form = parent.tagName === "FORM" ? parent : null) => {
    const field = new Field(tag, attributes, parent, form, env);
    env.fields.push(field);
    return field;
  };
  /** What the user does to `field`: its value (or `checked`, or a select's
   * chosen option) set, then the browser's own input and change events. */
  env.type = (field, value) => {
    if (typeof value === "boolean") { field.checked = value; }
    else if (field.options) { field.options.forEach((o) => { o.selected = o.value === value; }); }
    else { field.value = value; }
    for (const type of ["input", "change"]) {
      const event = new window.Event(type, { bubbles: true });
      event.isTrusted = true;
      field.dispatchEvent(event);
    }
  };
  build(env);
  env.context = vm.createContext(window);
  vm.runInContext(SOURCE, env.context);
  // What `build` had the user do, once the script is there to see it.
  env.after.forEach((f) => f());
  /** The page has loaded: the script settles what is kept and restores. */
  env.load = () => { document.readyState = "interactive"; document.dispatchEvent(new window.Event("DOMContentLoaded")); return env; };
  /** The client script is about to go to the login page. */
  env.redirect = () => { document.dispatchEvent(new window.CustomEvent("require-login:redirect", { detail: { url: "/login" } })); };
  /** A submit of `form`, cancelled by a script when `cancelled`. */
  env.submit = (form, cancelled = false) => {
    const event = new window.Event("submit", { bubbles: true, cancelable: true });
    event.target = form;
    if (cancelled) { event.preventDefault(); }
    form.dispatchEvent(event);
  };
  env.kept = () => {
    const out = {};
    for (const [key, value] of storage) { if (key.startsWith(PREFIX)) { out[key.slice(PREFIX.length)] = JSON.parse(value); } }
    return out;
  };
  env.notice = () => body.children.find((c) => c.id === "require-login-notice") || null;
  /** Time passes by `ms`; the timers due run. */
  env.wait = (ms) => {
    env.now += ms;
    for (const timer of env.timers.filter((t) => t.at <= env.now)) { env.timers = env.timers.filter((t) => t !== timer); timer.f(); }
  };
  return env;
}

function all(element) { return [element].concat(...element.children.map(all)); }

/** The draft page of the demo, more or less; `typed` fills it in. */
function draft(env, { typed = false } = {}) {
  const form = env.form({ id: "draft", method: "post" });
  const f = {
    csrf: env.field("input", { type: "hidden", name: "csrf_token", value: "token-1" }, form),
    title: env.field("input", { name: "title" }, form),
    body: env.field("textarea", { name: "body" }, form),
    priority: env.field("select", { name: "priority" }, form),
    urgent: env.field("input", { type: "checkbox", name: "urgent", value: "yes" }, form),
    small: env.field("input", { type: "radio", name: "size", value: "s", checked: "" }, form),
    large: env.field("input", { type: "radio", name: "size", value: "l" }, form),
    pin: env.field("input", { type: "password", name: "pin" }, form),
  };
  addOptions(f.priority, [["low"], ["normal", true], ["high"]]);
  if (typed) { env.after.push(() => typeDraft(env)); }
  env.draft = f;
  return f;
}

/** The user fills in the draft; a script changes the CSRF field. */
function typeDraft(env) {
  const f = env.draft;
  env.type(f.title, "Shopping list");
  env.type(f.body, "milk");
  env.type(f.priority, "high");
  env.type(f.urgent, true);
  f.small.checked = false; // the browser unchecks the group's other radio button
  env.type(f.large, true);
  env.type(f.pin, "4711");
  f.csrf.value = "changed-by-a-script";
}

// Each kept value with the value the page had rendered.
const TYPED = {
  "draft\ntitle\n1": ["Shopping list", ""],
  "draft\nbody\n1": ["milk", ""],
  "draft\npriority\n1": [["high"], ["normal"]],
  "draft\nurgent\n=yes": [true, false],
  "draft\nsize\n=l": [true, false],
};

test("a redirect to the login page keeps text, textarea, select, checkbox and radio values, not passwords or hidden fields", () => {
  const page = openPage({ build: (env) => draft(env) }).load();
  typeDraft(page);
  page.redirect();
  assert.deepEqual(page.kept(), { "/draft": { owner: "owner-a", at: 1e12, pending: false, values: TYPED } });
});

test("never kept: files, buttons, disabled and read-only fields, one-time codes, payment cards, fields without a name", () => {
  const page = openPage({
    build: (env) => {
      const form = env.form({ id: "f" });
      for (const attributes of [
        { type: "file", name: "upload" }, { type: "submit", name: "go" }, { type: "button", name: "b" },
        { type: "reset", name: "r" }, { type: "image", name: "i" }, { name: "off", disabled: "" },
        { name: "ro", readonly: "" }, { name: "otp", autocomplete: "one-time-code" },
        { name: "card", autocomplete: "billing cc-number" }, { name: "exp", autocomplete: "CC-EXP" }, {},
      ]) { env.field("input", attributes, form); }
      env.field("input", { name: "kept" }, form);
    },
  }).load();
  page.fields.forEach((field) => { page.type(field, "typed"); });
  page.redirect();
  assert.deepEqual(page.kept()["/draft"].values, { "f\nkept\n1": ["typed", ""] });
});

test('data-require-login-keep="off" on a field, a form, a field\'s form elsewhere, or the page keeps nothing of them', () => {
  const build = (env) => {
    const open = env.form({ id: "open" });
    env.field("input", { name: "kept" }, open);
    env.field("input", { name: "marked", "data-require-login-keep": "off" }, open);
    const closed = env.form({ id: "closed", "data-require-login-keep": "off" });
    env.field("input", { name: "inside" }, closed);
    env.field("input", { name: "outside", form: "closed" }, env.body, closed);
    const fieldset = new Element("fieldset", { "data-require-login-keep": "off" }, open);
    env.field("input", { name: "in-fieldset" }, fieldset, open);
  };
  const page = openPage({ build }).load();
  page.fields.forEach((field) => { page.type(field, "typed"); });
  page.redirect();
  assert.deepEqual(page.kept()["/draft"].values, { "open\nkept\n1": ["typed", ""] });

  const whole = openPage({ build: (env) => { env.body.setAttribute("data-require-login-keep", "off"); draft(env, { typed: true }); } }).load();
  whole.redirect();
  assert.deepEqual(whole.kept(), {}, "a page marked off keeps nothing");
});

test("nothing is kept on a page without an owner tag, or when nothing was changed", () => {
  const ownerless = openPage({ owner: "", build: (env) => draft(env, { typed: true }) }).load();
  ownerless.redirect();
  assert.deepEqual(ownerless.kept(), {});
  const untouched = openPage({ build: (env) => draft(env) }).load();
  untouched.redirect();
  assert.deepEqual(untouched.kept(), {});
});

test("fields are keyed by form id, name or position, and by their place among fields of one name", () => {
  const page = openPage({
    url: "http://app.test/list?page=2",
    build: (env) => {
      const named = env.form({ name: "named" });
      env.field("input", { name: "item" }, named);
      env.field("input", { name: "item" }, named);
      const anonymous = env.form({});
      env.field("input", { id: "by-id" }, anonymous);
      env.field("input", { name: "loose" });
    },
  }).load();
  page.fields.forEach((field, i) => { page.type(field, "v" + i); });
  page.redirect();
  assert.deepEqual(page.kept()["/list?page=2"].values, {
    "named\nitem\n1": ["v0", ""], "named\nitem\n2": ["v1", ""], "#1\nby-id\n1": ["v2", ""], "\nloose\n1": ["v3", ""],
  });
});

test("a plain submit keeps the values as pending; a submit a script cancelled keeps nothing", () => {
  const page = openPage({ build: (env) => draft(env, { typed: true }) }).load();
  const form = page.forms[0];
  page.submit(form, true);
  assert.deepEqual(page.kept(), {}, "htmx and frameworks cancel the submit they take over");
  page.submit(form);
  assert.equal(page.kept()["/draft"].pending, true);
});

/** A tab in which the draft was typed and submitted (or sent to login by a denial when `denied`). */
function afterDraft({ denied = false, owner = "owner-a" } = {}) {
  const storage = new Map();
  const page = openPage({ storage, owner, build: (env) => draft(env, { typed: true }) }).load();
  if (denied) { page.redirect(); } else { page.submit(page.forms[0]); }
  return storage;
}

/** The login page as the answer to the draft's submit: the guard's redirect from /draft. */
function loginAnswer(storage, { now = 1e12 + 1000, url = "http://app.test/login?next=%2Fdraft", referrer = "http://app.test/draft", redirects = 1 } = {}) {
  return openPage({ storage, url, referrer, redirects, owner: "", now }).load();
}

test("a pending submit answered with the login page is confirmed there, and restored back on the page", () => {
  const storage = afterDraft();
  const login = loginAnswer(storage);
  assert.equal(login.kept()["/draft"].pending, false, "confirmed on the login page");
  const back = openPage({ storage, now: 1e12 + MINUTE * 10, build: (env) => draft(env) }).load();
  assert.equal(back.draft.title.value, "Shopping list");
  assert.deepEqual(back.kept(), {}, "restored once");
});

test("a pending submit answered with anything but its login page is dropped: a successful submit leaves nothing", () => {
  for (const [url, referrer] of [
    ["http://app.test/draft?saved=1", "http://app.test/draft"], // the usual 303 after a successful POST
    ["http://app.test/draft", "http://app.test/draft"], // the page again, with errors
    ["http://app.test/login?next=%2Fother", "http://app.test/draft"], // another page's login
    ["http://app.test/elsewhere", "http://evil.test/login?next=%2Fdraft"], // another site's page
  ]) {
    const storage = afterDraft();
    const page = openPage({ storage, url, referrer, redirects: 1, owner: url.includes("login") ? "" : "owner-a", now: 1e12 + 1000 }).load();
    assert.deepEqual(page.kept(), {}, url);
  }
  const late = afterDraft();
  assert.deepEqual(loginAnswer(late, { now: 1e12 + 3 * MINUTE }).kept(), {}, "a login page minutes after the submit is not its answer");
});

// --- Issue 20: review findings ----------------------------------------------------

test("a password shown as text is never kept, nor any field whose autocomplete names a password, a one-time code or a passkey", async () => {
  const build = (env) => {
    const form = env.form({ id: "f" });
    env.pin = env.field("input", { type: "password", name: "pin" }, form);
    env.shown = env.field("input", { type: "password", name: "shown" }, form);
    for (const autocomplete of ["current-password", "new-password", "one-time-code", "username webauthn", "section-a NEW-PASSWORD"]) {
      env.field("input", { name: autocomplete, autocomplete }, form);
    }
    env.field("input", { name: "kept", autocomplete: "username" }, form);
  };
  const page = openPage({ build }).load();
  page.type(page.pin, "47");
  page.pin.type = "text"; // "show password", then more typing, then at once the denial
  page.type(page.pin, "4711");
  page.shown.type = "text"; // shown before anything was typed
  await new Promise((resolve) => setImmediate(resolve)); // the observer hears of it
  page.type(page.shown, "secret");
  for (const field of page.fields.slice(2)) { page.type(field, "typed"); }
  page.redirect();
  assert.deepEqual(page.kept()["/draft"].values, { "f\nkept\n1": ["typed", ""] });
});

test("fields in a disabled fieldset are neither kept nor restored; only fields the user changed are kept", () => {
  const build = (env) => {
    const form = env.form({ id: "f" });
    env.fieldset = new Element("fieldset", {}, form);
    env.locked = env.field("input", { name: "locked" }, env.fieldset, form);
    env.city = env.field("input", { name: "city", value: "Berlin" }, form); // prefilled by the server
    env.note = env.field("input", { name: "note" }, form);
    env.title = env.field("input", { name: "title" }, form);
  };
  const page = openPage({ build }).load();
  page.type(page.locked, "typed before the fieldset was disabled");
  page.fieldset.setAttribute("disabled", "");
  page.note.value = "set by a script";
  page.type(page.title, "Shopping list");
  page.redirect();
  assert.deepEqual(page.kept()["/draft"].values, { "f\ntitle\n1": ["Shopping list", ""] });

  const storage = new Map([[PREFIX + "/draft", JSON.stringify({ owner: "owner-a", at: 1e12, pending: false,
    values: { "f\nlocked\n1": ["kept earlier", ""], "f\ntitle\n1": ["Shopping list", ""] } })]]);
  const back = openPage({ storage, now: 1e12 + 1000, build: (env) => { build(env); env.fieldset.setAttribute("disabled", ""); } }).load();
  assert.equal(back.locked.value, "", "a disabled fieldset's field is not filled in");
  assert.equal(back.title.value, "Shopping list");
});

test("the owner comes from <head> only: a tag in the body names no one, and two in the head name no one", () => {
  const copied = afterDraft({ denied: true });
  const injected = openPage({ storage: copied, owner: "", build: (env) => { draft(env); env.meta("owner-a", env.body); } }).load();
  assert.equal(injected.draft.title.value, "", "a copied tag in user content gets nothing");
  assert.ok(injected.kept()["/draft"], "and takes nothing away");

  const typedUnder = openPage({ owner: "", build: (env) => { draft(env, { typed: true }); env.meta("owner-a", env.body); } }).load();
  typedUnder.redirect();
  assert.deepEqual(typedUnder.kept(), {}, "nothing is kept under a tag in the body");

  for (const second of ["owner-a", "owner-b"]) {
    const both = openPage({ build: (env) => { env.meta(second); draft(env, { typed: true }); } }).load();
    both.redirect();
    assert.deepEqual(both.kept(), {}, `two owner tags (owner-a, ${second}): nothing kept`);
    const twice = openPage({ storage: afterDraft({ denied: true }), build: (env) => { env.meta(second); draft(env); } }).load();
    assert.equal(twice.draft.title.value, "", `two owner tags (owner-a, ${second}): nothing restored`);
  }
});

test("a successful submit whose answer runs no script is never restored later, whichever way the tab comes back", () => {
  // Answered by a page without the script (/thanks); then, within the two
  // minutes, to the login page by a link or a plain-link logout from there,
  // or back to the draft after a login page without the script.
  for (const [what, url, referrer, redirects] of [
    ["a link from /thanks", "http://app.test/login?next=%2Fdraft", "http://app.test/thanks", 0],
    ["a plain-link logout on /thanks", "http://app.test/login?next=%2Fdraft", "http://app.test/thanks", 1],
    ["back from a login page without the script", "http://app.test/draft", "http://app.test/login?next=%2Fdraft", 1],
  ]) {
    const storage = afterDraft();
    const later = openPage({ storage, url, referrer, redirects, owner: url.includes("login") ? "" : "owner-a", now: 1e12 + 30000,
      build: (env) => draft(env) }).load();
    assert.equal(later.draft.title.value, "", `${what}: nothing restored there`);
    assert.deepEqual(later.kept(), {}, `${what}: dropped at once`);
    const back = openPage({ storage, now: 1e12 + 60000, build: (env) => draft(env) }).load();
    assert.equal(back.draft.title.value, "", `${what}: nothing restored`);
  }
});

test("a submit answered with a page that carries next=<the form's page> but is no login page is not the login redirect", () => {
  const storage = afterDraft();
  const done = loginAnswer(storage, { url: "http://app.test/draft/done?next=%2Fdraft" });
  assert.deepEqual(done.kept(), {});
  const back = openPage({ storage, now: 1e12 + 60000, build: (env) => draft(env) }).load();
  assert.equal(back.draft.title.value, "");
});

test("entries out of time are deleted while a page stays open, and never restored", () => {
  const storage = afterDraft({ denied: true });
  const login = loginAnswer(storage);
  login.wait(29 * MINUTE);
  assert.ok(login.kept()["/draft"], "kept for 30 minutes");
  login.wait(MINUTE);
  assert.deepEqual(login.kept(), {}, "deleted at 30 minutes by the page still open");

  const pending = openPage({ build: (env) => draft(env, { typed: true }) }).load();
  pending.submit(pending.forms[0]); // and the page stays (the navigation was cancelled)
  pending.wait(2 * MINUTE + 1);
  assert.deepEqual(pending.kept(), {}, "an unanswered submit's values go after two minutes");

  // A time in the future (the clock was set back since): out of time.
  const future = new Map([[PREFIX + "/draft", JSON.stringify({ owner: "owner-a", at: 1e12 + 60 * MINUTE, pending: false,
    values: { "draft\ntitle\n1": ["Shopping list", ""] } })]]);
  const back = openPage({ storage: future, build: (env) => draft(env) }).load();
  assert.equal(back.draft.title.value, "");
  assert.deepEqual(back.kept(), {});
});

test("kept values expire after 30 minutes", () => {
  const storage = afterDraft({ denied: true });
  const back = openPage({ storage, now: 1e12 + 31 * MINUTE, build: (env) => draft(env) }).load();
  assert.equal(back.draft.title.value, "", "not restored");
  assert.deepEqual(back.kept(), {});
});

test("another user's page restores nothing and drops the first user's values; a page with no owner keeps them", () => {
  const storage = afterDraft({ denied: true });
  openPage({ storage, url: "http://app.test/login?next=%2Fdraft", owner: "" }).load();
  assert.ok(storage.size > 0, "kept across the login page");
  const other = openPage({ storage, url: "http://app.test/elsewhere", owner: "owner-b" }).load();
  assert.deepEqual(other.kept(), {}, "dropped on another user's page");
  const storage2 = afterDraft({ denied: true });
  const bobs = openPage({ storage: storage2, owner: "owner-b", build: (env) => draft(env) }).load();
  assert.equal(bobs.draft.title.value, "");
  assert.equal(bobs.notice(), null);
});

test("restoring fills only fields still as rendered, fires input and change, tells the page, shows the notice", () => {
  const storage = afterDraft({ denied: true });
  const heard = [];
  const back = openPage({
    storage,
    build: (env) => {
      draft(env);
      env.draft.body.defaultValue = env.draft.body.value = "rendered by the server";
      env.document.addEventListener("require-login:restored", (event) => { heard.push(Array.from(event.detail.fields, (f) => f.name)); });
    },
  });
  back.draft.title.value = "typed on this page already";
  back.load();
  assert.equal(back.draft.body.value, "rendered by the server", "a field the page now fills differently is left alone");
  assert.equal(back.draft.title.value, "typed on this page already", "a field the user touched is left alone");
  assert.deepEqual(back.draft.priority.options.filter((o) => o.selected).map((o) => o.value), ["high"]);
  assert.equal(back.draft.urgent.checked, true);
  assert.equal(back.draft.large.checked, true);
  assert.equal(back.draft.pin.value, "");
  assert.equal(back.draft.csrf.value, "token-1", "the hidden field keeps the new session's token");
  assert.deepEqual(back.draft.urgent.fired, ["input", "change"]);
  assert.deepEqual(back.draft.title.fired, []);
  assert.deepEqual(heard, [["priority", "urgent", "size"]]);
  assert.match(back.notice().textContent, /put back/);
  assert.equal(back.notice().getAttribute("role"), "status");
  assert.equal(back.timers[0].ms, 8000, "the notice goes away by itself");
  back.timers[0].f();
  assert.equal(back.notice(), null);
});

test("the page turns the notice off by cancelling the event or with data-require-login-notice=off", () => {
  const cancelled = openPage({
    storage: afterDraft({ denied: true }),
    build: (env) => { draft(env); env.document.addEventListener("require-login:restored", (e) => e.preventDefault()); },
  }).load();
  assert.equal(cancelled.draft.title.value, "Shopping list");
  assert.equal(cancelled.notice(), null);
  const marked = openPage({
    storage: afterDraft({ denied: true }),
    build: (env) => { draft(env); env.body.setAttribute("data-require-login-notice", "off"); },
  }).load();
  assert.equal(marked.draft.title.value, "Shopping list");
  assert.equal(marked.notice(), null);
});

test("logging out discards everything kept in the tab", () => {
  const storage = afterDraft({ denied: true });
  const page = openPage({ storage, url: "http://app.test/logout", owner: "", build: (env) => { env.logout = env.form({ "data-require-login-logout": "" }); } }).load();
  const button = new Element("button", {}, page.logout);
  const click = new page.window.Event("click", { bubbles: true });
  click.target = button;
  page.document.dispatchEvent(click);
  assert.deepEqual(page.kept(), {});

  const byScript = afterDraft({ denied: true });
  const other = openPage({ storage: byScript, url: "http://app.test/elsewhere", owner: "" }).load();
  other.document.dispatchEvent(new other.window.Event("require-login:logout"));
  assert.deepEqual(other.kept(), {});
});

test("a second copy of the script keeps and restores once", () => {
  const page = openPage({ build: (env) => draft(env, { typed: true }) });
  vm.runInContext(SOURCE, page.context);
  page.load();
  page.submit(page.forms[0]);
  assert.equal(Object.keys(page.kept()).length, 1);
  assert.equal((page.window.listeners.submit || []).length, 1, "one submit listener");
});

