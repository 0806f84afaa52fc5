"""The desktop front door: hotkeys → capture → OCR → speech, navigation and clipboard.

``Desktop(engine, settings).start()`` / ``.stop()``: a component with its own threads that
borrows an existing engine, so it runs alone (``a11y-helper desktop``) or inside the daemon.

Threads: pynput's listener only queues work; one worker thread captures and recognises (one
reading at a time, in order); the speech thread speaks; continuous mode has its own. "Stop"
is handled on the listener thread itself, so it never waits behind a recognition.

Streaming: a result is spoken block by block in reading order, each block queued as its own
utterance, so speech starts with the first block; on several monitors the first monitor is
spoken while the next is being recognised.
"""

from __future__ import annotations

import contextlib
import queue
import subprocess
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Future

from helper.alttext import nothing_read
from helper.config import DesktopSettings
from helper.desktop import clipboard, viewer
from helper.desktop.capture import Frame, Rect, Screen, active_window_rect, around_pointer
from helper.desktop.continuous import Continuous
from helper.desktop.hotkeys import Hotkeys
from helper.desktop.navigator import Navigator, Reading
from helper.desktop.review import ReviewActions
from helper.desktop.speech import Speaker, Voice, make_voice, spoken_block, spoken_lines
from helper.errors import CaptureError, HelperError
from helper.ocr import Engine
from helper.ocr.result import Block, Line, Result

READ_ACTIONS = ("read_screen", "read_window", "read_mouse", "read_region")

#: Called with ("speak" | "clipboard", text) for everything the desktop outputs; tests and
#: the daemon listen here. Nothing is logged by default: recognised text stays private.
OutputListener = Callable[[str, str], None]


