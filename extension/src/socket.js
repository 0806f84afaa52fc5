// The two websocket steps the connection and pairing are made of: opening a socket to the
// daemon, and waiting for its next JSON message. No state of their own.

const OPEN_TIMEOUT_MS = 5_000;

/** A websocket to the daemon on `port`, open within OPEN_TIMEOUT_MS, or a rejection. */
export function openSocket(port) {
  return new Promise((resolve, reject) => {
    let ws;
    try {
      ws = new WebSocket(`ws://127.0.0.1:${port}/v1`);
    } catch (err) {
      reject(err);
      return;
    }
    ws.binaryType = "arraybuffer";
    const timer = setTimeout(() => {
      ws.close();
      reject(new Error("timeout"));
    }, OPEN_TIMEOUT_MS);
    ws.addEventListener("open", () => {
      clearTimeout(timer);
      resolve(ws);
    }, { once: true });
    ws.addEventListener("close", () => {
      clearTimeout(timer);
      reject(new Error("closed"));
    }, { once: true });
  });
}

/** The next JSON text message on `ws`, or `{type: "closed", code}` if it closes first. */
export function nextMessage(ws, timeoutMs) {
  return new Promise((resolve) => {
    const done = (value) => {
      clearTimeout(timer);
      ws.removeEventListener("message", onMessage);
      ws.removeEventListener("close", onClose);
      resolve(value);
    };
    const onMessage = (ev) => {
      if (typeof ev.data !== "string") return;
      try {
        done(JSON.parse(ev.data));
      } catch {
        done({ type: "error", code: "bad_reply", message: "The daemon sent something unreadable." });
      }
    };
    const onClose = (ev) => done({ type: "closed", code: ev.code });
    const timer = setTimeout(() => done({ type: "timeout" }), timeoutMs);
    ws.addEventListener("message", onMessage);
    ws.addEventListener("close", onClose);
  });
}
