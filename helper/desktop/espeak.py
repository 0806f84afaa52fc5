"""espeak-ng as the built-in voice on Linux: a child process per utterance, text on its stdin.

We drive espeak-ng ourselves rather than through pyttsx3's espeak driver because that driver
(2.99) synthesises a whole utterance into a temporary WAV file and plays it with a blocking
``aplay``: the recognised text would touch the disk as audio and "stop" could not interrupt
it. Killing our process stops speech at once. With a ``Sink`` (helper/desktop/speech.py) the
audio goes there instead of the loudspeaker: tests and benchmarks record real speech.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

from helper.errors import SpeechUnavailable

if TYPE_CHECKING:
    from helper.desktop.speech import Sink


@dataclass(frozen=True)
class _EspeakVoiceInfo:
    language: str
    identifier: str


class EspeakVoice:
    """espeak-ng as a child process: starts in milliseconds, and dies at once on "stop"."""

    name = "espeak-ng"

    def __init__(
        self,
        rate: int | None = None,
        voice: str | None = None,
        follow_language: bool = True,
        sink: Sink | None = None,
        executable: str | None = None,
    ) -> None:
        self.executable = executable or shutil.which("espeak-ng") or shutil.which("espeak")
        if not self.executable:
            raise SpeechUnavailable(
                "espeak-ng is not installed (on Debian/Ubuntu: sudo apt install espeak-ng)"
            )
        self.rate = rate
        self.voice = voice
        self.follow_language = follow_language
        self.sink = sink
        self._process: subprocess.Popen | None = None
        self._lock = threading.Lock()
        self._voices: list[_EspeakVoiceInfo] | None = None

    def voices(self) -> list[_EspeakVoiceInfo]:
        if self._voices is None:
            listing = subprocess.run(
                [self.executable, "--voices"], capture_output=True, text=True, timeout=10, check=False
            ).stdout
            found = []
            for row in listing.splitlines()[1:]:
                cols = row.split()
                if len(cols) >= 5:
                    found.append(_EspeakVoiceInfo(cols[1].lower(), cols[4]))
            self._voices = found
        return self._voices

    def voice_for(self, lang: str | None) -> str | None:
        """The configured voice, unless the text's language has a voice of its own."""
        if self.follow_language and lang and lang != "und":
            wanted = lang.lower()
            primary = wanted.split("-")[0]
            voices = self.voices()
            if self.voice and self.voice.lower().split("-")[0] == primary:
                return self.voice
            for info in voices:
                if info.language == wanted:
                    return info.language
            if any(info.language.split("-")[0] == primary for info in voices):
                return primary  # espeak-ng picks its main voice for the language ("en" → British)
        return self.voice

    def speak(self, text: str, lang: str | None, cancel: threading.Event) -> bool:
        argv = [self.executable]
        voice = self.voice_for(lang)
        if voice:
            argv += ["-v", voice]
        if self.rate:
            argv += ["-s", str(self.rate)]
        if self.sink is not None:
            argv.append("--stdout")
        with self._lock:
            # The text goes through stdin, never the command line, which other users can list.
            self._process = subprocess.Popen(
                argv,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE if self.sink is not None else subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        process = self._process
        try:
            assert process.stdin is not None
            with contextlib.suppress(BrokenPipeError):
                process.stdin.write(text.encode("utf-8"))
                process.stdin.close()
            if self.sink is not None and not cancel.is_set():
                self._pump(process, self.sink, cancel)
            while process.poll() is None and not cancel.is_set():
                cancel.wait(0.02)
            return not cancel.is_set()
        finally:
            if process.poll() is None:
                process.kill()
            process.wait()
            with self._lock:
                self._process = None

    def _pump(self, process: subprocess.Popen, sink: Sink, cancel: threading.Event) -> None:
        """Copy espeak-ng's WAV stream to the sink as it is produced, chunk by chunk."""
        stream = process.stdout
        assert stream is not None
        header = stream.read(44)
        if len(header) < 44 or header[:4] != b"RIFF":
            return
        sink.begin(int.from_bytes(header[24:28], "little"))
        try:
            while not cancel.is_set():
                chunk = stream.read1(2048)  # ≈ 46 ms at 22 kHz: the granularity of "stop"
                if not chunk:
                    break
                sink.write(chunk)
        finally:
            if cancel.is_set():
                sink.abort()
            else:
                sink.end()

    def interrupt(self) -> None:
        with self._lock:
            process = self._process
            if process is not None and process.poll() is None:
                process.kill()
        if process is not None and self.sink is not None:
            self.sink.abort()  # wake a sink that is pacing audio out

    def close(self) -> None:
        self.interrupt()
