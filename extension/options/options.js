import { api, getSettings, setAuto, setSiteEnabled, validPort } from "../src/settings.js";
import { readShortcut, showStatus } from "../ui/status.js";

const $ = (id) => document.getElementById(id);
const PRINTABLE = /^[^\p{C}]{1,64}$/u;

function say(id, text) {
  // Clear first, so that the same words said twice are announced twice.
  const el = $(id);
  el.textContent = "";
  setTimeout(() => {
    el.textContent = text;
  }, 30);
}

function fieldError(input, errorId, text) {
  $(errorId).textContent = text;
  if (text) {
    input.setAttribute("aria-invalid", "true");
    input.focus();
  } else {
    input.removeAttribute("aria-invalid");
  }
}

async function refreshStatus(check = true) {
  const status = await api.runtime.sendMessage({ type: "get-status", check });
  showStatus($("status"), status);
  return status;
}

async function fill() {
  const settings = await getSettings();
  if (!$("port").dataset.edited) $("port").value = String(settings.port);
  $("port").disabled = settings.managed.port;
  $("auto").checked = settings.auto;
  $("auto").disabled = settings.managed.auto;
  const isFirefox = /firefox/i.test(navigator.userAgent);
  if (!$("pair-name").value) $("pair-name").value = `${isFirefox ? "Firefox" : "Chromium"} on this computer`;
  const list = $("sites");
  list.replaceChildren();
  const hosts = Object.keys(settings.sites).filter((h) => settings.sites[h] === false).sort();
  $("no-sites").hidden = hosts.length > 0;
  list.hidden = hosts.length === 0;
  for (const host of hosts) {
    const li = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "secondary";
    button.textContent = `Turn ${host} back on`;
    button.addEventListener("click", async () => {
      await setSiteEnabled(host, true);
      await fill();
      say("port-message", `Automatic naming is on again for ${host}.`);
      $("sites-heading").focus?.();
    });
    li.append(`${host} `, button);
    list.append(li);
  }
}

let pairing = false;

$("pair-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  if (pairing) return;
  const input = $("pair-name");
  const name = input.value.trim();
  if (!PRINTABLE.test(name)) {
    fieldError(input, "pair-name-error", "Give this browser a name of 1 to 64 letters, digits or spaces.");
    return;
  }
  fieldError(input, "pair-name-error", "");
  pairing = true;
  $("pair").setAttribute("aria-disabled", "true");
  say("pair-message", "Asking the daemon…");
  const port = api.runtime.connect({ name: "pairing" });
  const keepalive = setInterval(() => port.postMessage({ type: "keepalive" }), 15_000);
  const finish = () => {
    pairing = false;
    clearInterval(keepalive);
    $("pair").removeAttribute("aria-disabled");
    port.disconnect();
  };
  port.onMessage.addListener((msg) => {
    if (msg.type === "progress" && msg.stage === "waiting") {
      say("pair-message", `Waiting for your approval. In the terminal where a11y-helper serve runs, answer y to allow “${name}”. The daemon waits up to 2 minutes.`);
      return;
    }
    if (msg.type !== "done") return;
    finish();
    if (msg.status) showStatus($("status"), msg.status);
    const words = {
      pairing_refused: "Pairing was refused on the daemon side. If that was a mistake, restart the daemon and pair again.",
      pairing_timeout: "Nobody answered on the daemon side within 2 minutes. Press “Pair with the daemon” to try again.",
      daemon_unavailable: "The daemon is not running. Start it with the command a11y-helper serve, then try again.",
      busy: "The daemon is already answering another pairing request. Try again in a moment.",
    };
    say("pair-message", msg.ok
      ? "Paired. This browser is connected to the daemon."
      : words[msg.code] ?? `Pairing did not work: ${msg.message ?? msg.code}.`);
  });
  port.onDisconnect.addListener(() => {
    if (pairing) {
      finish();
      say("pair-message", "Pairing stopped: the extension restarted. Try again.");
    }
  });
  port.postMessage({ type: "pair", name });
});

$("token-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const input = $("token");
  const token = input.value.trim();
  if (!token) {
    fieldError(input, "token-error", "Paste the token printed by a11y-helper pair add.");
    return;
  }
  fieldError(input, "token-error", "");
  say("token-message", "Checking the token with the daemon…");
  const reply = await api.runtime.sendMessage({ type: "set-token", token });
  input.value = "";
  showStatus($("status"), reply.status);
  if (reply.ok) say("token-message", "Token accepted. This browser is connected to the daemon.");
  else if (reply.status?.state === "not_paired") say("token-message", "The daemon did not accept this token. Check that it was copied whole, or make a new one.");
  else if (reply.status?.state === "not_running") say("token-message", "Token saved, but the daemon is not running, so it could not be checked yet.");
  else say("token-message", reply.message ?? "The token could not be saved.");
});

$("forget").addEventListener("click", async () => {
  const reply = await api.runtime.sendMessage({ type: "forget-token" });
  showStatus($("status"), reply.status);
  say("token-message", "This browser's pairing is forgotten here. To revoke it on the daemon side too, use a11y-helper pair.");
});

$("port-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const input = $("port");
  if (validPort(input.value) === null) {
    fieldError(input, "port-error", "The port must be a whole number from 1 to 65535.");
    return;
  }
  fieldError(input, "port-error", "");
  const reply = await api.runtime.sendMessage({ type: "set-port", port: input.value });
  if (reply.status) showStatus($("status"), reply.status);
  if (reply.ok) delete input.dataset.edited;
  say("port-message", reply.ok ? `Port ${validPort(input.value)} saved.` : reply.message);
});

$("auto").addEventListener("change", async (ev) => {
  await setAuto(ev.target.checked);
  say("port-message", ev.target.checked ? "Images will be named automatically." : "Images will be read only when you ask.");
});

$("check").addEventListener("click", () => refreshStatus(true));
$("port").addEventListener("input", () => {
  $("port").dataset.edited = "true"; // what the user types is not overwritten by a late fill()
});

api.runtime.onMessage.addListener((msg) => {
  if (msg?.type === "status") refreshStatus(false);
});

(async () => {
  $("shortcut-text").textContent = await readShortcut();
  await fill();
  await refreshStatus(true);
  document.body.dataset.ready = "true";
})();
