"""Who may even open a websocket: checked on the HTTP upgrade, before any frame is read.

Any web page can point a websocket at 127.0.0.1, so the Origin header decides: browser
extensions (and local programs, which send none) may go on to authenticate; pages may not.
The Host header must name this machine's loopback with our port, which defeats DNS rebinding
(a hostile domain resolving to 127.0.0.1 still sends its own name as Host).
"""

from __future__ import annotations

from dataclasses import dataclass

PATH = "/v1"
EXTENSION_SCHEMES = ("chrome-extension://", "moz-extension://")


@dataclass(frozen=True)
class Refusal:
    status: int
    reason: str


def check(path: str, host: str | None, origin: str | None, port: int) -> Refusal | None:
    if path.split("?", 1)[0] != PATH:
        return Refusal(404, f"Not found: the endpoint is {PATH}\n")
    if host is None or host.lower() not in (f"127.0.0.1:{port}", f"localhost:{port}"):
        return Refusal(403, "Forbidden: wrong Host\n")
    if origin is not None and not (origin.startswith(EXTENSION_SCHEMES) and _has_id(origin)):
        return Refusal(403, "Forbidden: web pages may not connect (forbidden_origin)\n")
    return None


def _has_id(origin: str) -> bool:
    rest = origin.split("://", 1)[1]
    return bool(rest) and "/" not in rest.rstrip("/") and rest.replace("-", "").isalnum()
