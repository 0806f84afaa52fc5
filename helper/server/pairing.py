"""In-band pairing: an extension without a token asks, the person at the machine decides.

The daemon never grants a token on its own. One request is asked at a time; a request that is
not answered within the timeout fails (and may be asked again), and a refusal is final for that
name and origin for as long as the daemon runs, so nobody can nag the user into saying yes.
"""

from __future__ import annotations

import asyncio
import sys
from concurrent.futures import Future
from typing import Protocol

from helper.errors import HelperError
from helper.server.tokens import TokenStore


class PairingRefused(HelperError):
    code = "pairing_refused"


class PairingTimeout(HelperError):
    code = "pairing_timeout"


class PairingBusy(HelperError):
    code = "busy"


class Approver(Protocol):
    """Asks the person at the machine: True allow, False refuse, None cannot ask here."""

    async def ask(self, name: str, origin: str | None) -> bool | None: ...


class AnyApprover:
    """Asks in every way available at once; the first answer given counts."""

    def __init__(self, *approvers: Approver) -> None:
        self._approvers = approvers

    async def ask(self, name: str, origin: str | None) -> bool | None:
        pending = {asyncio.ensure_future(a.ask(name, origin)) for a in self._approvers}
        try:
            while pending:
                done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
                answers = [task.result() for task in done if task.result() is not None]
                if answers:
                    return answers[0]
            return None
        finally:
            for task in pending:
                task.cancel()


class Asker(Protocol):
    """Something that can put a yes/no question to the user (helper.desktop.app.Desktop)."""

    def ask(self, question: str) -> Future[bool]: ...


class SpokenApprover:
    """The desktop's way: the question is said aloud and answered with two hotkeys."""

    def __init__(self, desktop: Asker) -> None:
        self._desktop = desktop

    async def ask(self, name: str, origin: str | None) -> bool | None:
        question = f"A browser extension named {name} asks to read images with a11y-helper."
        return await asyncio.wrap_future(self._desktop.ask(question))


class ConsoleApprover:
    """The prompt of a daemon started in a terminal: one line on stderr, one answer on stdin."""

    def __init__(self) -> None:
        self._reader: asyncio.StreamReader | None = None
        self._unavailable = False

    async def ask(self, name: str, origin: str | None) -> bool | None:
        reader = await self._stdin()
        source = f" ({origin})" if origin else ""
        if reader is None:
            print(
                f"a11y-helper: pairing request from {name!r}{source}: this daemon has no terminal "
                "to ask you on. Use the desktop hotkeys (serve --desktop) or 'a11y-helper pair add'.",
                file=sys.stderr,
                flush=True,
            )
            return None
        print(
            f"a11y-helper: Allow {name!r}{source} to read images with a11y-helper? Type y and Enter to "
            "allow, anything else to refuse.",
            file=sys.stderr,
            flush=True,
        )
        line = await reader.readline()
        return line.strip().lower() in (b"y", b"yes")

    async def _stdin(self) -> asyncio.StreamReader | None:
        if self._reader is None and not self._unavailable:
            try:
                reader = asyncio.StreamReader()
                await asyncio.get_running_loop().connect_read_pipe(
                    lambda: asyncio.StreamReaderProtocol(reader), sys.stdin
                )
                self._reader = reader
            except (OSError, ValueError, AttributeError):  # no stdin, a regular file, closed
                self._unavailable = True
        return self._reader


class Pairing:
    def __init__(self, store: TokenStore, approver: Approver, timeout_s: float) -> None:
        self._store = store
        self._approver = approver
        self._timeout_s = timeout_s
        self._refused: set[tuple[str, str | None]] = set()
        self._pending = False

    async def request(self, name: str, origin: str | None) -> str:
        """A new token once the user approves; raises PairingRefused/PairingTimeout/PairingBusy."""
        if (name, origin) in self._refused:
            raise PairingRefused("pairing was refused for this name; it will not be asked again")
        if self._pending:
            raise PairingBusy("another pairing request is waiting for the user; try again later")
        self._pending = True
        try:
            allowed = await asyncio.wait_for(self._approver.ask(name, origin), self._timeout_s)
        except asyncio.TimeoutError:  # the user may have been away: asking again is allowed
            raise PairingTimeout("nobody approved the pairing in time") from None
        finally:
            self._pending = False
        if allowed is None:
            raise PairingRefused(
                "nobody can be asked here (the daemon has no terminal and no desktop hotkeys); "
                "use 'a11y-helper pair add' and enter the token in the extension's options"
            )
        if not allowed:
            self._refused.add((name, origin))
            raise PairingRefused("the user refused the pairing")
        return self._store.add(name, origin)
