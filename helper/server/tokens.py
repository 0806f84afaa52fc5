"""Pairing tokens: long random secrets, stored only as hashes, compared in constant time.

A token is 256 random bits; the store keeps its SHA-256 (a fast hash is enough for a secret
with that much entropy: nobody can guess it from the hash). The file lives in the user's config
dir, written atomically and readable by the user only. The daemon re-reads it when it changes,
so ``a11y-helper pair revoke`` takes effect on a running daemon.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from helper.errors import InputError

CONFIG_DIR_ENV = "A11Y_HELPER_CONFIG_DIR"
_FILE = "tokens.json"


class NoSuchPairing(InputError):
    code = "not_found"


def config_dir() -> Path:
    """Where settings and token hashes live: ``$A11Y_HELPER_CONFIG_DIR`` or the platform's
    user config dir (``~/.config/a11y-helper`` on Linux)."""
    override = os.environ.get(CONFIG_DIR_ENV)
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_config_dir("a11y-helper", appauthor=False))


@dataclass(frozen=True)
class Pairing:
    name: str
    created: float
    digest: str
    #: The extension origin a token paired in-band is bound to; None for ``pair add`` tokens,
    #: which any local program or extension holding them may use.
    origin: str | None = None


class TokenStore:
    def __init__(self, directory: Path | None = None) -> None:
        self.path = (directory or config_dir()) / _FILE
        self._cache: tuple[int, dict[str, Pairing]] | None = None

    def add(self, name: str, origin: str | None = None) -> str:
        """A new token for ``name`` (replacing an older one of that name); returned only once."""
        name = name.strip()
        if not name or len(name) > 64 or not name.isprintable():
            raise InputError("a pairing name is 1 to 64 printable characters")
        token = secrets.token_urlsafe(32)
        pairings = self._load()
        pairings[name] = Pairing(name, time.time(), _digest(token), origin)
        self._save(pairings)
        return token

    def revoke(self, name: str) -> None:
        pairings = self._load()
        if name not in pairings:
            raise NoSuchPairing(f"nothing is paired under the name {name!r}")
        del pairings[name]
        self._save(pairings)

    def list(self) -> list[Pairing]:
        return sorted(self._load().values(), key=lambda p: p.created)

    def verify(self, token: str, origin: str | None = None) -> str | None:
        """The name paired with ``token`` if it may be used from ``origin``, else None. Every
        stored hash is compared, in constant time, so the time taken says nothing about which
        (if any) came close."""
        candidate = _digest(token)
        match = None
        for pairing in self._load().values():
            if hmac.compare_digest(candidate, pairing.digest):
                match = pairing
        if not token or match is None or (match.origin is not None and match.origin != origin):
            return None
        return match.name

    def _load(self) -> dict[str, Pairing]:
        try:
            stamp = self.path.stat().st_mtime_ns
        except FileNotFoundError:
            return {}
        if self._cache and self._cache[0] == stamp:
            return dict(self._cache[1])
        raw = json.loads(self.path.read_text(encoding="utf-8"))
        pairings = {
            entry["name"]: Pairing(
                entry["name"], float(entry["created"]), entry["sha256"], entry.get("origin")
            )
            for entry in raw.get("pairings", [])
        }
        self._cache = (stamp, pairings)
        return dict(pairings)

    def _save(self, pairings: dict[str, Pairing]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        body = {
            "version": 1,
            "pairings": [
                {"name": p.name, "created": p.created, "sha256": p.digest, "origin": p.origin}
                for p in pairings.values()
            ],
        }
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".tokens-")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as stream:
                json.dump(body, stream, indent=1)
            os.chmod(tmp, 0o600)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        self._cache = None


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()
