// The connection state in plain words, as the options page and the popup say it. Each text
// starts with the state itself ("Connected", "Daemon not running", "Not paired") so that a
// screen reader user hears the answer first.

export function describeStatus(status) {
  const port = status?.port ?? 8765;
  switch (status?.state) {
    case "connected":
      return { level: "ok", text: `Connected to the a11y-helper daemon on port ${port}.` };
    case "not_running":
      return {
        level: "error",
        text: `Daemon not running: nothing answers on port ${port}. Start it with the command a11y-helper serve, then check again.`,
      };
    case "not_paired":
      return status.rejected
        ? { level: "error", text: "Not paired: the daemon no longer accepts this browser's token. Pair again." }
        : { level: "warn", text: "Not paired: this browser is not paired with the a11y-helper daemon yet." };
    case "pairing":
      return { level: "warn", text: "Pairing: waiting for approval on the daemon side." };
    case "incompatible":
      return { level: "error", text: "The daemon speaks another protocol version. Update a11y-helper or this extension." };
    default:
      return { level: "info", text: "Checking the connection to the daemon…" };
  }
}

export const api = globalThis.browser ?? globalThis.chrome;

export async function readShortcut() {
  try {
    const commands = await api.commands.getAll();
    const shortcut = commands.find((c) => c.name === "read-image")?.shortcut;
    return shortcut
      ? `Press ${shortcut} to read the text in the focused image. The context menu of an image also has “Read the text in this image”.`
      : "No keyboard shortcut is set for “Read the text in the focused image”. You can set one in the browser's extension shortcut settings. The context menu of an image has “Read the text in this image”.";
  } catch {
    return "The context menu of an image has “Read the text in this image”.";
  }
}

export function showStatus(element, status) {
  const { level, text } = describeStatus(status);
  if (element.textContent !== text) element.textContent = text;
  element.dataset.level = level;
  element.dataset.state = status?.state ?? "unknown";
}
