// The one connection to the local daemon (protocol v1, docs/protocol.md). Only the service
// worker / event page uses this module: content scripts never talk to the daemon.
//
// - a request queue with two priorities ("visible" before "background", newest first within
//   one, as the daemon itself schedules), at most MAX_INFLIGHT requests on the wire;
// - an application keepalive (`ping`) every KEEPALIVE_MS while work is pending, which also
//   keeps a Chromium service worker alive (websocket traffic resets its idle timer);
// - reconnection with exponential backoff when the socket drops, and the requests that were
//   in flight are sent again on the new connection (the daemon never answered them);
// - pairing on a separate socket that, once paired, authenticates and becomes the connection.

import { encodeOcrFrame } from "./frames.js";
import { getSettings, saveToken } from "./settings.js";
import { nextMessage, openSocket } from "./socket.js";

export const KEEPALIVE_MS = 20_000;
export const MAX_INFLIGHT = 4;
export const RECONNECT_MIN_MS = 250;
export const RECONNECT_MAX_MS = 2_000;
// How long a request that was already sent waits for a dropped daemon to come back.
export const RESEND_GRACE_MS = 20_000;
const WELCOME_TIMEOUT_MS = 15_000;
const PAIRING_TIMEOUT_MS = 130_000; // the daemon gives up first (pairing_timeout_s = 120)
const BUSY_RETRIES = 4;
// A request on the wire with no answer after this long is given up (the connection stays).
export const ANSWER_TIMEOUT_MS = 120_000;

export class DaemonError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

const UNAVAILABLE = () =>
  new DaemonError("daemon_unavailable", "The a11y-helper daemon is not running.");
const NOT_PAIRED = () =>
  new DaemonError("not_paired", "This browser is not paired with the a11y-helper daemon.");

export class Daemon extends EventTarget {
  constructor() {
    super();
    this.ws = null;
    this.authed = false;
    this.welcome = null;
    this.status = { state: "unknown" };
    this.queue = [];
    this.inflight = new Map();
    this.delayed = 0;
    this.nextId = 1;
    this.backoff = RECONNECT_MIN_MS;
    this.reconnectTimer = null;
    this.keepaliveTimer = null;
    this.connecting = null;
    this.wanted = false; // someone (a page with unnamed images) waits for the daemon to appear
    this.pairing = false;
    this.keepaliveMs = KEEPALIVE_MS;
  }

  setStatus(state, extra = {}) {
    const next = { state, ...extra };
    if (JSON.stringify(next) === JSON.stringify(this.status)) return;
    this.status = next;
    this.dispatchEvent(new CustomEvent("status", { detail: next }));
  }

  hasWork() {
    return this.queue.length > 0 || this.inflight.size > 0 || this.delayed > 0;
  }

  /** Resolves true once authenticated; false when not (this.status says why). */
  ensureConnected() {
    if (this.authed) return Promise.resolve(true);
    if (!this.connecting) {
      this.connecting = this.open().finally(() => {
        this.connecting = null;
      });
    }
    return this.connecting;
  }

  async open() {
    const settings = await getSettings();
    const port = settings.port;
    if (!settings.token) {
      this.setStatus("not_paired", { port });
      this.failQueued(NOT_PAIRED);
      return false;
    }
    let ws;
    try {
      ws = await openSocket(port);
    } catch {
      this.setStatus("not_running", { port });
      this.afterFailedConnect();
      return false;
    }
    ws.send(JSON.stringify({ type: "hello", version: 1, token: settings.token }));
    const reply = await nextMessage(ws, WELCOME_TIMEOUT_MS);
    if (reply.type === "welcome") {
      this.adopt(ws, reply, port);
      return true;
    }
    ws.close();
    if (reply.type === "error" && reply.code === "unauthorized") {
      this.setStatus("not_paired", { port, rejected: true });
      this.failQueued(NOT_PAIRED);
    } else if (reply.type === "error" && reply.code === "unsupported_version") {
      this.setStatus("incompatible", { port });
      this.failQueued(() => new DaemonError("unsupported_version", reply.message));
    } else {
      this.setStatus("not_running", { port });
      this.afterFailedConnect();
    }
    return false;
  }

