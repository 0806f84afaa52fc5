// "Read the text in this image" (the shortcut and the context menu): which image is meant, reading
// it (from its URL, or from the screen when that fails), and saying the text or why not. A
// classic script: it defines globalThis.A11yHelperOnDemand.
"use strict";

(() => {
  if (globalThis.A11yHelperOnDemand) return;

  const R = globalThis.A11yHelperRules;
  const { imageFor, srcOf, sourceFor } = globalThis.A11yHelperTargets;
  const { ask, pageLang } = globalThis.A11yHelperMessaging;
  const { captureSource } = globalThis.A11yHelperScreen;
  const { announce, panel } = globalThis.A11yHelperUi;

  const isTop = window === window.top;

  let lastContextTarget = null;
  let lastPointerTarget = null;
  document.addEventListener("contextmenu", (ev) => {
    lastContextTarget = ev.composedPath()[0];
  }, true);
  document.addEventListener("pointerover", (ev) => {
    lastPointerTarget = ev.target;
  }, { capture: true, passive: true });

  /** Read the image the message means; `automaticPassIsReading(el)` keeps its aria-busy. */
  async function readOnDemand(msg, automaticPassIsReading) {
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
    if (!automaticPassIsReading(el)) el.removeAttribute("aria-busy");
    if (reply.ok) {
      const text = (reply.result.text || "").trim();
      if (text) {
        panel.show(text);
        announce(`Text in image: ${R.normalise(text).replace(/[.!?]*$/, ".")}${shortcut}`);
      } else {
        panel.hide();
        announce(reply.result.unreadLines > 0 ? "This image has text that could not be read." : "No text found in this image.");
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

  globalThis.A11yHelperOnDemand = Object.freeze({ read: readOnDemand });
})();
