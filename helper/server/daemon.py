"""``a11y-helper serve``: load the engine once, listen on loopback, stop cleanly on a signal.

The logs say what happened (ready, connections, refusals, error codes) and never what was
read: no image, no recognised text, no token.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import signal
import sys
import time
from typing import TYPE_CHECKING

from websockets.asyncio.server import ServerConnection, serve
from websockets.http11 import Request, Response

from helper.config import EngineConfig, InputLimits, ServerSettings
from helper.server import handshake
from helper.server.pairing import AnyApprover, Approver, ConsoleApprover, Pairing, SpokenApprover
from helper.server.scheduler import Recognizer, Scheduler
from helper.server.session import Session, Shared
from helper.server.tokens import TokenStore

if TYPE_CHECKING:
    from helper.desktop.app import Desktop
    from helper.ocr import Engine

log = logging.getLogger("helper.server")

EXIT_OK, EXIT_PORT_BUSY, EXIT_ENGINE = 0, 4, 3


class Daemon:
    def __init__(
        self,
        settings: ServerSettings,
        engine: Recognizer,
        input_limits: InputLimits,
        tokens: TokenStore,
        approver: Approver,
    ) -> None:
        self.settings = settings
        limits = settings.limits
        self.scheduler = Scheduler(
            engine,
            workers=settings.workers,
            max_queued=limits.max_queued,
            max_queued_bytes=limits.max_queued_bytes,
            cache_entries=limits.cache_entries,
        )
        self.shared = Shared(
            scheduler=self.scheduler,
            tokens=tokens,
            pairing=Pairing(tokens, approver, limits.pairing_timeout_s),
            limits=limits,
            input_limits=input_limits,
        )
        self.sessions = 0

    async def run(self, stop: asyncio.Event, ready: asyncio.Event | None = None) -> None:
        limits = self.settings.limits
        self.scheduler.start()
        async with serve(
            self._handle,
            self.settings.host,
            self.settings.port,
            process_request=self._check,
            compression=None,
            max_size=limits.max_message_bytes,
            max_queue=limits.max_frames_buffered,
            open_timeout=limits.handshake_timeout_s,
            close_timeout=limits.close_timeout_s,
            server_header=None,
        ) as server:
            port = server.sockets[0].getsockname()[1] if server.sockets else self.settings.port
            self.port = port
            log.info("ready on ws://%s:%d/v1", self.settings.host, port)
            if ready is not None:
                ready.set()
            await stop.wait()
            log.info("stopping")
            server.server.close()  # no new connections
            await self.scheduler.close()  # queued requests are answered shutting_down
            await asyncio.sleep(0.05)  # let those answers reach the sender tasks
            server.close(close_connections=True)  # 1001 going away
            await server.wait_closed()

    def _check(self, connection: ServerConnection, request: Request) -> Response | None:
        refusal = handshake.check(
            request.path, request.headers.get("Host"), request.headers.get("Origin"), self.port
        )
        if refusal is None and self.sessions >= self.settings.limits.max_connections:
            refusal = handshake.Refusal(503, "Service unavailable: too many connections\n")
        if refusal is not None:
            log.info("handshake refused: HTTP %d", refusal.status)
            return connection.respond(refusal.status, refusal.reason)
        return None

    async def _handle(self, ws: ServerConnection) -> None:
        self.sessions += 1
        try:
            await Session(ws, self.shared).run()
        finally:
            self.sessions -= 1


def run_serve(port: int, workers: int | None = None, desktop: bool = False) -> int:
    """Entry point of ``a11y-helper serve``; returns the process exit status.

    With ``desktop`` the global hotkeys (helper/desktop) run in this process too, sharing the
    engine. If they cannot start (no display, no hotkey permission, a bad settings file) the
    daemon says why and serves the extension anyway.
    """
    logging.basicConfig(level=logging.INFO, format="a11y-helper: %(message)s", stream=sys.stderr)
    logging.getLogger("websockets").setLevel(logging.WARNING)
    started = time.perf_counter()
    from helper.ocr import Engine

    settings = ServerSettings(port=port) if workers is None else ServerSettings(port=port, workers=workers)
    # Every worker runs its readings on all cores' threads: a lone request (one user, one
    # image) then gets both cores, and several at once share them (onnxruntime's threads do
    # not spin, helper/models.py). One thread a worker made a lone round trip 1.5-1.8x the
    # in-process time; all threads 0.91-0.96x (docs/performance.md, the daemon).
    config = EngineConfig()
    try:
        engine = Engine(config)
    except Exception as exc:
        code = getattr(exc, "code", "internal")
        print(f"a11y-helper: error {code}: the OCR engine cannot start ({exc})", file=sys.stderr)
        return EXIT_ENGINE
    hotkeys = _start_desktop(engine) if desktop else None
    approver: Approver = ConsoleApprover()
    if hotkeys is not None:  # the user may not be at the daemon's terminal: ask aloud as well
        approver = AnyApprover(approver, SpokenApprover(hotkeys))
    daemon = Daemon(settings, engine, config.limits, TokenStore(), approver)
    try:
        asyncio.run(_main(daemon, started))
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            print(
                f"a11y-helper: port {port} on 127.0.0.1 is already in use (is a11y-helper already "
                "running?). Stop the other program or choose another port with --port.",
                file=sys.stderr,
            )
            return EXIT_PORT_BUSY
        raise
    finally:
        if hotkeys is not None:
            hotkeys.stop()
    return EXIT_OK


def _start_desktop(engine: Engine) -> Desktop | None:
    from helper.desktop.app import Desktop
    from helper.desktop.capture import check_display
    from helper.errors import HelperError
    from helper.settings_file import load_desktop_settings

    try:
        check_display()
        desktop = Desktop(engine, load_desktop_settings()).start()
    except HelperError as exc:
        log.warning("desktop hotkeys not started: %s: %s", exc.code, exc.message)
        return None
    log.info("desktop hotkeys ready (docs/desktop.md)")
    return desktop


async def _main(daemon: Daemon, started: float) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    ready = asyncio.Event()
    task = asyncio.create_task(daemon.run(stop, ready))
    waiter = asyncio.create_task(ready.wait())
    await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED)
    if ready.is_set():
        log.info("started in %.1f s", time.perf_counter() - started)
    waiter.cancel()
    await task
