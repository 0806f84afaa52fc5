"""Speech: one thread owns the synthesiser; everything else talks to it through a queue.

Why one thread: speech engines (SAPI5, NSSpeech, pyttsx3's loop) must be driven from the
thread that created them, and a queue gives "stop" a single place to cut in. ``stop`` drops
everything queued and interrupts the utterance being spoken; it returns once the speech
thread has let go, which takes a few tens of milliseconds (tests/desktop/test_speech.py
measures it).

Voices, by backend:

- ``EspeakVoice`` (Linux, the ``pyttsx3`` backend there; helper/desktop/espeak.py): an
  ``espeak-ng`` process per utterance, text on its stdin, killed on "stop".
- ``Pyttsx3Voice`` (Windows SAPI5, macOS NSSpeech): pyttsx3's own engine, pumped with
  ``iterate`` so that ``stop`` can reach it between events.
- ``SpeechDispatcherVoice`` (Linux, helper/desktop/ssip.py): speech-dispatcher, the service
  Orca speaks through, so the text comes in the user's own screen-reader voice and rate.
- ``NvdaVoice`` (Windows, helper/desktop/nvda.py): NVDA's controller client, the same for NVDA.

A ``Sink`` receives the audio instead of the loudspeaker when given (espeak-ng only): tests
and benchmarks record real speech with ``WavRecorder`` and time its first sample.
"""

from __future__ import annotations

import queue
import re
import sys
import threading
import time
import wave
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from helper.alttext import table_sentences
from helper.config import DesktopSettings
from helper.desktop.espeak import EspeakVoice
from helper.desktop.nvda import NO_CLIENT_NOTE, NvdaUnavailable, NvdaVoice
from helper.desktop.ssip import SpeechDispatcherVoice
from helper.errors import SpeechUnavailable
from helper.ocr.result import Block


class Voice(Protocol):
    """A synthesiser backend. ``speak`` runs on the speech thread only; ``interrupt`` may be
    called from any thread and must make a running ``speak`` return promptly."""

    name: str

    def speak(self, text: str, lang: str | None, cancel: threading.Event) -> bool:
        """Say ``text``; block until it is said (True) or ``cancel`` is set (False)."""
        ...

    def interrupt(self) -> None:
        """Wake a running ``speak`` after its ``cancel`` was set (kill a process, cancel a call)."""
        ...

    def close(self) -> None: ...


class Sink(Protocol):
    """Where synthesised audio goes instead of the loudspeaker (16-bit mono PCM)."""

    def begin(self, sample_rate: int) -> None: ...

    def write(self, pcm: bytes) -> None: ...

    def end(self) -> None: ...

    def abort(self) -> None: ...


# -- the speech thread --------------------------------------------------------------------


@dataclass
class _Say:
    text: str
    lang: str | None
    generation: int
    cancel: threading.Event = field(default_factory=threading.Event)


