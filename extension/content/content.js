// Content script, the automatic pass: finds images without a useful text alternative
// (targets.js), has the background (it alone talks to the daemon) read them, and names them.
// It writes only on elements with no useful name of their own: alt or aria-label ("Image
// text: …", "Image, no text found. …"), data-a11y-helper and data-a11y-helper-original (to
// restore the author's markup), aria-busy while reading, role="img" on <svg>/<canvas>.
"use strict";

(() => {
  if (globalThis.__a11yHelperContent) return;
  globalThis.__a11yHelperContent = true;

  const api = globalThis.browser ?? globalThis.chrome;
  const R = globalThis.A11yHelperRules;
  const { MARK, ORIGINAL, CONTROLS, isOurUi, srcKey, classify, context, machineMade, apply, restore } =
    globalThis.A11yHelperTargets;
  const { ask, pageLang, autoEnabledHere } = globalThis.A11yHelperMessaging;
  const { captureSource, captureWhenPainted, movedSince, tiny, onScreen, whollyOnScreen } = globalThis.A11yHelperScreen;
  const { canvasSource } = globalThis.A11yHelperPixels;
  const OnDemand = globalThis.A11yHelperOnDemand;

  const CONCURRENCY = 4; // requests this page has open at once
  const MUTATION_DELAY_MS = 250; // DOM changes are looked at in batches, at most this often
  const MUTATION_BATCH = 400;
  const CANDIDATES =
    'img, input[type="image" i], svg, canvas, [role~="img" i], a[href], button, [role~="button" i], [role~="link" i]';
  const WATCHED_ATTRS = ["src", "srcset", "alt", "aria-label", "aria-labelledby", "role", "aria-hidden", "hidden", "title", "style", "class"];

  const isTop = window === window.top;

  // el -> {state, target?, written?, src?, forceCapture?, retries}
  // states: queued, busy, named, loading, unrendered, tiny, needs-visible, waiting, failed
  const entries = new Map();
  const queued = new Set();
  const visible = new Set();
  let active = 0;
  let ioReady = false;
  let enabled = false;
  let askedToWait = false;

  // ---------------------------------------------------------------- the automatic pass

  const io = new IntersectionObserver((records) => {
    ioReady = true;
    for (const r of records) {
      const el = r.target;
      if (r.isIntersecting) {
        visible.add(el);
        const entry = entries.get(el);
        if (entry && ["unrendered", "needs-visible"].includes(entry.state)) enqueue(el, entry);
      } else {
        visible.delete(el);
      }
    }
    pump();
  }, { rootMargin: "200px" });

  // Pictures read from the screen (SVG, canvases whose pixels cannot be read) must be wholly in
  // view when captured: a second observer, without margin, watches those until they are.
  const screenIo = new IntersectionObserver((records) => {
    for (const r of records) {
      if (!onScreen(r)) continue;
      screenIo.unobserve(r.target);
      const el = screenOwners.get(r.target) ?? r.target;
      screenOwners.delete(r.target);
      const entry = entries.get(el);
      if (entry?.state === "needs-visible") {
        visible.add(el);
        enqueue(el, entry);
      }
    }
    pump();
  }, { threshold: [0, 0.5, 0.98, 1] });

  const screenOwners = new Map(); // the element measured -> the element named

  function watchScreen(el, measured) {
    screenOwners.set(measured, el);
    screenIo.unobserve(measured);
    screenIo.observe(measured);
  }

  function enqueue(el, entry) {
    entry.state = "queued";
    queued.add(el);
  }

  function consider(el) {
    if (entries.has(el)) return;
    if (!classify(el)) return;
    const entry = { state: "queued", retries: 0 };
    entries.set(el, entry);
    queued.add(el);
    io.observe(el);
  }

  function forget(el) {
    entries.delete(el);
    queued.delete(el);
    visible.delete(el);
    io.unobserve(el);
  }

  function scan(root) {
    if (!enabled || !(root instanceof Element) || isOurUi(root)) return;
    if (root.matches(CANDIDATES)) consider(root);
    for (const el of root.querySelectorAll(CANDIDATES)) consider(el);
  }

  function nextElement() {
    for (const el of visible) {
      if (queued.has(el)) return el;
    }
    // Everything in view is done (or waiting): now the rest, in the background.
    if (!ioReady) return null;
    for (const el of queued) {
      if (!el.isConnected) {
        forget(el);
        continue;
      }
      return el;
    }
    return null;
  }

  function pump() {
    while (enabled && active < CONCURRENCY) {
      const el = nextElement();
      if (!el) break;
      queued.delete(el);
      process(el);
    }
  }

  async function process(el) {
    const entry = entries.get(el);
    if (!entry) return;
    const target = classify(el);
    if (!target) {
      forget(el);
      return;
    }
    if (el.tagName === "IMG" && !el.complete) {
      entry.state = "loading";
      el.addEventListener("load", () => {
        if (entries.get(el) === entry && entry.state === "loading") {
          enqueue(el, entry);
          pump();
        }
      }, { once: true });
      return;
    }
    if (el.tagName === "IMG" && el.naturalWidth === 0) {
      entry.state = "failed"; // a broken image
      return;
    }
    const measured = target.measure ?? el;
    const rect = measured.getBoundingClientRect();
    if (rect.width === 0 && rect.height === 0) {
      entry.state = "unrendered"; // shown later: the IntersectionObserver tells us
      return;
    }
    if (tiny(rect)) {
      entry.state = "tiny";
      return;
    }
    const inView = visible.has(el);
    let source = target.kind === "canvas" && !entry.forceCapture ? canvasSource(el) ?? target.source : target.source;
    if (source.kind === "capture" || entry.forceCapture) {
      if (!isTop) {
        entry.state = "failed"; // a frame's rectangle is not the tab's: only URLs work there
        return;
      }
      if (!whollyOnScreen(rect) || document.visibilityState !== "visible") {
        entry.state = "needs-visible";
        watchScreen(el, measured);
        return;
      }
      source = captureSource(measured);
    }
    entry.state = "busy";
    entry.measured = measured;
    active += 1;
    el.setAttribute("aria-busy", "true");
    if (source.kind === "capture") source = await captureWhenPainted(measured);
    const reply = source
      ? await ask({ type: "read", source, priority: inView ? "visible" : "background", lang: pageLang() })
      : { ok: false, code: "not_visible" };
    active -= 1;
    el.removeAttribute("aria-busy");
    if (entries.get(el) !== entry || !enabled) {
      pump();
      return;
    }
    if (reply.ok && source.kind === "capture" && movedSince(measured, source)) {
      handleFailure(el, entry, source, { code: "moved" }); // read again where it is now
    } else if (reply.ok) {
      const { result } = reply;
      const label = R.normalise(result.text) ? machineMade(result) : R.noTextName(context(el, target), result.unreadLines > 0);
      if (apply(el, target, label)) {
        entry.state = "named";
        entry.written = label;
        entry.attr = target.attr;
        entry.src = srcKey(el);
      } else {
        forget(el);
        consider(el);
      }
    } else {
      handleFailure(el, entry, source, reply);
    }
    pump();
  }

  function handleFailure(el, entry, source, reply) {
    switch (reply.code) {
      case "daemon_unavailable":
      case "not_paired":
        entry.state = "waiting";
        if (!askedToWait) {
          askedToWait = true;
          ask({ type: "wait-daemon" });
        }
        break;
      case "unsupported_format":
      case "decode_failed":
      case "fetch_failed":
      case "unsupported_source":
        if (source.kind === "url") {
          entry.forceCapture = true; // read what is on the screen instead
          enqueue(el, entry);
        } else {
          entry.state = "failed";
        }
        break;
      case "not_visible":
      case "capture_failed":
        entry.state = "needs-visible";
        watchScreen(el, entry.measured ?? el);
        break;
      case "moved": // the page moved it while the screen was captured
      case "no_answer": // the background restarted while it had our request
      case "cancelled": // shared with a tab that closed
      case "timeout":
        if (entry.retries++ < 2) enqueue(el, entry);
        else entry.state = "failed";
        break;
      default:
        entry.state = "failed"; // too large, busy for long, ...: the page stays as it was
    }
  }

  // The background may have been stopped by the browser meanwhile (and forgotten that this
  // page waits): coming back to the page tries again too.
  function retryWaitingOnReturn() {
    if (document.visibilityState !== "visible") return;
    for (const entry of entries.values()) {
      if (entry.state === "waiting") {
        retryWaiting();
        return;
      }
    }
  }
  document.addEventListener("visibilitychange", retryWaitingOnReturn);
  window.addEventListener("focus", retryWaitingOnReturn);

  function retryWaiting() {
    askedToWait = false;
    for (const [el, entry] of entries) {
      if (entry.state === "waiting") enqueue(el, entry);
    }
    pump();
  }

  // ---------------------------------------------------------------- DOM changes

  const addedRoots = new Set();
  const changed = new Set();
  let flushTimer = null;
  let lastFlush = 0;

  function ourOwnWrite(el, attr) {
    const entry = entries.get(el);
    if (!entry || entry.state !== "named") return attr === "role" && el.getAttribute(MARK) === "named";
    if (attr === entry.attr) return el.getAttribute(attr) === entry.written;
    return attr === "role";
  }

  const mo = new MutationObserver((records) => {
    for (const r of records) {
      if (r.type === "childList") {
        for (const n of r.addedNodes) if (n.nodeType === 1) addedRoots.add(n);
      } else if (!ourOwnWrite(r.target, r.attributeName)) {
        changed.add(r.target);
      }
    }
    if (addedRoots.size || changed.size) scheduleFlush();
  });

  function scheduleFlush() {
    if (flushTimer) return;
    const wait = Math.max(0, lastFlush + MUTATION_DELAY_MS - Date.now());
    flushTimer = setTimeout(flush, wait);
  }

  function flush() {
    flushTimer = null;
    lastFlush = Date.now();
    let budget = MUTATION_BATCH;
    for (const el of changed) {
      if (budget-- <= 0) break;
      changed.delete(el);
      if (!el.isConnected || isOurUi(el)) continue;
      const entry = entries.get(el);
      if (entry?.state === "named") {
        if (el.getAttribute(entry.attr) !== entry.written) {
          // The author named it now: theirs wins, our marks go.
          el.removeAttribute(MARK);
          el.removeAttribute(ORIGINAL);
          forget(el);
          continue;
        }
        if (srcKey(el) === entry.src) continue;
        restore(el); // a new picture: the old name is wrong
      }
      if (entry) forget(el);
      scan(el);
      const control = el.parentElement?.closest(CONTROLS);
      if (control) {
        if (entries.has(control) && entries.get(control).state !== "named") forget(control);
        consider(control);
      }
    }
    for (const root of addedRoots) {
      if (budget <= 0) break;
      addedRoots.delete(root);
      if (!root.isConnected) continue;
      budget -= 1;
      scan(root);
      const control = root.parentElement?.closest(CONTROLS);
      if (control) consider(control);
    }
    if (addedRoots.size || changed.size) scheduleFlush();
    pump();
  }

  // ---------------------------------------------------------------- on/off

  function start() {
    if (enabled) return;
    enabled = true;
    mo.observe(document.documentElement, { childList: true, subtree: true, attributes: true, attributeFilter: WATCHED_ATTRS });
    scan(document.documentElement);
    pump();
  }

  function stop() {
    if (!enabled) return;
    enabled = false;
    mo.disconnect();
    io.disconnect();
    screenIo.disconnect();
    screenOwners.clear();
    for (const el of document.querySelectorAll(`[${MARK}]`)) restore(el);
    entries.clear();
    queued.clear();
    visible.clear();
    ioReady = false;
  }

  async function refreshEnabled() {
    if (await autoEnabledHere()) start();
    else stop();
  }

  api.storage.onChanged.addListener((changes, area) => {
    if (area === "local" && ("auto" in changes || "sites" in changes)) refreshEnabled();
    if (area === "managed") refreshEnabled();
  });

  // ---------------------------------------------------------------- messages

  api.runtime.onMessage.addListener((msg) => {
    if (msg?.type === "daemon-ready") retryWaiting();
    else if (msg?.type === "read-target") OnDemand.read(msg, (el) => entries.get(el)?.state === "busy");
  });

  refreshEnabled();
})();