  adopt(ws, welcome, port) {
    if (this.ws && this.ws !== ws) {
      const old = this.ws;
      this.ws = null;
      this.requeueInflight(); // sent again on the new connection
      old.close(1000);
    }
    this.ws = ws;
    this.authed = true;
    this.welcome = welcome;
    this.backoff = RECONNECT_MIN_MS;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    ws.addEventListener("message", (ev) => this.onMessage(ev));
    ws.addEventListener("close", (ev) => this.onClose(ws, ev));
    this.setStatus("connected", { port, server: welcome.server });
    this.dispatchEvent(new Event("connected"));
    this.pump();
  }

  /** Closes the connection (settings changed); pending work reconnects with the new ones. */
  reset() {
    const ws = this.ws;
    this.ws = null;
    this.authed = false;
    if (ws) {
      this.requeueInflight();
      ws.close(1000);
    }
    this.setStatus("unknown");
    if (this.hasWork()) this.ensureConnected();
  }

  afterFailedConnect() {
    // Requests never sent fail at once (the page stays as it is); requests that were in flight
    // when the daemon went away wait a while for it to come back.
    const now = Date.now();
    this.queue = this.queue.filter((job) => {
      if (job.droppedAt && now - job.droppedAt < RESEND_GRACE_MS) return true;
      job.reject(UNAVAILABLE());
      return false;
    });
    this.updateKeepalive();
    if (this.queue.length > 0 || this.delayed > 0 || this.wanted) this.scheduleReconnect();
  }

  failQueued(makeError) {
    for (const job of this.queue) job.reject(makeError());
    this.queue = [];
    this.updateKeepalive();
  }