class Speaker:
    """The speech thread and its queue. ``say`` queues, ``stop`` silences, both return at once
    (``stop`` after the current utterance has been cut, within ~100 ms)."""

    def __init__(self, voice: Voice) -> None:
        self.voice = voice
        self._queue: queue.Queue[_Say | None] = queue.Queue()
        self._generation = 0
        self._lock = threading.Lock()
        self._idle = threading.Event()
        self._idle.set()
        self._current: _Say | None = None
        self._thread = threading.Thread(target=self._run, name="a11y-speech", daemon=True)
        self._thread.start()

    def say(self, text: str, lang: str | None = None) -> None:
        """Queue ``text`` after whatever is being said."""
        if not text.strip():
            return
        with self._lock:
            self._idle.clear()
            self._queue.put(_Say(text, lang, self._generation))

    def stop(self, wait: float = 1.0) -> None:
        """Drop the queue and cut the current utterance; wait (bounded) until it has stopped."""
        with self._lock:
            self._generation += 1
            while True:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:  # keep a pending close
                    self._queue.put(None)
                    break
            current = self._current
            if current is None:  # nothing being said, nothing queued any more
                self._idle.set()
        if current is not None:
            current.cancel.set()
        # Always: a screen reader's voice (NVDA) may still speak what it was handed earlier.
        self.voice.interrupt()
        self._idle.wait(wait)

    @property
    def speaking(self) -> bool:
        return not self._idle.is_set()

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Wait until everything queued has been said; False on timeout."""
        return self._idle.wait(timeout)

    def close(self) -> None:
        self.stop()
        self._queue.put(None)
        self._thread.join(2.0)
        self.voice.close()

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            with self._lock:
                if item.generation != self._generation:
                    self._settle()
                    continue
                self._current = item
            try:
                self.voice.speak(item.text, item.lang, item.cancel)
            except Exception as exc:  # a broken voice must not end the thread; say it on stderr
                print(f"a11y-helper: speech failed ({type(exc).__name__}: {exc})", file=sys.stderr)
            with self._lock:
                self._current = None
                self._settle()

    def _settle(self) -> None:
        """Mark idle when nothing more is queued (called with the lock held)."""
        if self._queue.empty():
            self._idle.set()


# -- espeak-ng ------------------------------------------------------------------------------


# -- pyttsx3 (SAPI5, NSSpeech) --------------------------------------------------------------


class Pyttsx3Voice:
    """pyttsx3's engine, created and pumped on the speech thread (its drivers require that)."""

    name = "pyttsx3"

    def __init__(
        self,
        rate: int | None = None,
        voice: str | None = None,
        follow_language: bool = True,
        driver: str | None = None,
    ) -> None:
        try:
            import pyttsx3  # noqa: F401
        except ImportError as exc:
            raise SpeechUnavailable(f"pyttsx3 cannot be loaded ({exc})") from None
        self.rate, self.voice, self.follow_language, self.driver = rate, voice, follow_language, driver
        self._engine = None

    def _ensure(self):
        if self._engine is None:
            import pyttsx3

            self._engine = pyttsx3.init(self.driver) if self.driver else pyttsx3.init()
            if self.rate:
                self._engine.setProperty("rate", self.rate)
            if self.voice:
                self._engine.setProperty("voice", self.voice)
        return self._engine

    def voice_for(self, engine, lang: str | None) -> str | None:
        if not (self.follow_language and lang and lang != "und"):
            return self.voice
        primary = lang.lower().split("-")[0]
        for candidate in engine.getProperty("voices") or []:
            for language in getattr(candidate, "languages", []) or []:
                code = language.decode() if isinstance(language, bytes) else str(language)
                if code.lower().replace("_", "-").split("-")[0] == primary:
                    return candidate.id
        return self.voice

    def speak(self, text: str, lang: str | None, cancel: threading.Event) -> bool:
        engine = self._ensure()
        voice = self.voice_for(engine, lang)
        if voice:
            engine.setProperty("voice", voice)
        engine.say(text)
        engine.startLoop(False)
        try:
            engine.iterate()
            while engine.isBusy() and not cancel.is_set():
                cancel.wait(0.01)
                engine.iterate()
            if cancel.is_set():
                engine.stop()
        finally:
            engine.endLoop()
        return not cancel.is_set()

    def interrupt(self) -> None:
        """Nothing to do here: the engine belongs to the speech thread, which sees ``cancel``."""

    def close(self) -> None:
        """The engine ends with the speech thread."""


# -- choosing a voice ----------------------------------------------------------------------

#: Said first, in the built-in voice, when the configured backend cannot be used.
FALLBACK_NOTES = {
    "speech-dispatcher": "Speech dispatcher is not available, so the built-in voice is used.",
    "nvda": NO_CLIENT_NOTE,
}
FALLBACK_NOTE = FALLBACK_NOTES["speech-dispatcher"]


def screen_reader_voice(settings: DesktopSettings) -> Voice | None:
    """The screen reader's own voice the settings ask for (None: the built-in voice)."""
    if settings.speech_backend == "speech-dispatcher":
        return SpeechDispatcherVoice(settings.follow_language)
    if settings.speech_backend == "nvda":
        return NvdaVoice(settings.nvda_client_dll)
    return None


