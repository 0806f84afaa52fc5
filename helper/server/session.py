"""One client connection: authenticate, then turn requests into exactly one answer each.

Replies go through an outbox drained by one sender task, so a slow reader never blocks the
reading of its requests or anyone else; a client that stops reading altogether is cut off once
``max_unread_replies`` answers wait for it, which bounds what the daemon holds on its behalf.
Before authentication a connection may send only small messages (a hello or a pair request).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import time
from dataclasses import dataclass
from typing import Any

from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed
from websockets.frames import CloseCode

from helper import __version__
from helper.config import InputLimits, ServerLimits
from helper.errors import HelperError
from helper.server import protocol
from helper.server.pairing import Pairing
from helper.server.protocol import ProtocolError, RequestId
from helper.server.scheduler import Busy, Reply, Scheduler
from helper.server.tokens import TokenStore

log = logging.getLogger("helper.server")

#: Before authentication only hello/pair fit; nobody unauthenticated may send megabytes.
PRE_AUTH_MAX_BYTES = 8192
_numbers = itertools.count(1)


class Unauthorized(HelperError):
    code = "unauthorized"


class UnsupportedVersion(HelperError):
    code = "unsupported_version"


@dataclass
class Shared:
    """What every session of one daemon uses."""

    scheduler: Scheduler
    tokens: TokenStore
    pairing: Pairing
    limits: ServerLimits
    input_limits: InputLimits
    auth_failures: int = 0
    last_failure: float = 0.0
    #: Connections closed because they left ``max_unread_replies`` answers unread.
    cut_off: int = 0

    async def failed_auth(self) -> None:
        """Slow down guessing: each failure waits twice as long as the last, up to a cap;
        a quiet minute forgives."""
        now = time.monotonic()
        if now - self.last_failure > 60:
            self.auth_failures = 0
        self.auth_failures += 1
        self.last_failure = now
        await asyncio.sleep(min(0.05 * 2 ** min(self.auth_failures, 16), self.limits.failed_auth_delay_max_s))


class Session:
    def __init__(self, ws: ServerConnection, shared: Shared) -> None:
        self.ws = ws
        self.shared = shared
        self.limits = shared.limits
        self.number = next(_numbers)
        self.origin = ws.request.headers.get("Origin") if ws.request else None
        self.in_flight: dict[RequestId, asyncio.Future[Reply]] = {}
        self.outbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.tokens = float(self.limits.rate_burst)
        self.refilled = time.monotonic()
        self._closer: asyncio.Future[None] | None = None

    async def run(self) -> None:
        self.ws.protocol.max_message_size = PRE_AUTH_MAX_BYTES
        sender = asyncio.create_task(self._send_replies())
        try:
            if await self._authenticate():
                self.ws.protocol.max_message_size = self.limits.max_message_bytes
                async for message in self.ws:
                    self._dispatch(message)
        except ConnectionClosed:
            pass
        finally:
            self.shared.scheduler.forget(self)
            for future in self.in_flight.values():
                future.remove_done_callback(self._on_answer)
            self.in_flight.clear()
            if self.outbox.empty():
                sender.cancel()
            with contextlib.suppress(asyncio.TimeoutError, asyncio.CancelledError, ConnectionClosed):
                await asyncio.wait_for(sender, timeout=1.0)
            log.info("connection %d closed (%s)", self.number, self.ws.close_code)

    async def _authenticate(self) -> bool:
        try:
            first = await asyncio.wait_for(self.ws.recv(), self.limits.auth_timeout_s)
        except asyncio.TimeoutError:
            await self._refuse(Unauthorized("no hello within the time allowed"))
            return False
        if isinstance(first, bytes):
            await self._refuse(Unauthorized("the first message must be hello or pair"))
            return False
        try:
            message = protocol.parse_text(first)
        except ProtocolError:
            await self._refuse(Unauthorized("the first message must be hello or pair"))
            return False
        if isinstance(message, protocol.Pair):
            return await self._pair(message)
        if not isinstance(message, protocol.Hello):
            await self._refuse(Unauthorized("the first message must be hello or pair"))
            return False
        return await self._hello(message)

    async def _hello(self, hello: protocol.Hello) -> bool:
        if hello.version != protocol.VERSION:
            await self._refuse(UnsupportedVersion(f"this daemon speaks protocol version {protocol.VERSION}"))
            return False
        name = self.shared.tokens.verify(hello.token, self.origin)
        if name is None:
            await self.shared.failed_auth()
            await self._refuse(Unauthorized("unknown or revoked token; pair again"))
            return False
        log.info("connection %d authenticated", self.number)
        await self.ws.send(protocol.dumps(self._welcome()))
        return True

    async def _pair(self, pair: protocol.Pair) -> bool:
        try:
            token = await self.shared.pairing.request(pair.name, self.origin)
        except HelperError as exc:
            await self._refuse(exc)
            return False
        log.info("connection %d paired", self.number)
        await self.ws.send(protocol.dumps({"type": "paired", "name": pair.name, "token": token}))
        try:
            follow = await asyncio.wait_for(self.ws.recv(), self.limits.auth_timeout_s)
            hello = protocol.parse_text(follow) if isinstance(follow, str) else None
        except (asyncio.TimeoutError, ProtocolError):
            hello = None
        if not isinstance(hello, protocol.Hello):
            await self._refuse(Unauthorized("send hello with the new token"))
            return False
        return await self._hello(hello)

    async def _refuse(self, error: HelperError) -> None:
        log.info("connection %d refused: %s", self.number, error.code)
        try:
            await self.ws.send(protocol.dumps(protocol.error_message(None, error)))
            await self.ws.close(CloseCode.POLICY_VIOLATION, error.code)
        except ConnectionClosed:
            pass

    def _welcome(self) -> dict[str, Any]:
        limits = self.limits
        return {
            "type": "welcome",
            "server": f"a11y-helper/{__version__}",
            "version": protocol.VERSION,
            "limits": {
                "max_message_bytes": limits.max_message_bytes,
                "max_header_bytes": limits.max_header_bytes,
                "max_pixels": self.shared.input_limits.max_pixels,
                "max_connections": limits.max_connections,
                "max_queued": limits.max_queued,
                "max_queued_per_connection": limits.max_queued_per_connection,
                "rate_per_s": limits.rate_per_s,
                "rate_burst": limits.rate_burst,
                "max_unread_replies": limits.max_unread_replies,
            },
            "capabilities": {
                "formats": [f.lower() for f in self.shared.input_limits.formats],
                "want": list(protocol.PARTS),
                "priorities": list(protocol.PRIORITIES),
                "languages": "PP-OCR: Chinese, English, Japanese and Latin-script languages",
            },
        }

    def _dispatch(self, message: str | bytes) -> None:
        try:
            if isinstance(message, bytes):
                self._ocr(protocol.parse_image(message, self.limits.max_header_bytes))
                return
            request = protocol.parse_text(message)
        except ProtocolError as exc:
            self._reply(protocol.error_message(exc.request_id, exc))
            return
        if isinstance(request, protocol.Cancel):
            self.shared.scheduler.cancel(self, request.id)
        elif isinstance(request, protocol.Ping):
            self._reply({"type": "pong", "id": request.id} if request.id is not None else {"type": "pong"})
        else:  # hello or pair again
            self._reply(protocol.error_message(None, ProtocolError("already authenticated")))

    def _ocr(self, request: protocol.OcrRequest) -> None:
        if request.id in self.in_flight:
            self._reply(protocol.error_message(request.id, ProtocolError("this id is already in flight")))
            return
        if not self._take_token():
            self._reply(protocol.error_message(request.id, Busy("too many requests a second; slow down")))
            return
        if len(self.in_flight) >= self.limits.max_queued_per_connection:
            busy = Busy("this connection has too many images waiting")
            self._reply(protocol.error_message(request.id, busy))
            return
        future = self.shared.scheduler.submit(request, self)
        self.in_flight[request.id] = future
        future.add_done_callback(self._on_answer)

    def _on_answer(self, future: asyncio.Future[Reply]) -> None:
        reply = future.result()
        if self.in_flight.get(reply["id"]) is future:
            del self.in_flight[reply["id"]]
        self._reply(reply)

    def _take_token(self) -> bool:
        now = time.monotonic()
        earned = (now - self.refilled) * self.limits.rate_per_s
        self.tokens = min(self.limits.rate_burst, self.tokens + earned)
        self.refilled = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True

    def _reply(self, message: dict[str, Any]) -> None:
        if self._closer is not None:  # being cut off: nothing more will be read by it
            return
        if self.outbox.qsize() >= self.limits.max_unread_replies:
            log.warning("connection %d does not read its replies; closing it", self.number)
            self.shared.cut_off += 1
            self.outbox = asyncio.Queue()  # drop what it would never read
            self._closer = asyncio.ensure_future(self._abandon())
            return
        self.outbox.put_nowait(message)

    async def _abandon(self) -> None:
        with contextlib.suppress(asyncio.TimeoutError, ConnectionClosed):
            await asyncio.wait_for(self.ws.close(CloseCode.POLICY_VIOLATION, "replies not read"), 2.0)
        self.ws.transport.abort()

    async def _send_replies(self) -> None:
        while True:
            message = await self.outbox.get()
            await self.ws.send(protocol.dumps(message))
