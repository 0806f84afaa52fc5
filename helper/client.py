"""A small blocking client for the local daemon (protocol v1, docs/protocol.md).

For scripts and tests::

    with Client.connect(token=TOKEN, port=8765) as client:
        print(client.ocr(open("banner.png", "rb").read())["alt"])

``ocr`` sends one image and waits for its answer; ``send_ocr`` and ``receive`` let a caller
keep several requests in flight. Answers to other ids that arrive while ``ocr`` waits are kept
and handed out by later calls, so nothing is lost.
"""

from __future__ import annotations

import contextlib
import itertools
import json
from collections import deque
from typing import Any

from websockets.sync.client import ClientConnection, connect

from helper.server.protocol import RequestId, encode_image

DEFAULT_PORT = 8765


class RequestFailed(Exception):
    """The daemon answered with an ``error``; ``code`` is its stable code."""

    def __init__(self, reply: dict[str, Any]) -> None:
        super().__init__(f"{reply.get('code')}: {reply.get('message')}")
        self.code: str = reply.get("code", "internal")
        self.reply = reply


class Client:
    def __init__(self, ws: ClientConnection, welcome: dict[str, Any]) -> None:
        self.ws = ws
        self.welcome = welcome
        self._ids = itertools.count(1)
        self._early: deque[dict[str, Any]] = deque()

    @classmethod
    def connect(
        cls,
        token: str,
        port: int = DEFAULT_PORT,
        host: str = "127.0.0.1",
        timeout: float = 10.0,
        origin: str | None = None,
    ) -> Client:
        # Entered as a context manager, the form every websockets version accepts.
        ws = contextlib.ExitStack().enter_context(
            connect(
                f"ws://{host}:{port}/v1",
                compression=None,
                open_timeout=timeout,
                max_size=None,
                origin=origin,  # type: ignore[arg-type]
                proxy=None,
            )
        )
        ws.send(json.dumps({"type": "hello", "version": 1, "token": token}))
        reply = json.loads(ws.recv(timeout=timeout))
        if reply.get("type") != "welcome":
            ws.close()
            raise RequestFailed(reply)
        return cls(ws, reply)

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.ws.close()

    def send_ocr(
        self,
        image: bytes,
        id: RequestId | None = None,
        priority: str = "visible",
        lang: str | None = None,
        want: list[str] | None = None,
    ) -> RequestId:
        request_id = next(self._ids) if id is None else id
        header: dict[str, Any] = {"type": "ocr", "id": request_id, "priority": priority}
        if lang:
            header["lang"] = lang
        if want:
            header["want"] = want
        self.ws.send(encode_image(header, image))
        return request_id

    def cancel(self, request_id: RequestId) -> None:
        self.ws.send(json.dumps({"type": "cancel", "id": request_id}))

    def receive(self, timeout: float | None = None) -> dict[str, Any]:
        """The next message from the daemon (``result``, ``error`` or ``pong``)."""
        if self._early:
            return self._early.popleft()
        return json.loads(self.ws.recv(timeout=timeout))

    def ocr(self, image: bytes, timeout: float = 60.0, **options: Any) -> dict[str, Any]:
        """Read one image; returns the ``result`` message or raises :class:`RequestFailed`."""
        request_id = self.send_ocr(image, **options)
        held = [m for m in self._early if m.get("id") == request_id]
        while not held:
            message = json.loads(self.ws.recv(timeout=timeout))
            if message.get("id") == request_id and message.get("type") in ("result", "error"):
                held.append(message)
            else:
                self._early.append(message)
        reply = held[0]
        if reply in self._early:
            self._early.remove(reply)
        if reply["type"] == "error":
            raise RequestFailed(reply)
        return reply