  scheduleReconnect() {
    if (this.reconnectTimer || this.authed) return;
    const delay = this.backoff;
    this.backoff = Math.min(this.backoff * 2, RECONNECT_MAX_MS);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.ensureConnected();
    }, delay);
  }

  /** A page waits for the daemon: keep trying (with backoff) until it answers. */
  want() {
    this.wanted = true;
    if (!this.authed) this.scheduleReconnect();
  }

  requeueInflight() {
    const now = Date.now();
    for (const job of this.inflight.values()) {
      job.droppedAt ??= now;
      this.queue.push(job);
    }
    this.inflight.clear();
  }

  onClose(ws, ev) {
    if (ws !== this.ws) return;
    this.ws = null;
    this.authed = false;
    this.requeueInflight();
    this.updateKeepalive();
    const port = this.status.port;
    if (ev.code === 1008 && this.status.state === "not_paired") {
      this.failQueued(NOT_PAIRED);
      return;
    }
    this.setStatus("not_running", { port });
    if (this.hasWork() || this.wanted) this.scheduleReconnect();
  }

  onMessage(ev) {
    if (typeof ev.data !== "string") return;
    let msg;
    try {
      msg = JSON.parse(ev.data);
    } catch {
      return;
    }
    if (msg.type === "pong") return;
    if (msg.type === "error" && (msg.id === null || msg.id === undefined)) {
      if (msg.code === "unauthorized") this.setStatus("not_paired", { port: this.status.port, rejected: true });
      return;
    }
    if (msg.type !== "result" && msg.type !== "error") return;
    const job = this.inflight.get(msg.id);
    if (!job) return;
    this.inflight.delete(msg.id);
    if (msg.type === "result") {
      job.resolve(msg);
    } else if (msg.code === "busy" && job.attempts < BUSY_RETRIES) {
      job.attempts += 1;
      this.delayed += 1;
      setTimeout(() => {
        this.delayed -= 1;
        this.queue.push(job);
        this.pump();
      }, 250 * 2 ** job.attempts);
    } else if (msg.code === "shutting_down") {
      job.droppedAt ??= Date.now();
      this.queue.push(job);
    } else {
      job.reject(new DaemonError(msg.code, msg.message));
    }
    this.pump();
  }

  /** Queue one image; resolves with the daemon's `result` message, rejects with DaemonError. */
  submit({ bytes, priority = "visible", lang, want = ["alt", "text"], tabId }) {
    return new Promise((resolve, reject) => {
      const job = {
        id: this.nextId++,
        bytes,
        priority: priority === "background" ? "background" : "visible",
        lang,
        want,
        tabId,
        attempts: 0,
        seq: this.nextId,
        resolve,
        reject,
      };
      this.queue.push(job);
      this.updateKeepalive();
      if (this.authed) this.pump();
      else this.ensureConnected();
    });
  }

  /** Withdraws the requests of a tab that navigated away or closed. */
  cancelTab(tabId) {
    this.queue = this.queue.filter((job) => {
      if (job.tabId !== tabId) return true;
      job.reject(new DaemonError("cancelled", "The page went away."));
      return false;
    });
    // Requests on the wire: the daemon is told, and their slots are freed at once (a late
    // answer for an id no longer in flight is ignored).
    for (const job of [...this.inflight.values()]) {
      if (job.tabId !== tabId) continue;
      if (this.ws) this.ws.send(JSON.stringify({ type: "cancel", id: job.id }));
      this.inflight.delete(job.id);
      job.reject(new DaemonError("cancelled", "The page went away."));
    }
    this.pump();
  }

  /** Requests unanswered for too long are given up (checked at each keepalive). */
  expireStale() {
    const now = Date.now();
    for (const job of [...this.inflight.values()]) {
      if (now - job.sentAt > ANSWER_TIMEOUT_MS) {
        this.inflight.delete(job.id);
        job.reject(new DaemonError("timeout", "The daemon did not answer in time."));
      }
    }
    this.pump();
  }

  pickNext() {
    let best = -1;
    for (let i = 0; i < this.queue.length; i++) {
      const job = this.queue[i];
      const b = this.queue[best];
      if (best < 0 || (job.priority === "visible" && b.priority !== "visible") ||
          (job.priority === b.priority && job.seq > b.seq)) best = i;
    }
    return this.queue.splice(best, 1)[0];
  }

  pump() {
    while (this.authed && this.inflight.size < MAX_INFLIGHT && this.queue.length > 0) {
      const job = this.pickNext();
      const header = { id: job.id, priority: job.priority, want: job.want };
      if (job.lang) header.lang = job.lang;
      this.inflight.set(job.id, job);
      job.sentAt = Date.now();
      this.ws.send(encodeOcrFrame(header, job.bytes));
    }
    this.updateKeepalive();
  }

  updateKeepalive() {
    if (this.hasWork() && this.authed) {
      if (!this.keepaliveTimer) {
        this.keepaliveTimer = setInterval(() => {
          if (this.authed && this.ws) this.ws.send(JSON.stringify({ type: "ping" }));
          this.expireStale();
        }, this.keepaliveMs);
      }
    } else if (this.keepaliveTimer) {
      clearInterval(this.keepaliveTimer);
      this.keepaliveTimer = null;
    }
  }

  /**
   * Pairs this browser: the daemon asks its user to approve `name`. `onProgress` hears
   * "waiting" once the request reached the daemon. Resolves {ok, code?, message?}.
   */
  async pair(name, onProgress = () => {}) {
    if (this.pairing) return { ok: false, code: "busy", message: "Pairing is already under way." };
    this.pairing = true;
    const before = this.status;
    const { port } = await getSettings();
    try {
      let ws;
      try {
        ws = await openSocket(port);
      } catch {
        this.setStatus("not_running", { port });
        return { ok: false, code: "daemon_unavailable" };
      }
      this.setStatus("pairing", { port, name });
      ws.send(JSON.stringify({ type: "pair", name }));
      onProgress("waiting");
      const reply = await nextMessage(ws, PAIRING_TIMEOUT_MS);
      if (reply.type !== "paired" || typeof reply.token !== "string") {
        ws.close();
        this.setStatus(before.state === "pairing" ? "unknown" : before.state, { port });
        if (!this.authed) await this.ensureConnected();
        if (reply.type === "closed") return { ok: false, code: "daemon_unavailable" };
        if (reply.type === "timeout") return { ok: false, code: "pairing_timeout" };
        return { ok: false, code: reply.code ?? "bad_reply", message: reply.message };
      }
      await saveToken(reply.token);
      ws.send(JSON.stringify({ type: "hello", version: 1, token: reply.token }));
      const welcome = await nextMessage(ws, WELCOME_TIMEOUT_MS);
      if (welcome.type === "welcome") {
        this.adopt(ws, welcome, port);
      } else {
        ws.close();
        this.authed = false;
        await this.ensureConnected();
      }
      return { ok: this.authed };
    } finally {
      this.pairing = false;
    }
  }
}