class Desktop(ReviewActions):
    def __init__(
        self,
        engine: Engine,
        settings: DesktopSettings | None = None,
        voice: Voice | None = None,
        on_output: OutputListener | None = None,
        hotkeys: bool = True,
        on_error: Callable[[HelperError], None] | None = None,
    ) -> None:
        self.engine = engine
        self.settings = settings or DesktopSettings()
        self.navigator = Navigator(self.settings.history)
        self._voice = voice
        self._on_output = on_output
        self._on_error = on_error
        self._use_hotkeys = hotkeys
        self._work: queue.Queue[Callable[[], None] | None] = queue.Queue()
        self._worker: threading.Thread | None = None
        self._hotkeys: Hotkeys | None = None
        self._continuous: Continuous | None = None
        self._last_areas: list[tuple[Rect, str]] = []
        self._last_spoken: list[tuple[str, str | None]] = []
        self._epoch = 0
        self._lock = threading.Lock()
        self._screen: Screen | None = None
        self.speaker: Speaker | None = None
        self.busy = threading.Event()  # set while a reading is captured/recognised
        self._question: Future[bool] | None = None
        #: Text views we opened: closed with the desktop, so none outlives it unowned.
        self._viewers: list[subprocess.Popen] = []

    # -- life cycle -------------------------------------------------------------------

    def start(self) -> Desktop:
        """Start speech, the worker and (unless disabled) the hotkey listener."""
        note = None
        if self.settings.output != "clipboard":
            voice = self._voice
            if voice is None:
                voice, note = make_voice(self.settings)
            self.speaker = Speaker(voice)
        self._worker = threading.Thread(target=self._work_loop, name="a11y-desktop", daemon=True)
        self._worker.start()
        if note:
            self._say(note, None)  # the user chose that backend: they must hear why it is not used
        if self._use_hotkeys:
            actions = {name: self._action(name) for name, _ in self.settings.hotkeys if name != "stop"}
            actions["stop"] = self.stop_speech  # at once, on the listener thread
            try:
                lone_ctrl = self.stop_speech if self.settings.stop_on_ctrl else None
                self._hotkeys = Hotkeys(self.settings.hotkey_map, actions, lone_ctrl)
                self._hotkeys.start()
            except HelperError:
                self._hotkeys = None
                self.stop()  # leave no thread behind; the caller says what went wrong
                raise
        return self

    def stop(self) -> None:
        """Stop every thread we started; the engine stays with its owner."""
        if self._hotkeys is not None:
            self._hotkeys.stop()
            self._hotkeys = None
        if self._continuous is not None:
            self._continuous.stop()
            self._continuous = None
        if self._worker is not None:
            self._work.put(None)
            self._worker.join(30.0)
            self._worker = None
        if self.speaker is not None:
            self.speaker.close()
            self.speaker = None
        for view in self._viewers:
            viewer.close(view)
        self._viewers.clear()
        self.navigator.clear()

    def __enter__(self) -> Desktop:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- actions (any thread) ---------------------------------------------------------

    def do(self, action: str) -> None:
        """Run an action as its hotkey would: ``stop`` at once, everything else in turn."""
        if action == "stop":
            self.stop_speech()
        else:
            self._action(action)()

    def stop_speech(self) -> None:
        """Silence now, and drop what a reading in progress was about to say."""
        with self._lock:
            self._epoch += 1
        if self.speaker is not None:
            self.speaker.stop()

    def wait_idle(self, timeout: float = 30.0) -> bool:
        """Wait until queued actions are done and everything is said (tests, ``--once``)."""
        done = threading.Event()
        self._work.put(done.set)
        if not done.wait(timeout):
            return False
        return self.speaker is None or self.speaker.wait_idle(timeout)

    @property
    def continuous(self) -> Continuous | None:
        return self._continuous

    def _action(self, name: str) -> Callable[[], None]:
        handlers: dict[str, Callable[[], None]] = {
            "repeat": self._repeat,
            "next_line": lambda: self._speak_line(self.navigator.next_line(), "End of text."),
            "previous_line": lambda: self._speak_line(self.navigator.previous_line(), "Start of text."),
            "first_line": lambda: self._speak_line(self.navigator.first_line(), ""),
            "last_line": lambda: self._speak_line(self.navigator.last_line(), ""),
            "next_block": lambda: self._speak_line(self.navigator.next_block(), "No more blocks."),
            "previous_block": lambda: self._speak_line(self.navigator.previous_block(), "First block."),
            "spell_line": self._spell,
            "copy": self._copy,
            "move_mouse": lambda: self._point(click=False),
            "click": lambda: self._point(click=True),
            "continuous": self._toggle_continuous,
            "view": self._view,
            "allow": lambda: self._answer(True),
            "deny": lambda: self._answer(False),
        }
        if name in READ_ACTIONS:
            return lambda: self._submit(lambda: self._read(name))
        handler = handlers.get(name)
        if handler is None:
            raise ValueError(f"unknown action {name!r}")
        return lambda: self._submit(handler)

    def ask(self, question: str) -> Future[bool]:
        """Say a yes/no question; the ``allow`` and ``deny`` hotkeys answer it.

        The daemon asks this way when a browser extension wants to pair, so a user without the
        daemon's terminal can still decide. A newer question replaces an unanswered one (which
        is answered no).
        """
        future: Future[bool] = Future()
        with self._lock:
            if self._question is not None and not self._question.done():
                self._question.set_result(False)
            self._question = future
        allow, deny = self.settings.hotkey_map.get("allow", ""), self.settings.hotkey_map.get("deny", "")
        self._submit(lambda: self._say(f"{question} Press {allow} to allow, {deny} to refuse.", "en"))
        return future

    def _answer(self, allowed: bool) -> None:
        with self._lock:
            question, self._question = self._question, None
        if question is None or question.done():
            self._say("There is no question to answer.", "en")
            return
        question.set_result(allowed)
        self._say("Allowed." if allowed else "Refused.", "en")

    def _submit(self, job: Callable[[], None]) -> None:
        self._work.put(job)

    # -- the worker -------------------------------------------------------------------

    def _work_loop(self) -> None:
        try:
            while True:
                job = self._work.get()
                if job is None:
                    return
                try:
                    job()
                except HelperError as exc:
                    self._fail(exc)
                except Exception as exc:  # a bug of ours must not end the desktop
                    self._fail(HelperError(f"Something went wrong ({type(exc).__name__}). Try again."))
        finally:
            if self._screen is not None:
                self._screen.close()
                self._screen = None

    def _screen_now(self) -> Screen:
        if self._screen is None:
            self._screen = Screen()
        return self._screen

    def _areas(self, action: str, screen: Screen) -> list[tuple[Rect, str]]:
        if action == "read_screen":
            return screen.each_monitor()
        if action == "read_window":
            return [(active_window_rect(), "the active window")]
        if action == "read_mouse":
            return [(around_pointer(self.settings.mouse_area), "the area around the mouse")]
        if self.settings.region is None:
            raise CaptureError(
                "No region is set. Add region = [x, y, width, height] to the [desktop] table of "
                "the settings file, or read the active window instead."
            )
        return [(Rect(*self.settings.region), "the configured region")]

    def _read(self, action: str) -> None:
        with self._lock:
            self._epoch += 1
            epoch = self._epoch
        if self.speaker is not None:
            self.speaker.stop()
        self.busy.set()
        try:
            screen = self._screen_now()
            areas = self._areas(action, screen)
            self._last_areas = areas
            self._last_spoken = []
            copied: list[str] = []  # clipboard mode: all monitors in one clipboard text
            for area, what in areas:
                frame = screen.grab(area, what)
                prefix = f"{what.capitalize()}. " if len(areas) > 1 else ""
                early: list[str] = []

                def first_block(blocks: tuple[Block, ...], prefix: str = prefix, early: list = early) -> None:
                    """Speak the first block while the engine reads the rest (streaming)."""
                    if epoch != self._epoch:
                        return
                    early.extend(block.text for block in blocks)
                    for i, block in enumerate(blocks):
                        text = spoken_block(block)
                        self._say((prefix if i == 0 else "") + text, self.settings.lang, True)

                streaming = first_block if self.settings.output != "clipboard" else None
                result = self.engine.recognize(
                    frame.pixels, lang=self.settings.lang, on_first_block=streaming
                )
                self.navigator.add(Reading.of(result, frame))  # navigable even if silenced
                if epoch != self._epoch:
                    return  # stopped (or superseded) while recognising: say nothing more
                if self.settings.output == "clipboard":
                    copied.append(prefix + (result.text if result.has_text else nothing_read(result, what)))
                else:
                    self._announce(result, frame.what, prefix, solicited=True, already=early)
            if copied:
                self._emit("clipboard", "\n\n".join(copied))
        finally:
            self.busy.clear()

    def _recognize(self, frame: Frame) -> Result:
        return self.engine.recognize(frame.pixels, lang=self.settings.lang)

    def _announce(
        self,
        result: Result,
        what: str,
        prefix: str,
        solicited: bool,
        lines: list[Line] | None = None,
        already: list[str] | None = None,
    ) -> None:
        """Say a result block by block, each its own utterance, skipping the blocks ``already``
        spoken from the engine's preview (when the full reading starts with the same text)."""
        lang = result.language.code if result.language.code != "und" else self.settings.lang
        if self.settings.output == "clipboard":
            if lines is not None:
                self._emit("clipboard", "\n".join(line.text for line in lines))
            else:
                self._emit("clipboard", result.text if result.has_text else nothing_read(result, what))
            return
        if lines is not None:
            chunks = [spoken_lines([line.text]) for line in lines]
        elif result.has_text:
            blocks = list(result.blocks)
            if already and [b.text for b in blocks[: len(already)]] == already:
                blocks, prefix = blocks[len(already) :], ""
            chunks = [spoken_block(block) for block in blocks]
        else:
            self._say(prefix + nothing_read(result, what), None, solicited)
            return
        for i, chunk in enumerate(chunks):
            self._say((prefix if i == 0 else "") + chunk, lang, solicited)

    # -- output -----------------------------------------------------------------------

    def _say(self, text: str, lang: str | None, solicited: bool = True) -> None:
        """Speak (or copy, in clipboard mode); unsolicited speech only in ``speak`` mode."""
        if not text:
            return
        if self.settings.output == "clipboard":
            self._emit("clipboard", text)
            return
        if not solicited and self.settings.output != "speak":
            return
        self._last_spoken.append((text, lang))
        if self._on_output:
            self._on_output("speak", text)
        assert self.speaker is not None
        self.speaker.say(text, lang)

    def _emit(self, kind: str, text: str) -> None:
        if kind == "clipboard":
            clipboard.copy(text)
        if self._on_output:
            self._on_output(kind, text)

    def _fail(self, error: HelperError) -> None:
        """Failures are said, with what to do; stderr gets the code (never any content)."""
        print(f"a11y-helper: error {error.code}: {error.message}", file=sys.stderr, flush=True)
        if self._on_error:
            self._on_error(error)
        with contextlib.suppress(HelperError):  # the clipboard may be what failed
            self._say(error.message, None, solicited=True)

    # -- continuous mode --------------------------------------------------------------

    def _toggle_continuous(self) -> None:
        self._fresh_utterance()
        if self._continuous is not None:
            self._continuous.stop()
            self._continuous = None
            self._say("Continuous reading off.", None)
            return
        areas = self._last_areas
        if self.settings.region is not None and not areas:
            areas = [(Rect(*self.settings.region), "the configured region")]
        if not areas:
            areas = [(active_window_rect(), "the active window")]
        self._continuous = Continuous(
            areas,
            self._recognize,
            self._continuous_news,
            self._continuous_failed,
            self.settings.continuous_interval_s,
        )
        self._say(f"Continuous reading of {areas[0][1]} on.", None)
        self._continuous.start()

    def _continuous_news(self, frame: Frame, result: Result, fresh: list[Line]) -> None:
        self.navigator.add(Reading.of(result, frame))
        self._announce(result, frame.what, "", solicited=False, lines=fresh)

    def _continuous_failed(self, exc: Exception) -> None:
        self._continuous = None
        error = exc if isinstance(exc, HelperError) else HelperError(f"Continuous reading stopped ({exc}).")
        self._fail(error)