def make_voice(settings: DesktopSettings, sink: Sink | None = None) -> tuple[Voice, str | None]:
    """The voice the settings ask for, and a note to speak first when we had to fall back.

    ``sink`` records the built-in voice (tests, benchmarks); a screen reader's voice is
    still preferred when the settings name one.
    """
    note = None
    try:
        voice = screen_reader_voice(settings)
        if voice is not None:
            return voice, None
    except NvdaUnavailable as exc:
        note = exc.note
    except SpeechUnavailable:
        note = FALLBACK_NOTES.get(settings.speech_backend, FALLBACK_NOTE)
    if sys.platform.startswith("linux") or sink is not None:
        try:
            return EspeakVoice(settings.rate, settings.voice, settings.follow_language, sink), note
        except SpeechUnavailable:
            if sink is not None:
                raise
    return Pyttsx3Voice(settings.rate, settings.voice, settings.follow_language), note


# -- recording sink ----------------------------------------------------------------------


@dataclass
class WavRecorder:
    """A sink that keeps audio in memory and can write it as a WAV file (tests, benchmarks).

    With ``realtime`` it accepts audio no faster than a sound card would play it (keeping
    ``buffer_s`` ahead), so "stop" cuts it at the point a listener would have heard.
    """

    realtime: bool = True
    buffer_s: float = 0.1
    sample_rate: int = 22050
    pcm: bytearray = field(default_factory=bytearray)
    #: ``time.perf_counter()`` of the first sample of the first utterance, and of each utterance.
    first_sample_at: float | None = None
    utterance_starts: list[float] = field(default_factory=list)
    utterances: int = 0
    aborted: int = 0
    on_first_sample: Callable[[], None] | None = None

    def __post_init__(self) -> None:
        self._wake = threading.Event()
        self._started = 0.0
        self._written = 0
        self._lock = threading.Lock()

    def begin(self, sample_rate: int) -> None:
        with self._lock:
            self.sample_rate = sample_rate
            self._wake.clear()
            self._started = time.perf_counter()
            self._written = 0
            self.utterance_starts.append(self._started)

    def write(self, pcm: bytes) -> None:
        with self._lock:
            if self.first_sample_at is None:
                self.first_sample_at = time.perf_counter()
                if self.on_first_sample:
                    self.on_first_sample()
            self.pcm += pcm
            self._written += len(pcm) // 2
            due = self._started + self._written / self.sample_rate - self.buffer_s
        if self.realtime:
            self._wake.wait(max(0.0, due - time.perf_counter()))

    def end(self) -> None:
        with self._lock:
            self.utterances += 1

    def abort(self) -> None:
        self._wake.set()
        with self._lock:
            self.aborted += 1

    @property
    def seconds(self) -> float:
        return len(self.pcm) / 2 / self.sample_rate

    def save(self, path: str) -> None:
        with wave.open(path, "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(self.sample_rate)
            out.writeframes(bytes(self.pcm))


def spell(text: str) -> str:
    """A line letter by letter, the way a screen reader spells: "O, K, space, 4, 2"."""
    names = {" ": "space", ".": "dot", ",": "comma", "-": "dash", "@": "at", "/": "slash", ":": "colon"}
    parts = []
    for ch in text:
        if ch.isupper():
            parts.append(f"capital {ch}")
        else:
            parts.append(names.get(ch, ch))
    return ", ".join(parts)


_SPACES = re.compile(r"\s+")


def tidy(text: str) -> str:
    """One line of speech: a synthesiser pauses on punctuation, not on our line breaks."""
    return _SPACES.sub(" ", text).strip()


def spoken_block(block: Block) -> str:
    """A block as one utterance: a table as "Table, 3 rows: …" read row by row with a pause
    between cells (the same words as the alt text), any other block line by line."""
    if block.table is not None:
        return table_sentences(block.table)
    return spoken_lines([line.text for line in block.lines])


def spoken_lines(lines: list[str]) -> str:
    """A block's lines as one utterance: a line that does not end a sentence gets a full stop,
    so the synthesiser pauses between lines as a sighted reader's eye does."""
    parts = [tidy(line) for line in lines if line.strip()]
    return " ".join(p if p[-1] in ".!?:;," else p + "." for p in parts)
