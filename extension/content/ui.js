// Our own UI in the page: the live region that announces results and failures, and the panel
// that shows an image's text to review or copy. A classic script: it defines
// globalThis.A11yHelperUi.
"use strict";

(() => {
  const { UI_ATTR } = globalThis.A11yHelperTargets;

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

  globalThis.A11yHelperUi = Object.freeze({ announce, panel });
})();
