"""Speech through NVDA's controller client (Windows): the text in the user's NVDA voice and rate.

NV Access publishes ``nvdaControllerClient.dll``, a small library that hands text to a running
NVDA. We load it with ctypes and use three of its functions, each returning 0 on success or a
Windows error code:

- ``nvdaController_testIfRunning()``: is NVDA there to talk to?
- ``nvdaController_speakText(const wchar_t *text)``: queue text in NVDA's speech;
- ``nvdaController_cancelSpeech()``: silence NVDA's speech (as its own Ctrl key does).

We do not ship the DLL: it is a Windows binary built and licensed by NV Access (the controller
client is LGPL 2.1, separate from this project's licence), it must match the architecture of
the Python that loads it, and it is updated with NVDA. Users name it in the settings file
(``nvda_client_dll``, a file or the folder holding it) or put it next to our package.

``speakText`` returns as soon as NVDA has queued the text, without saying when it was spoken;
NVDA speaks queued text in order, so ``speak`` returns at once and "stop" cancels NVDA's
speech, which is what stops ours.
"""

from __future__ import annotations

import os
import struct
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from helper.errors import SpeechUnavailable

#: Said (in the built-in voice) when the settings ask for NVDA and it cannot be used.
NOT_RUNNING_NOTE = "NVDA is not running, so the built-in voice is used."
NO_CLIENT_NOTE = "NVDA's controller client was not found, so the built-in voice is used."


class NvdaUnavailable(SpeechUnavailable):
    """NVDA cannot be spoken through; ``note`` is what to say before the built-in voice speaks."""

    def __init__(self, message: str, note: str) -> None:
        super().__init__(message)
        self.note = note


def dll_names(bits: int | None = None) -> tuple[str, ...]:
    """The client's file names for this Python: NVDA ships ``nvdaControllerClient64.dll`` /
    ``nvdaControllerClient32.dll`` in older releases, one ``nvdaControllerClient.dll`` per
    architecture folder in newer ones."""
    bits = bits or struct.calcsize("P") * 8
    return (f"nvdaControllerClient{bits}.dll", "nvdaControllerClient.dll")


def find_dll(configured: str | None, bits: int | None = None) -> Path | None:
    """The configured file (or a client inside the configured folder), else one next to our
    package; ``None`` when there is none."""
    names = dll_names(bits)
    package = Path(__file__).resolve().parents[1]  # the helper/ folder
    folders: list[Path] = []
    if configured:
        path = Path(os.path.expanduser(configured))
        if path.is_file():
            return path
        folders.append(path)
    folders += [package, package.parent]
    for folder in folders:
        for name in names:
            if (folder / name).is_file():
                return folder / name
    return None


def _load_windows_dll(path: Path) -> Any:  # pragma: no cover - Windows only
    import ctypes

    library = ctypes.WinDLL(str(path))  # type: ignore[attr-defined]
    library.nvdaController_speakText.argtypes = [ctypes.c_wchar_p]
    for name in ("nvdaController_testIfRunning", "nvdaController_speakText", "nvdaController_cancelSpeech"):
        getattr(library, name).restype = ctypes.c_ulong
    return library


class NvdaVoice:
    """NVDA as the voice. ``library`` is the loaded client; tests pass a stand-in object,
    since the real one runs only on Windows with NVDA."""

    name = "nvda"

    def __init__(
        self,
        dll: str | None = None,
        library: Any = None,
        loader: Callable[[Path], Any] | None = None,
    ) -> None:
        if library is None:
            if sys.platform != "win32" and loader is None:
                raise NvdaUnavailable("NVDA's controller client runs only on Windows", NO_CLIENT_NOTE)
            path = find_dll(dll)
            if path is None:
                raise NvdaUnavailable(
                    f"NVDA's controller client ({' or '.join(dll_names())}) was not found; set "
                    "nvda_client_dll in the [desktop] table of the settings file",
                    NO_CLIENT_NOTE,
                )
            try:
                library = (loader or _load_windows_dll)(path)
            except OSError as exc:
                raise NvdaUnavailable(
                    f"NVDA's controller client {path} cannot be loaded ({exc}); it must match this "
                    f"Python ({struct.calcsize('P') * 8}-bit)",
                    NO_CLIENT_NOTE,
                ) from None
        self._library = library
        status = library.nvdaController_testIfRunning()
        if status != 0:
            raise NvdaUnavailable(f"NVDA is not running (error {status})", NOT_RUNNING_NOTE)
        self._lock = threading.Lock()

    def speak(self, text: str, lang: str | None, cancel: threading.Event) -> bool:
        """Queue ``text`` in NVDA (its own voice settings choose the language)."""
        if cancel.is_set():
            return False
        with self._lock:
            status = self._library.nvdaController_speakText(text)
        if status != 0:
            raise SpeechUnavailable(f"NVDA did not take the text (error {status}); is it still running?")
        return True

    def interrupt(self) -> None:
        with self._lock:
            self._library.nvdaController_cancelSpeech()

    def close(self) -> None:
        """The DLL stays loaded for the life of the process, as Windows keeps it anyway."""
