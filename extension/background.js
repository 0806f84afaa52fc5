// The background context (a service worker in Chromium, an event page in Firefox): the only
// part of the extension that talks to the daemon. Content scripts ask it to read images;
// the options page and the popup ask it for the connection state and to pair.

import { Daemon, DaemonError } from "./src/daemon.js";
import { ImageError, bytesFromUrl, captureCrop } from "./src/images.js";
import { api, forgetToken, getSettings, saveToken, savePort, validPort } from "./src/settings.js";

const daemon = new Daemon();

// Answers by image address, in memory only and bounded, so that an image shown on many pages
// (or many times on one) is read once per browser session. Nothing is written to disk.
const CACHE_SIZE = 300;
const MAX_CACHED_URL = 4096;
const byUrl = new Map();

// Tabs with images waiting for the daemon to come back (or for pairing).
const waitingTabs = new Set();

daemon.addEventListener("status", (ev) => {
  api.runtime.sendMessage({ type: "status", status: ev.detail }).catch(() => {});
});

daemon.addEventListener("connected", () => {
  const tabs = [...waitingTabs];
  waitingTabs.clear();
  daemon.wanted = false;
  for (const tabId of tabs) api.tabs.sendMessage(tabId, { type: "daemon-ready" }).catch(() => {});
});

function publicResult(msg) {
  return {
    alt: msg.alt,
    text: msg.text,
    language: msg.language ?? null,
    confidence: msg.confidence ?? null,
    unreadLines: msg.unread_lines ?? 0, // text found but not read: not "no text"
  };
}

function failure(err) {
  if (err instanceof DaemonError || err instanceof ImageError) {
    return { ok: false, code: err.code, message: err.message };
  }
  return { ok: false, code: "internal", message: String(err?.message ?? err) };
}

async function readUrl(url, priority, lang, tabId) {
  const key = `${lang ?? ""}|${url}`;
  let entry = byUrl.get(key);
  if (entry) {
    byUrl.delete(key); // most recently used last
    byUrl.set(key, entry);
    return entry;
  }
  entry = (async () => {
    const bytes = await bytesFromUrl(url);
    return publicResult(await daemon.submit({ bytes, priority, lang, tabId }));
  })();
  if (url.length > MAX_CACHED_URL) return entry; // a canvas's pixels (data:) are not kept
  byUrl.set(key, entry);
  entry.catch(() => byUrl.delete(key));
  while (byUrl.size > CACHE_SIZE) byUrl.delete(byUrl.keys().next().value);
  return entry;
}

async function readCapture(source, priority, lang, tab) {
  if (!tab?.active) throw new ImageError("not_visible", "The tab is not in front.");
  const bytes = await captureCrop(tab, source.rect, source.viewport);
  return publicResult(await daemon.submit({ bytes, priority, lang, tabId: tab.id }));
}

async function handleRead(msg, sender) {
  const priority = msg.priority === "background" ? "background" : "visible";
  const lang = typeof msg.lang === "string" ? msg.lang : undefined;
  try {
    const result = msg.source?.kind === "url"
      ? await readUrl(String(msg.source.url), priority, lang, sender.tab?.id)
      : await readCapture(msg.source ?? {}, priority, lang, sender.tab);
    return { ok: true, result };
  } catch (err) {
    return failure(err);
  }
}

async function currentStatus(check) {
  if (check && !daemon.authed && !daemon.pairing) await daemon.ensureConnected();
  const settings = await getSettings();
  return { ...daemon.status, port: settings.port, managed: settings.managed };
}

async function handle(msg, sender) {
  switch (msg?.type) {
    case "read":
      return handleRead(msg, sender);
    case "wait-daemon":
      if (sender.tab?.id !== undefined) waitingTabs.add(sender.tab.id);
      daemon.want();
      return { ok: true };
    case "get-status":
      return currentStatus(Boolean(msg.check));
    case "set-token": {
      const token = String(msg.token ?? "").trim();
      if (!token) return { ok: false, code: "empty", message: "The token is empty." };
      await saveToken(token);
      daemon.reset();
      await daemon.ensureConnected();
      if (daemon.status.state === "not_paired") await forgetToken();
      return { ok: daemon.authed, status: await currentStatus(false) };
    }
    case "forget-token":
      await forgetToken();
      daemon.reset();
      return { ok: true, status: await currentStatus(true) };
    case "set-port": {
      const port = validPort(msg.port);
      if (port === null) return { ok: false, code: "bad_port", message: "The port must be a whole number from 1 to 65535." };
      await savePort(port);
      daemon.reset();
      return { ok: true, status: await currentStatus(true) };
    }
    default:
      return { ok: false, code: "bad_request", message: "Unknown request." };
  }
}

api.runtime.onMessage.addListener((msg, sender, sendResponse) => {
  handle(msg, sender).then(sendResponse, (err) => sendResponse(failure(err)));
  return true;
});

// Pairing runs over a port: the options page keeps it busy while the user decides, which also
// keeps this service worker alive for as long as the daemon waits for the answer.
api.runtime.onConnect.addListener((port) => {
  if (port.name !== "pairing") return;
  port.onMessage.addListener(async (msg) => {
    if (msg?.type !== "pair") return;
    const name = String(msg.name ?? "").trim();
    const reply = await daemon.pair(name, (stage) => {
      try {
        port.postMessage({ type: "progress", stage });
      } catch {
        // the options page was closed; the pairing goes on
      }
    });
    try {
      port.postMessage({ type: "done", ...reply, status: await currentStatus(false) });
    } catch {
      // closed
    }
  });
});

// "Read the text in this image": keyboard shortcut and context menu. The content script of the
// frame concerned finds the image, asks us to read it and announces the text.
const MENU_ID = "read-image-text";

function createMenu() {
  api.contextMenus.removeAll(() => {
    api.contextMenus.create({
      id: MENU_ID,
      title: "Read the text in this image",
      contexts: ["image", "link", "page", "frame"],
    });
  });
}
api.runtime.onInstalled.addListener(createMenu);
api.runtime.onStartup.addListener(createMenu);

async function readTarget(tab, via, extra = {}) {
  if (!tab?.id) return false;
  const options = extra.frameId !== undefined ? { frameId: extra.frameId } : undefined;
  let shortcut = "";
  try {
    shortcut = (await api.commands.getAll()).find((c) => c.name === "read-image")?.shortcut ?? "";
  } catch {
    // no commands API: no hint
  }
  try {
    await api.tabs.sendMessage(tab.id, { type: "read-target", via, shortcut, ...extra }, options);
    return true;
  } catch {
    return false; // a page without our content script (browser pages, the web store)
  }
}

api.contextMenus.onClicked.addListener((info, tab) => {
  if (info.menuItemId !== MENU_ID) return;
  readTarget(tab, "menu", { srcUrl: info.srcUrl, frameId: info.frameId });
});

api.commands.onCommand.addListener(async (command, tab) => {
  if (command !== "read-image") return;
  const target = tab ?? (await api.tabs.query({ active: true, currentWindow: true }))[0];
  readTarget(target, "command");
});

api.tabs.onRemoved.addListener((tabId) => {
  waitingTabs.delete(tabId);
  daemon.cancelTab(tabId);
});

// For the end-to-end tests and debugging from the service worker console: the same entry
// points the browser calls.
globalThis.a11yHelper = { daemon, readTarget, handle };
