// Content script: finds images without a useful text alternative, asks the background
// context to read them (it alone talks to the daemon), and gives each one an accessible name.
// It also answers "Read the text in this image" (shortcut, context menu) through a live region.
//
// What it writes, and only on elements that had no useful name of their own:
//   alt / aria-label = "Image text: …" (or "Image, no text found. …")
//   data-a11y-helper="named" and data-a11y-helper-original (to restore the author's markup)
//   aria-busy="true" while the image is being read; role="img" on an unnamed <svg>/<canvas>.
"use strict";

(() => {
  if (globalThis.__a11yHelperContent) return;
  globalThis.__a11yHelperContent = true;

  const api = globalThis.browser ?? globalThis.chrome;
  const R = globalThis.A11yHelperRules;

  const MARK = "data-a11y-helper";
  const ORIGINAL = "data-a11y-helper-original";
  const UI_ATTR = "data-a11y-helper-ui";
  const MIN_SIZE = 32; // images smaller than this both ways are icons or spacers
  const MIN_THIN = 8; // thinner than this is a rule or a tracking pixel
  const CONCURRENCY = 4; // requests this page has open at once
  const MUTATION_DELAY_MS = 250; // DOM changes are looked at in batches, at most this often
  const MUTATION_BATCH = 400;
  const CANDIDATES =
    'img, input[type="image" i], svg, canvas, [role~="img" i], a[href], button, [role~="button" i], [role~="link" i]';
  const CONTROLS = 'a[href], button, [role~="button" i], [role~="link" i]';
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

  // ---------------------------------------------------------------- names and roles

  function role(el) {
    return (el.getAttribute("role") || "").trim().toLowerCase().split(/\s+/)[0];
  }

  function hiddenFromAT(el) {
    if (el.closest('[aria-hidden="true" i], [hidden], [inert]')) return true;
    const r = role(el);
    return r === "presentation" || r === "none";
  }

  function isOurUi(el) {
    return Boolean(el.closest?.(`[${UI_ATTR}]`));
  }

  function labelledByText(el) {
    const ids = (el.getAttribute("aria-labelledby") || "").trim();
    if (!ids) return "";
    return R.normalise(ids.split(/\s+/).map((id) => document.getElementById(id)?.textContent ?? "").join(" "));
  }

  /** Text a screen reader would find inside `el` (ignoring aria-hidden parts and our marks). */
  function innerText(el) {
    let text = "";
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n && text.length < 200; n = walker.nextNode()) {
      const parent = n.parentElement;
      if (!parent || parent.closest("script, style, noscript, template")) continue;
      if (parent.closest('[aria-hidden="true" i]') && el.contains(parent.closest('[aria-hidden="true" i]'))) continue;
      text += n.data;
    }
    return R.normalise(text);
  }

  function srcOf(el) {
    if (el.tagName === "IMG") return el.currentSrc || el.src || "";
    if (el.tagName === "INPUT") return el.src || "";
    return backgroundUrl(el) || "";
  }

  function backgroundUrlOf(el) {
    const bg = getComputedStyle(el).backgroundImage;
    if (!bg || bg === "none") return null;
    const m = /url\(\s*(["']?)(.*?)\1\s*\)/.exec(bg);
    if (!m) return null;
    try {
      return new URL(m[2], document.baseURI).href;
    } catch {
      return null;
    }
  }

  /** A CSS background image on `el` or, for controls, on one of its first descendants. */
  function backgroundUrl(el) {
    const own = backgroundUrlOf(el);
    if (own) return own;
    if (!el.matches(CONTROLS)) return null;
    let n = 0;
    for (const child of el.querySelectorAll("*")) {
      if (++n > 12) break;
      const url = backgroundUrlOf(child);
      if (url) return url;
    }
    return null;
  }

  /** What the picture is, to notice when a page swaps it under a name we gave. */
  function srcKey(el) {
    if (el.tagName === "IMG" || el.tagName === "INPUT") return `${el.getAttribute("src")}|${el.getAttribute("srcset")}`;
    return backgroundUrl(el) || "";
  }

  function looksSvg(url) {
    return /^data:image\/svg/i.test(url) || /\.svgz?([?#]|$)/i.test(url);
  }

  function urlSource(url) {
    return url && /^(https?|data|file):/i.test(url) && !looksSvg(url) ? { kind: "url", url } : { kind: "capture" };
  }

  /**
   * Does `el` need a name from us? Returns the target {kind, attr, before, addRole, source} or
   * null: it has a useful name, it is decorative or hidden, or it is not an image at all.
   */
  function classify(el) {
    if (!(el instanceof Element) || isOurUi(el) || hiddenFromAT(el)) return null;
    if (el.hasAttribute(MARK) && el.getAttribute(MARK) === "named") return null;
    if (labelledByText(el)) return null;
    const ariaLabel = el.getAttribute("aria-label");
    const hasAriaLabel = ariaLabel !== null && R.normalise(ariaLabel) !== "";
    const tag = el.tagName.toLowerCase();
    const src = tag === "img" || tag === "input" ? srcOf(el) : "";
    if (hasAriaLabel && R.isUseful(ariaLabel, src)) return null;
    const title = el.getAttribute("title");

    if (tag === "img" || (tag === "input" && (el.getAttribute("type") || "").toLowerCase() === "image")) {
      if (!src) return null;
      const alt = el.getAttribute("alt");
      const kind = R.classifyAlt(alt, src);
      if (kind === "decorative" && !hasAriaLabel) return null;
      if (kind === "useful" && !hasAriaLabel) return null;
      if (kind === "missing" && !hasAriaLabel && title && R.isUseful(title, src)) return null;
      const attr = hasAriaLabel ? "aria-label" : "alt";
      return { kind: tag, attr, before: el.getAttribute(attr), addRole: false, source: urlSource(src) };
    }
    if (tag === "svg") {
      if (el.ownerSVGElement) return null; // nested <svg>: the outermost one is the image
      const svgTitle = el.querySelector(":scope > title")?.textContent;
      if (svgTitle && R.isUseful(svgTitle)) return null;
      if (R.normalise(Array.from(el.querySelectorAll("text"), (t) => t.textContent).join(" "))) return null;
      if (title && R.isUseful(title)) return null;
      const control = el.parentElement?.closest(CONTROLS);
      if (control) return null; // an icon in a link or button: the control gets the name
      return { kind: "svg", attr: "aria-label", before: ariaLabel, addRole: role(el) !== "img", source: { kind: "capture" } };
    }
    if (tag === "canvas") {
      if (title && R.isUseful(title)) return null;
      if (innerText(el)) return null; // fallback content names it
      return { kind: "canvas", attr: "aria-label", before: ariaLabel, addRole: role(el) !== "img", source: { kind: "capture" } };
    }
    if (role(el) === "img") {
      if (title && R.isUseful(title)) return null;
      const url = backgroundUrl(el);
      return { kind: "role-img", attr: "aria-label", before: ariaLabel, addRole: false, source: urlSource(url) };
    }
    if (el.matches(CONTROLS)) {
      if (title && R.isUseful(title)) return null;
      if (innerText(el)) return null;
      // An image inside names the control once it has a name itself: that image is the target.
      for (const inner of el.querySelectorAll('img, input[type="image" i], canvas, [role~="img" i]')) {
        if (!hiddenFromAT(inner)) return null;
      }
      const svg = Array.from(el.querySelectorAll("svg")).find((s) => !s.ownerSVGElement && !hiddenFromAT(s));
      if (svg) {
        const svgTitle = svg.querySelector(":scope > title")?.textContent;
        if (svgTitle && R.isUseful(svgTitle)) return null;
        return { kind: "control", attr: "aria-label", before: ariaLabel, addRole: false, source: { kind: "capture" }, measure: svg };
      }
      const url = backgroundUrl(el);
      if (!url) return null;
      return { kind: "control", attr: "aria-label", before: ariaLabel, addRole: false, source: urlSource(url) };
    }
    return null;
  }

  /** What the page itself says about an image, for one whose text is empty. */
  function context(el, target) {
    const figure = el.closest("figure");
    const caption = figure?.querySelector("figcaption")?.textContent ?? "";
    const control = el.closest("a[href], button");
    let linkText = "";
    if (control && control !== el) linkText = innerText(control);
    if (!linkText && control?.href) linkText = R.meaningfulFileName(control.href) ?? "";
    const src = target.source.kind === "url" ? target.source.url : srcOf(el);
    return { caption, title: el.getAttribute("title") ?? "", linkText, src };
  }

  // ---------------------------------------------------------------- writing names

  /** The daemon's alt, always recognisable as machine-made by its "Image text:" start. */
  function machineMade(result) {
    const alt = R.normalise(result.alt);
    return /^image text:/i.test(alt) ? alt : `Image text: ${R.normalise(result.text)}`;
  }

  function apply(el, target, label) {
    if (el.getAttribute(target.attr) !== target.before) return false; // the author changed it
    if (!el.hasAttribute(ORIGINAL)) {
      el.setAttribute(ORIGINAL, JSON.stringify({ attr: target.attr, value: target.before, role: el.getAttribute("role") }));
    }
    el.setAttribute(target.attr, label);
    if (target.addRole) el.setAttribute("role", "img");
    el.setAttribute(MARK, "named");
    return true;
  }

  function restore(el) {
    const saved = el.getAttribute(ORIGINAL);
    if (saved) {
      try {
        const { attr, value, role: oldRole } = JSON.parse(saved);
        if (value === null) el.removeAttribute(attr);
        else el.setAttribute(attr, value);
        if (oldRole === null) el.removeAttribute("role");
        else el.setAttribute("role", oldRole);
      } catch {
        // not ours to guess
      }
    }
    el.removeAttribute(ORIGINAL);
    el.removeAttribute(MARK);
    el.removeAttribute("aria-busy");
  }

  // ---------------------------------------------------------------- talking to the background

  async function ask(message) {
    try {
      const reply = await api.runtime.sendMessage(message);
      return reply ?? { ok: false, code: "no_answer", message: "No answer from the extension." };
    } catch (err) {
      // The service worker restarted while it had our request: try again once.
      return { ok: false, code: "no_answer", message: String(err?.message ?? err) };
    }
  }

  function pageLang() {
    const lang = (document.documentElement.getAttribute("lang") || "").trim();
    return /^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(lang) ? lang : undefined;
  }

  function viewportRect(rect) {
    const x = Math.max(0, rect.left);
    const y = Math.max(0, rect.top);
    const right = Math.min(window.innerWidth, rect.right);
    const bottom = Math.min(window.innerHeight, rect.bottom);
    return { x, y, width: Math.max(0, right - x), height: Math.max(0, bottom - y) };
  }

  function captureSource(el) {
    const rect = viewportRect(el.getBoundingClientRect());
    return { kind: "capture", rect, viewport: { width: window.innerWidth, height: window.innerHeight } };
  }

  function tiny(rect) {
    return (rect.width < MIN_SIZE && rect.height < MIN_SIZE) || Math.min(rect.width, rect.height) < MIN_THIN;
  }

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

  // Pictures read from the screen (canvas, SVG) must be wholly in view when captured: a second
  // observer, without margin, watches those until they are.
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

  function onScreen(r) {
    return r.isIntersecting && (r.intersectionRatio >= 0.98 ||
      r.intersectionRect.height >= 0.9 * window.innerHeight || r.intersectionRect.width >= 0.9 * window.innerWidth);
  }

  function whollyOnScreen(rect) {
    const w = Math.min(window.innerWidth, rect.right) - Math.max(0, rect.left);
    const h = Math.min(window.innerHeight, rect.bottom) - Math.max(0, rect.top);
    if (w <= 0 || h <= 0) return false;
    return (w * h) / Math.max(1, rect.width * rect.height) >= 0.98 || h >= 0.9 * window.innerHeight ||
      w >= 0.9 * window.innerWidth;
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
    let source = target.source;
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
    const reply = await ask({ type: "read", source, priority: inView ? "visible" : "background", lang: pageLang() });
    active -= 1;
    el.removeAttribute("aria-busy");
    if (entries.get(el) !== entry || !enabled) {
      pump();
      return;
    }
    if (reply.ok) {
      const { result } = reply;
      const label = R.normalise(result.text) ? machineMade(result) : R.noTextName(context(el, target));
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

  async function readEnabled() {
    try {
      const { auto, sites } = await api.storage.local.get(["auto", "sites"]);
      let managedAuto;
      try {
        managedAuto = (await api.storage.managed.get("auto"))?.auto;
      } catch {
        managedAuto = undefined;
      }
      const global = typeof managedAuto === "boolean" ? managedAuto : auto !== false;
      return global && !(sites && sites[location.hostname] === false);
    } catch {
      return false;
    }
  }

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
    if (await readEnabled()) start();
    else stop();
  }

  api.storage.onChanged.addListener((changes, area) => {
    if (area === "local" && ("auto" in changes || "sites" in changes)) refreshEnabled();
    if (area === "managed") refreshEnabled();
  });

  // ---------------------------------------------------------------- on demand

  let lastContextTarget = null;
  let lastPointerTarget = null;
  document.addEventListener("contextmenu", (ev) => {
    lastContextTarget = ev.composedPath()[0];
  }, true);
  document.addEventListener("pointerover", (ev) => {
    lastPointerTarget = ev.target;
  }, { capture: true, passive: true });

  /** The image that `node` is, or that it holds (a link or button around an image). */
  function imageFor(node) {
    let el = node instanceof Element ? node : node?.parentElement;
    if (!el || isOurUi(el)) return null;
    const svg = el.closest("svg");
    if (svg) {
      let outer = svg;
      while (outer.ownerSVGElement) outer = outer.ownerSVGElement;
      return outer;
    }
    for (let depth = 0; el && depth < 4; depth++, el = el.parentElement) {
      if (el.matches('img, input[type="image" i], canvas, [role~="img" i]')) return el;
      const inner = el.querySelector('img, input[type="image" i], canvas, svg, [role~="img" i]');
      if (inner && el.matches(CONTROLS)) return inner;
      if (backgroundUrlOf(el)) return el;
      if (el.matches(CONTROLS)) return backgroundUrl(el) ? el : null;
    }
    return null;
  }

  function sourceFor(el) {
    if (el.tagName === "IMG" || el.tagName === "INPUT") {
      const s = urlSource(srcOf(el));
      if (s.kind === "url") return s;
    } else if (!["svg", "CANVAS"].includes(el.tagName)) {
      const url = backgroundUrl(el);
      if (url) {
        const s = urlSource(url);
        if (s.kind === "url") return s;
      }
    }
    return null; // read from the screen
  }

  async function readOnDemand(msg) {
    const shortcut = msg.shortcut ? ` Press ${msg.shortcut} again to review or copy it.` : "";
    if (msg.via === "command") {
      if (isTop && document.activeElement?.tagName === "IFRAME") return; // that frame answers
      if (!isTop && !document.hasFocus()) return;
      // Pressed again without moving: go to the text, to review or copy it.
      if (panel.isOpen() && document.activeElement === panel.focusAtShow) {
        panel.focusText();
        return;
      }
    }
    let el = null;
    if (msg.via === "menu") {
      if (msg.srcUrl) {
        const fromTarget = imageFor(lastContextTarget);
        el = fromTarget && srcOf(fromTarget) === msg.srcUrl
          ? fromTarget
          : Array.from(document.images).find((img) => (img.currentSrc || img.src) === msg.srcUrl) ?? null;
      } else {
        el = imageFor(lastContextTarget);
      }
    } else {
      // The focused element; the mouse pointer only when nothing has the focus (a stale
      // pointer must not win over where a screen reader user is).
      const focused = document.activeElement;
      const nothingFocused = !focused || focused === document.body || focused === document.documentElement;
      el = imageFor(focused) ?? (nothingFocused ? imageFor(lastPointerTarget) : null);
    }
    if (!el) {
      panel.hide();
      announce("No image here. Move focus to an image, or to a link or button with an image, or right-click the image, then try again.");
      return;
    }
    announce("Reading the text in the image…");
    el.setAttribute("aria-busy", "true");
    let source = sourceFor(el);
    let reply = source ? await ask({ type: "read", source, priority: "visible", lang: pageLang() }) : null;
    if (!reply || (!reply.ok && ["unsupported_format", "decode_failed", "fetch_failed", "unsupported_source"].includes(reply.code))) {
      if (!isTop) {
        reply = { ok: false, code: "not_visible" };
      } else {
        el.scrollIntoView({ block: "nearest", inline: "nearest" });
        await new Promise((r) => requestAnimationFrame(() => r()));
        source = captureSource(el);
        reply = await ask({ type: "read", source, priority: "visible", lang: pageLang() });
      }
    }
    if (entries.get(el)?.state !== "busy") el.removeAttribute("aria-busy");
    if (reply.ok) {
      const text = (reply.result.text || "").trim();
      if (text) {
        panel.show(text);
        announce(`Text in image: ${R.normalise(text).replace(/[.!?]*$/, ".")}${shortcut}`);
      } else {
        panel.hide();
        announce("No text found in this image.");
      }
      return;
    }
    const words = {
      daemon_unavailable: "The image could not be read: the a11y-helper daemon is not running. Start it with: a11y-helper serve.",
      not_paired: "The image could not be read: this browser is not paired with a11y-helper. Open the extension's options to pair it.",
      not_visible: "The image could not be read: it is not on the screen. Scroll to it and try again.",
      too_large: "The image is too large to read.",
    };
    announce(words[reply.code] ?? `The image could not be read. ${reply.message ?? ""}`.trim());
  }

  // The live region and the panel live in a shadow root so that the page's styles leave them
  // alone. The live region is created before anything is put in it (screen readers announce
  // changes, not content that appears with the region).
  let uiRoot = null;
  let liveRegion = null;

  function ensureUi() {
    if (uiRoot) return uiRoot;
    const host = document.createElement("div");
    host.setAttribute(UI_ATTR, "");
    uiRoot = host.attachShadow({ mode: "open" });
    const style = document.createElement("style");
    style.textContent = `
      :host { all: initial; }
      .visually-hidden { position: absolute; width: 1px; height: 1px; margin: -1px; padding: 0;
        overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
      section { position: fixed; right: 16px; bottom: 16px; z-index: 2147483647; box-sizing: border-box;
        width: min(34em, calc(100vw - 32px)); padding: 12px 16px; font: 16px/1.5 system-ui, sans-serif;
        color: #111; background: #fff; border: 3px solid #1a4e8a; border-radius: 8px;
        box-shadow: 0 4px 18px rgba(0, 0, 0, .35); }
      section[hidden] { display: none; }
      h2 { margin: 0 0 8px; font-size: 18px; }
      textarea { box-sizing: border-box; width: 100%; min-height: 6em; font: inherit; color: #111;
        background: #fff; border: 2px solid #555; border-radius: 4px; padding: 6px; }
      .row { display: flex; gap: 8px; margin-top: 8px; align-items: center; }
      button { font: inherit; padding: 6px 14px; color: #fff; background: #1a4e8a; border: 2px solid #1a4e8a;
        border-radius: 4px; cursor: pointer; }
      button.secondary { color: #1a4e8a; background: #fff; }
      :focus-visible, textarea:focus { outline: 3px solid #c8400e; outline-offset: 2px; }
      @media (forced-colors: active) { section, button, textarea { border-color: CanvasText; } }
    `;
    liveRegion = document.createElement("div");
    liveRegion.className = "visually-hidden";
    liveRegion.setAttribute("role", "status");
    liveRegion.setAttribute("aria-live", "polite");
    liveRegion.setAttribute("aria-atomic", "true");
    uiRoot.append(style, liveRegion, panel.build());
    (document.body ?? document.documentElement).append(host);
    return uiRoot;
  }

  let announceTimer = null;
  function announce(text) {
    const fresh = !uiRoot;
    ensureUi();
    clearTimeout(announceTimer);
    liveRegion.textContent = "";
    announceTimer = setTimeout(() => {
      liveRegion.textContent = text;
    }, fresh ? 150 : 50);
  }

  const panel = (() => {
    let section = null;
    let textarea = null;
    let returnFocus = null;
    return {
      build() {
        section = document.createElement("section");
        section.setAttribute("aria-labelledby", "a11y-helper-heading");
        section.hidden = true;
        const h = document.createElement("h2");
        h.id = "a11y-helper-heading";
        h.textContent = "Text in image";
        textarea = document.createElement("textarea");
        textarea.readOnly = true;
        textarea.setAttribute("aria-labelledby", "a11y-helper-heading");
        const row = document.createElement("div");
        row.className = "row";
        const copy = document.createElement("button");
        copy.type = "button";
        copy.textContent = "Copy text";
        copy.addEventListener("click", () => this.copy());
        const close = document.createElement("button");
        close.type = "button";
        close.className = "secondary";
        close.textContent = "Close";
        close.addEventListener("click", () => this.hide(true));
        row.append(copy, close);
        section.append(h, textarea, row);
        section.addEventListener("keydown", (ev) => {
          if (ev.key === "Escape") {
            ev.stopPropagation();
            this.hide(true);
          }
        });
        return section;
      },
      isOpen() {
        return Boolean(section && !section.hidden);
      },
      focusAtShow: null,
      show(text) {
        ensureUi();
        this.focusAtShow = document.activeElement;
        textarea.value = text;
        section.hidden = false;
      },
      focusText() {
        returnFocus = document.activeElement;
        textarea.focus();
        textarea.select();
      },
      hide(restoreFocus = false) {
        if (!section) return;
        section.hidden = true;
        this.focusAtShow = null;
        if (restoreFocus && returnFocus?.isConnected) returnFocus.focus();
        returnFocus = null;
      },
      async copy() {
        try {
          await navigator.clipboard.writeText(textarea.value);
        } catch {
          textarea.focus();
          textarea.select();
          document.execCommand("copy");
        }
        announce("Copied.");
      },
    };
  })();

  // ---------------------------------------------------------------- messages

  api.runtime.onMessage.addListener((msg) => {
    if (msg?.type === "daemon-ready") retryWaiting();
    else if (msg?.type === "read-target") readOnDemand(msg);
  });

  refreshEnabled();
})();
