// Settings and the pairing token, kept in extension storage (never images or text).
// An administrator may set `token`, `port` and `auto` by policy (storage.managed); a managed
// value wins over what the options page stored.

export const api = globalThis.browser ?? globalThis.chrome;

export const DEFAULT_PORT = 8765;
const KEYS = ["port", "token", "auto", "sites"];

async function managed() {
  try {
    return (await api.storage.managed.get(null)) ?? {};
  } catch {
    return {}; // no policy (Firefox throws when none is installed)
  }
}

export async function getSettings() {
  const [local, policy] = await Promise.all([api.storage.local.get(KEYS), managed()]);
  const port = validPort(policy.port) ?? validPort(local.port) ?? DEFAULT_PORT;
  const token = (typeof policy.token === "string" && policy.token) || local.token || "";
  const auto = typeof policy.auto === "boolean" ? policy.auto : local.auto !== false;
  return {
    port,
    token,
    auto,
    sites: local.sites && typeof local.sites === "object" ? local.sites : {},
    managed: { token: Boolean(policy.token), port: validPort(policy.port) !== null, auto: typeof policy.auto === "boolean" },
  };
}

export function validPort(value) {
  const n = typeof value === "string" && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
  return Number.isInteger(n) && n >= 1 && n <= 65535 ? n : null;
}

export async function saveToken(token) {
  await api.storage.local.set({ token });
}

export async function forgetToken() {
  await api.storage.local.remove("token");
}

export async function savePort(port) {
  await api.storage.local.set({ port });
}

export async function setAuto(auto) {
  await api.storage.local.set({ auto: Boolean(auto) });
}

/** Per-site switch: `sites[host] === false` turns automatic naming off on that host. */
export async function setSiteEnabled(host, enabled) {
  const { sites = {} } = await api.storage.local.get("sites");
  if (enabled) delete sites[host];
  else sites[host] = false;
  await api.storage.local.set({ sites });
}

export function siteEnabled(settings, host) {
  return settings.sites[host] !== false;
}
