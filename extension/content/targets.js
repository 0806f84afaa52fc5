// Which elements need a name from us, and writing it: images (img, input, svg, canvas, role=img,
// CSS backgrounds, image-only links and buttons) without a useful text alternative, what the
// page says around them, and the marks that let the author's own markup be restored. DOM only,
// no messages. A classic script: it defines globalThis.A11yHelperTargets.
"use strict";

(() => {
  const R = globalThis.A11yHelperRules;

  const MARK = "data-a11y-helper";
  const ORIGINAL = "data-a11y-helper-original";
  const UI_ATTR = "data-a11y-helper-ui"; // on the host of our own live region and panel
  const CONTROLS = 'a[href], button, [role~="button" i], [role~="link" i]';

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

  /** Where to read an on-demand image from (a canvas: its own pixels), or null: from the screen. */
  function sourceFor(el) {
    if (el.tagName === "IMG" || el.tagName === "INPUT") {
      const s = urlSource(srcOf(el));
      if (s.kind === "url") return s;
    } else if (el.tagName === "CANVAS") {
      return globalThis.A11yHelperPixels.canvasSource(el);
    } else if (el.tagName !== "svg") {
      const url = backgroundUrl(el);
      if (url) {
        const s = urlSource(url);
        if (s.kind === "url") return s;
      }
    }
    return null; // read from the screen
  }

  globalThis.A11yHelperTargets = Object.freeze({
    MARK, ORIGINAL, UI_ATTR, CONTROLS,
    isOurUi, srcOf, srcKey, classify, context, machineMade, apply, restore, imageFor, sourceFor,
  });
})();
