"""``a11y-helper pair add|list|revoke``: tokens for scripts and for extensions paired by hand."""

from __future__ import annotations

import sys
import time

from helper.errors import HelperError
from helper.server.tokens import TokenStore


def run_pair(action: str, name: str | None) -> int:
    store = TokenStore()
    try:
        if action == "add":
            token = store.add(name or "")
            print(token)
            print(
                f"a11y-helper: token for {name!r} created; it is shown only this once.",
                file=sys.stderr,
            )
        elif action == "list":
            pairings = store.list()
            if not pairings:
                print("Nothing is paired.")
            for pairing in pairings:
                when = time.strftime("%Y-%m-%d %H:%M", time.localtime(pairing.created))
                print(f"{pairing.name}\tpaired {when}")
        elif action == "revoke":
            store.revoke(name or "")
            print(f"Revoked {name!r}.")
    except HelperError as exc:
        print(f"a11y-helper: error {exc.code}: {exc.message}", file=sys.stderr)
        return 1
    return 0
