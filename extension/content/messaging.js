// Talking to the rest of the extension: requests to the background context (which alone talks
// to the daemon), and the settings that say whether the automatic pass runs on this site. A
// classic script: it defines globalThis.A11yHelperMessaging.
"use strict";

(() => {
  const api = globalThis.browser ?? globalThis.chrome;

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

  /** Is the automatic pass on here: the (managed, else user) switch and this site's own? */
  async function autoEnabledHere() {
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

  globalThis.A11yHelperMessaging = Object.freeze({ ask, pageLang, autoEnabledHere });
})();
