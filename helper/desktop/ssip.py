"""speech-dispatcher: a small client for its protocol (SSIP), and the voice built on it.

Why our own client rather than ``spd-say`` or the ``speechd`` module: ``speechd`` is a Debian
system package (python3-speechd) that a virtual environment does not see, and ``spd-say`` can
only cancel *every* client's speech (Orca's included) and needs a process per utterance. SSIP
is a short line protocol: one connection, ``CANCEL self`` silences only us, and the server's
END / CANCEL notifications say exactly when an utterance is over.

The address follows libspeechd's rules, so we reach the same server Orca uses:
``SPEECHD_ADDRESS`` (``unix_socket:PATH`` or ``inet_socket:HOST:PORT``) if set, else
``$XDG_RUNTIME_DIR/speech-dispatcher/speechd.sock`` (``~/.cache/...`` without a runtime
folder). When nothing listens there we start the server as libspeechd does ("autospawn").
"""

from __future__ import annotations

import contextlib
import getpass
import os
import queue
import shutil
import socket
import subprocess
import threading
import time
from dataclasses import dataclass

from helper.errors import SpeechUnavailable

#: Notification codes (SSIP 7xx) that end an utterance.
_FINISHED = {"702": "end", "703": "cancel"}


@dataclass(frozen=True)
class Address:
    """Where speech-dispatcher listens: a Unix socket ``path``, or ``host``:``port``."""

    path: str | None = None
    host: str = "127.0.0.1"
    port: int = 6560

    @classmethod
    def parse(cls, text: str) -> Address:
        """``unix_socket[:PATH]`` or ``inet_socket[:HOST[:PORT]]`` (libspeechd's syntax)."""
        method, _, rest = text.partition(":")
        if method == "unix_socket":
            return cls(path=rest or default_socket_path())
        if method == "inet_socket":
            host, _, port = rest.partition(":")
            return cls(host=host or "127.0.0.1", port=int(port) if port else 6560)
        raise SpeechUnavailable(
            f"SPEECHD_ADDRESS={text!r} is not understood (unix_socket:PATH or inet_socket:HOST:PORT)"
        )

    @classmethod
    def from_environment(cls) -> Address:
        configured = os.environ.get("SPEECHD_ADDRESS")
        return cls.parse(configured) if configured else cls(path=default_socket_path())

    def __str__(self) -> str:
        return self.path if self.path else f"{self.host}:{self.port}"


def default_socket_path() -> str:
    """libspeechd's default: the user's runtime folder, else the cache folder (glib's rule)."""
    base = os.environ.get("XDG_RUNTIME_DIR") or os.environ.get("XDG_CACHE_HOME")
    if not base:
        base = os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "speech-dispatcher", "speechd.sock")


