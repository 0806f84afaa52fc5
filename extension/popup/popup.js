import { api, getSettings, setAuto, setSiteEnabled, siteEnabled } from "../src/settings.js";
import { readShortcut, showStatus } from "../ui/status.js";

const $ = (id) => document.getElementById(id);

function say(text) {
  $("message").textContent = "";
  setTimeout(() => {
    $("message").textContent = text;
  }, 30);
}

async function activeHost() {
  try {
    const [tab] = await api.tabs.query({ active: true, currentWindow: true });
    const url = new URL(tab?.url ?? "");
    return /^(https?|file):$/.test(url.protocol) ? url.hostname || "local files" : null;
  } catch {
    return null;
  }
}

async function fill() {
  const [settings, host] = await Promise.all([getSettings(), activeHost()]);
  $("auto").checked = settings.auto;
  $("auto").disabled = settings.managed.auto;
  const site = $("site");
  if (host) {
    site.disabled = false;
    site.checked = siteEnabled(settings, host);
    site.dataset.host = host;
    $("site-label").textContent = `Name images on ${host}`;
    $("site-hint").textContent = settings.auto ? "" : "Automatic naming is off on all sites; turn it on below.";
  } else {
    site.disabled = true;
    site.checked = false;
    $("site-label").textContent = "Name images on this page";
    $("site-hint").textContent = "The browser does not let extensions change this page.";
  }
}

$("site").addEventListener("change", async (ev) => {
  const host = ev.target.dataset.host;
  await setSiteEnabled(host, ev.target.checked);
  say(ev.target.checked ? `Images on ${host} will be named.` : `Images on ${host} are left as the site made them.`);
});

$("auto").addEventListener("change", async (ev) => {
  await setAuto(ev.target.checked);
  await fill();
  say(ev.target.checked ? "Images will be named automatically." : "Images will be read only when you ask.");
});

$("options").addEventListener("click", () => {
  api.runtime.openOptionsPage();
  window.close();
});

api.runtime.onMessage.addListener((msg) => {
  if (msg?.type === "status") showStatus($("status"), msg.status);
});

(async () => {
  $("shortcut-text").textContent = await readShortcut();
  await fill();
  showStatus($("status"), await api.runtime.sendMessage({ type: "get-status", check: true }));
})();
