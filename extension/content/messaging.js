// Talking to the background context, which alone talks to the daemon. A classic script: it
// defines globalThis.A11yHelperMessaging.
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

  globalThis.A11yHelperMessaging = Object.freeze({ ask, pageLang });
})();