class SSIPClient:
    """One connection to speech-dispatcher. ``speak`` returns a message id at once;
    ``wait`` blocks until that message was said or cancelled. Thread-safe."""

    def __init__(
        self,
        address: Address | None = None,
        name: str = "a11y-helper",
        timeout: float = 5.0,
        spawn: bool = True,
    ) -> None:
        self.address = address or Address.from_environment()
        self.timeout = timeout
        self._sock = self._connect(spawn)
        self._replies: queue.Queue[list[str] | None] = queue.Queue()
        self._finished: dict[int, str] = {}
        self._forgotten: set[int] = set()
        self._changed = threading.Condition()
        self._command_lock = threading.Lock()
        self._closed = False
        self._reader = threading.Thread(target=self._read, name="a11y-ssip", daemon=True)
        self._reader.start()
        try:
            self._command(f"SET self CLIENT_NAME {_user()}:{name}:main")
            self._command("SET self NOTIFICATION end on")
            self._command("SET self NOTIFICATION cancel on")
            #: The language the user's settings give us, to return to after a switch.
            self.default_language = self.get("LANGUAGE")
        except SpeechUnavailable:
            self.close()
            raise

    # -- connection ---------------------------------------------------------------------

    def _connect(self, spawn: bool) -> socket.socket:
        try:
            return self._open()
        except OSError as first:
            server = shutil.which("speech-dispatcher") if spawn and self.address.path else None
            if server is None:
                raise SpeechUnavailable(
                    f"speech-dispatcher is not running at {self.address} ({first.strerror or first})"
                ) from None
        # As libspeechd does: start the server for this socket; it leaves if already running.
        argv = [server, "--spawn", "--communication-method", "unix_socket"]
        argv += ["--socket-path", str(self.address)]
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            subprocess.run(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                timeout=self.timeout,
                check=False,
            )
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                return self._open()
            except OSError as exc:
                if time.monotonic() > deadline:
                    raise SpeechUnavailable(
                        f"speech-dispatcher could not be started at {self.address} ({exc.strerror or exc})"
                    ) from None
                time.sleep(0.05)

    def _open(self) -> socket.socket:
        if self.address.path:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            target: str | tuple[str, int] = self.address.path
        else:
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            target = (self.address.host, self.address.port)
        sock.settimeout(self.timeout)
        try:
            sock.connect(target)
        except OSError:
            sock.close()
            raise
        sock.settimeout(None)  # the reader blocks; commands time out on the reply queue
        return sock

    @property
    def closed(self) -> bool:
        return self._closed

    def close(self) -> None:
        if self._closed:
            return
        with contextlib.suppress(SpeechUnavailable, OSError):
            self._command("QUIT")
        self._shut()

    def _shut(self) -> None:
        self._closed = True
        with contextlib.suppress(OSError):
            self._sock.shutdown(socket.SHUT_RDWR)
        self._sock.close()
        with self._changed:
            self._changed.notify_all()

    # -- commands -----------------------------------------------------------------------

    def speak(self, text: str) -> int:
        """Queue ``text``; its message id. The text travels in the socket, never a file."""
        lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        # A line starting with a dot gets a second one: "." alone would end the message.
        data = "\r\n".join("." + line if line.startswith(".") else line for line in lines)
        with self._command_lock:
            self._expect(self._send_locked("SPEAK"), "230")
            reply = self._send_locked(data + "\r\n.")
        self._expect(reply, "225")
        return int(reply[0][4:])

    def set_language(self, code: str) -> None:
        self._expect(self._command(f"SET self LANGUAGE {code}"), "201")

    def get(self, what: str) -> str:
        reply = self._expect(self._command(f"GET {what}"), "251")
        return reply[0][4:] if len(reply) > 1 else ""

    def cancel(self) -> None:
        """Silence our own speech, not other clients' (Orca's)."""
        self._command("CANCEL self")

    def wait(self, message: int, timeout: float | None = None) -> str | None:
        """``"end"`` or ``"cancel"`` once ``message`` is over; ``None`` on timeout."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._changed:
            while message not in self._finished:
                if self._closed:
                    raise SpeechUnavailable("speech-dispatcher closed the connection")
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    return None
                self._changed.wait(left)
            return self._finished.pop(message)

    def forget(self, message: int) -> None:
        """We will not ``wait`` for ``message`` (it was cancelled): drop its notification."""
        with self._changed:
            if self._finished.pop(message, None) is None:
                self._forgotten.add(message)

    def _command(self, line: str) -> list[str]:
        with self._command_lock:
            return self._send_locked(line)

    def _send_locked(self, line: str) -> list[str]:
        if self._closed:
            raise SpeechUnavailable("speech-dispatcher closed the connection")
        try:
            self._sock.sendall((line + "\r\n").encode("utf-8"))
        except OSError as exc:
            self._shut()
            raise SpeechUnavailable(f"speech-dispatcher went away ({exc.strerror or exc})") from None
        try:
            reply = self._replies.get(timeout=self.timeout)
        except queue.Empty:
            raise SpeechUnavailable("speech-dispatcher did not answer in time") from None
        if reply is None:
            raise SpeechUnavailable("speech-dispatcher closed the connection")
        return reply

    @staticmethod
    def _expect(reply: list[str], code: str) -> list[str]:
        if not reply[-1].startswith(code):
            raise SpeechUnavailable(f"speech-dispatcher refused: {reply[-1]}")
        return reply

    # -- the reader thread ----------------------------------------------------------------

    def _read(self) -> None:
        """Split what the server sends into replies (to the command waiting) and events."""
        stream = self._sock.makefile("rb")
        pending: list[str] = []
        try:
            for raw in stream:
                line = raw.decode("utf-8", "replace").rstrip("\r\n")
                pending.append(line)
                if len(line) >= 4 and line[3] == "-":
                    continue  # more lines of the same answer follow
                answer, pending = pending, []
                if line.startswith("7"):
                    self._event(answer)
                else:
                    self._replies.put(answer)
        except (OSError, ValueError):
            pass
        finally:
            self._closed = True
            self._replies.put(None)
            with self._changed:
                self._changed.notify_all()

    def _event(self, lines: list[str]) -> None:
        kind = _FINISHED.get(lines[-1][:3])
        if kind is None or len(lines) < 2:
            return
        message = int(lines[0][4:])
        with self._changed:
            if message in self._forgotten:
                self._forgotten.discard(message)
                return
            self._finished[message] = kind
            self._changed.notify_all()


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no user name in this environment: the name is cosmetic
        return "user"


# -- speech-dispatcher ----------------------------------------------------------------------


class SpeechDispatcherVoice:
    """Speech through speech-dispatcher, over its own protocol (helper/desktop/ssip.py).

    Rate and voice are left to the user's speech-dispatcher settings (those Orca uses), which
    is the point of this backend; only the language follows the text. "Stop" cancels our own
    messages only (``CANCEL self``), never what Orca is saying.
    """

    name = "speech-dispatcher"

    def __init__(self, follow_language: bool = True, address: Address | None = None) -> None:
        self.follow_language = follow_language
        self.address = address
        self._client = SSIPClient(address)
        self._language = self._client.default_language
        self._lock = threading.Lock()

    def _connected(self) -> SSIPClient:
        """The connection, opened again if the server went away (restarted by the desktop)."""
        with self._lock:
            if self._client.closed:
                self._client = SSIPClient(self.address)
                self._language = self._client.default_language
            return self._client

    def speak(self, text: str, lang: str | None, cancel: threading.Event) -> bool:
        client = self._connected()
        language = client.default_language
        if self.follow_language and lang and lang != "und":
            language = lang.split("-")[0].lower()
        if language and language != self._language:
            client.set_language(language)
            self._language = language
        message = client.speak(text)
        while True:
            outcome = client.wait(message, 0.02)
            if outcome is not None:
                return outcome == "end" and not cancel.is_set()
            if cancel.is_set():
                client.cancel()
                client.forget(message)
                return False

    def interrupt(self) -> None:
        with contextlib.suppress(SpeechUnavailable):
            self._client.cancel()

    def close(self) -> None:
        self._client.close()
