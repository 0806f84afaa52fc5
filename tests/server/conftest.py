"""Real daemons for the tests: in this process (on its own thread and event loop, so limits can
be set per test) or as the ``a11y-helper serve`` program. Either way clients talk to them over
real sockets on 127.0.0.1."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from helper.client import Client
from helper.config import ServerLimits, ServerSettings
from helper.server.daemon import Daemon
from helper.server.pairing import ConsoleApprover
from helper.server.tokens import TokenStore


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class InProcessDaemon:
    def __init__(self, engine, directory: Path, workers: int = 1, **limits) -> None:
        self.port = free_port()
        self.tokens = TokenStore(directory)
        self.token = self.tokens.add("tests")
        settings = ServerSettings(port=self.port, workers=workers, limits=replace(ServerLimits(), **limits))
        self.daemon = Daemon(settings, engine, engine.config.limits, self.tokens, ConsoleApprover())
        self._loop = asyncio.new_event_loop()
        self._stop = asyncio.Event()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)

        async def main() -> None:
            ready = asyncio.Event()
            task = asyncio.create_task(self.daemon.run(self._stop, ready))
            await ready.wait()
            self._ready.set()
            await task

        self._loop.run_until_complete(main())

    def __enter__(self) -> InProcessDaemon:
        self._thread.start()
        assert self._ready.wait(10), "the daemon did not start"
        return self

    def __exit__(self, *exc: object) -> None:
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)
        assert not self._thread.is_alive(), "the daemon did not stop"

    def client(self, **kwargs) -> Client:
        return Client.connect(self.token, port=self.port, **kwargs)

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/v1"


@pytest.fixture
def daemon(engine, tmp_path) -> Iterator[InProcessDaemon]:
    with InProcessDaemon(engine, tmp_path) as running:
        yield running


class Program:
    """``a11y-helper serve`` as a child process; its stderr lines are collected as they come."""

    def __init__(
        self,
        config_dir: Path,
        port: int,
        extra_env: dict[str, str] | None = None,
        address_space: int | None = None,
        options: tuple[str, ...] = (),
    ) -> None:
        self.port = port
        self.config_dir = config_dir
        env = {**os.environ, "A11Y_HELPER_CONFIG_DIR": str(config_dir), **(extra_env or {})}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "helper", "serve", "--port", str(port), *options],
            stdin=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            env=env,
            preexec_fn=None if address_space is None else lambda: _limit_memory(address_space),
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for raw in self.process.stderr:
            self.lines.append(raw.decode("utf-8", "replace").rstrip("\n"))

    def wait_for(self, fragment: str, timeout: float = 20.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in list(self.lines):
                if fragment in line:
                    return line
            if self.process.poll() is not None and not self._reader.is_alive():
                break
            time.sleep(0.02)
        raise AssertionError(f"{fragment!r} never appeared; stderr: {self.lines}")

    def answer(self, text: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(text.encode() + b"\n")
        self.process.stdin.flush()

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.terminate()
        code = self.process.wait(15)
        self._reader.join(5)
        return code

    @property
    def log(self) -> str:
        return "\n".join(self.lines)


def _limit_memory(address_space: int) -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))


@pytest.fixture
def program(tmp_path) -> Iterator[Program]:
    running = Program(tmp_path / "config", free_port())
    running.wait_for("ready on")
    yield running
    running.stop()


def raw_upgrade(port: int, headers: dict[str, str], path: str = "/v1", whole: bool = False) -> str:
    """Send a websocket upgrade by hand (so every header is ours) and return the status line
    (or, with ``whole``, the response's status line and headers)."""
    lines = [f"GET {path} HTTP/1.1"]
    base = {
        "Host": f"127.0.0.1:{port}",
        "Upgrade": "websocket",
        "Connection": "Upgrade",
        "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
        "Sec-WebSocket-Version": "13",
    }
    for name, value in {**base, **headers}.items():
        if value is not None:
            lines.append(f"{name}: {value}")
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(4096)
            if not chunk:
                break
            data += chunk
    head = data.split(b"\r\n\r\n", 1)[0].decode()
    return head if whole else head.split("\r\n", 1)[0]
