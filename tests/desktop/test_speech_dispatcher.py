"""Speech through a real speech-dispatcher, started by the test with its own settings.

There is no sound card here, so the server's only output module is a generic one whose
command (tests/desktop/speechd_sink.py) synthesises each utterance with espeak-ng and writes
the audio to a WAV file at the pace a sound card would play it; the server's own audio layer
goes to libao's null driver. Everything between our code and that module is the real server:
its socket, protocol, queue, language switching and cancelling.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
import time
import wave
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from helper.config import DesktopSettings
from helper.desktop import speech
from helper.desktop.espeak import EspeakVoice
from helper.desktop.speech import (
    FALLBACK_NOTE,
    Speaker,
    WavRecorder,
    make_voice,
)
from helper.desktop.ssip import Address, SpeechDispatcherVoice
from helper.errors import SpeechUnavailable
from tests.conftest import words
from tests.desktop.conftest import wait_for
from tests.desktop.test_speech import LONG, wav_stats

HERE = Path(__file__).parent
MODULE_DIRS = ("/usr/lib/speech-dispatcher-modules", "/usr/lib/x86_64-linux-gnu/speech-dispatcher-modules")

MODULE_CONF = """\
GenericExecuteSynth "printf %s \\'$DATA\\' | {python} {sink} {out} $VOICE $RATE"
GenericCmdDependency "espeak-ng"
GenericRateAdd 175
GenericRateMultiply 1
GenericRateForceInteger 1
GenericLanguage "en" "en-us" "utf-8"
GenericLanguage "de" "de" "utf-8"
AddVoice "en" "MALE1" "en-us"
AddVoice "de" "MALE1" "de"
"""

SERVER_CONF = """\
LogLevel 3
LogDir "{log}"
AudioOutputMethod "libao"
AddModule "testsink" "sd_generic" "testsink.conf"
DefaultModule testsink
DefaultLanguage "en"
"""


@dataclass
class SpeechDispatcher:
    """A running server and the folder its "sound card" writes to."""

    address: Address
    out: Path
    log: Path

    def utterances(self) -> list[tuple[str, str, Path]]:
        """(language, text, wav) for each utterance the server synthesised, in order."""
        found = []
        for text_file in sorted(self.out.glob("*.txt")):
            language = text_file.stem.split("-", 1)[1]
            found.append((language, text_file.read_text("utf-8"), text_file.with_suffix(".wav")))
        return found

    def audio_bytes(self) -> int:
        return sum(wav.stat().st_size for wav in self.out.glob("*.wav"))

    def audio_seconds(self) -> float:
        return sum(_heard(wav) for *_, wav in self.utterances())

    def log_tail(self) -> str:
        text = "".join(p.read_text(errors="replace") for p in sorted(self.log.glob("*.log")))
        return text[-3000:]


def _heard(wav: Path) -> float:
    """Seconds in one utterance's file so far; none while the sink has not written its header."""
    try:
        return wav_stats(wav)[0]
    except (FileNotFoundError, EOFError, wave.Error):
        return 0.0


def _module_dir() -> str | None:
    for folder in MODULE_DIRS:
        if os.path.exists(os.path.join(folder, "sd_generic")):
            return folder
    found = glob.glob("/usr/lib/*/speech-dispatcher-modules/sd_generic")
    return os.path.dirname(found[0]) if found else None


@pytest.fixture
def speechd(tmp_path, monkeypatch, espeak) -> Iterator[SpeechDispatcher]:
    server = shutil.which("speech-dispatcher")
    modules = _module_dir()
    if not server or not modules:
        pytest.skip("speech-dispatcher is not installed (Debian: apt install speech-dispatcher)")
    conf, out, log, home = (tmp_path / name for name in ("conf", "out", "log", "home"))
    for folder in (conf / "modules", out, log, home):
        folder.mkdir(parents=True)
    (conf / "speechd.conf").write_text(SERVER_CONF.format(log=log))
    (conf / "modules" / "testsink.conf").write_text(
        MODULE_CONF.format(python=sys.executable, sink=HERE / "speechd_sink.py", out=out)
    )
    (home / ".libao").write_text("default_driver=null\n")  # the server's own audio: nowhere
    socket_path = tmp_path / "speechd.sock"
    process = subprocess.Popen(
        [server, "--run-single", "--timeout", "0", "--config-dir", str(conf), "--module-dir", modules,
         "--communication-method", "unix_socket", "--socket-path", str(socket_path),
         "--pid-file", str(tmp_path / "speechd.pid"), "--log-dir", str(log)],
        env=dict(os.environ, HOME=str(home)),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_for(lambda: process.poll() is not None or socket_path.exists(), 10.0, "speech-dispatcher")
        if process.poll() is not None:
            tail = SpeechDispatcher(Address(), out, log).log_tail()
            raise AssertionError(f"speech-dispatcher did not start:\n{tail}")
        monkeypatch.setenv("SPEECHD_ADDRESS", f"unix_socket:{socket_path}")
        yield SpeechDispatcher(Address(path=str(socket_path)), out, log)
    finally:
        process.terminate()
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()


def test_text_reaches_speech_dispatcher_and_is_spoken(speechd):
    sent = "Hello world. This is a test of the speech output."
    speaker = Speaker(SpeechDispatcherVoice())  # the address comes from SPEECHD_ADDRESS
    try:
        start = time.perf_counter()
        speaker.say(sent, "en")
        assert speaker.wait_idle(20), speechd.log_tail()
        took = time.perf_counter() - start
    finally:
        speaker.close()
    said = speechd.utterances()
    assert said, speechd.log_tail()
    assert words(" ".join(text for _, text, _ in said)) == words(sent)
    assert {language for language, _, _ in said} == {"en-us"}
    seconds = speechd.audio_seconds()
    rms = max(wav_stats(wav)[1] for *_, wav in said)
    voiced = min(wav_stats(wav)[2] for *_, wav in said)
    print(f"speech-dispatcher: {seconds:.2f} s of audio, say → idle {took:.2f} s")
    # 10 words at 175 words a minute ≈ 3.4 s; the module splits sentences, pauses vary.
    assert 2.0 < seconds < 6.0, seconds
    assert rms > 500 and voiced > 0.4, (rms, voiced)
    # say() returned only when the server said the message was over: the audio was played out.
    assert took > seconds * 0.8, (took, seconds)


def test_the_language_follows_the_text_and_returns(speechd):
    speaker = Speaker(SpeechDispatcherVoice())
    try:
        speaker.say("Die Zeitschrift liegt auf dem Tisch.", "de")
        speaker.say("No text found in the active window.", None)  # the user's own language again
        assert speaker.wait_idle(20), speechd.log_tail()
    finally:
        speaker.close()
    languages = [language for language, _, _ in speechd.utterances()]
    assert languages == ["de", "en-us"], languages


def test_stop_cancels_speech_in_speech_dispatcher(speechd):
    full_seconds = len(words(LONG)) / 175 * 60  # ≈ 22 s if it were all said
    speaker = Speaker(SpeechDispatcherVoice())
    try:
        speaker.say(LONG, "en")
        speaker.say("This must never be said.", "en")
        wait_for(lambda: speechd.audio_seconds() > 0.5, 15.0, "speech to start")
        start = time.perf_counter()
        speaker.stop()
        latency = time.perf_counter() - start
        assert not speaker.speaking
        # The server kills the output module's process: watch the audio until it has not grown
        # for half a second (a loaded machine can be slow to schedule the kill; the bound on
        # silent_after below is what the user hears), or until 3 s have passed.
        size, silent_after = speechd.audio_bytes(), 0.0
        while (now := time.perf_counter() - start) < 3.0 and now - silent_after < 0.5:
            time.sleep(0.005)
            if speechd.audio_bytes() != size:
                size, silent_after = speechd.audio_bytes(), time.perf_counter() - start
        heard = speechd.audio_seconds()
        time.sleep(0.3)
        assert speechd.audio_seconds() == heard, "audio kept coming after stop"
        # Speech goes on afterwards: the connection and the server are fine.
        speaker.say("Still here.", "en")
        assert speaker.wait_idle(10)
    finally:
        speaker.close()
    texts = [text for _, text, _ in speechd.utterances()]
    print(
        f"speech-dispatcher stop: returns in {latency * 1000:.1f} ms, audio stops after "
        f"{silent_after * 1000:.0f} ms; heard {heard:.2f} s of {full_seconds:.0f} s"
    )
    assert latency < 0.1, latency
    assert silent_after < 0.5, silent_after
    assert heard < 3.0, heard
    assert not any("never" in words(text) for text in texts), texts
    assert words(texts[-1]) == ["still", "here"]


def test_desktop_reads_a_window_through_speech_dispatcher(speechd, tk_window, engine):
    from helper.desktop import Desktop

    tk_window([["Quarterly report summary"], ["Press Continue to proceed"]])
    desktop = Desktop(engine, DesktopSettings(speech_backend="speech-dispatcher"), hotkeys=False)
    desktop.start()
    try:
        assert isinstance(desktop.speaker.voice, SpeechDispatcherVoice)
        desktop.do("read_window")
        assert desktop.wait_idle(30), speechd.log_tail()
    finally:
        desktop.stop()
    said = words(" ".join(text for _, text, _ in speechd.utterances()))
    assert said.index("quarterly") < said.index("summary") < said.index("continue"), said
    assert speechd.audio_seconds() > 1.5


def test_unreachable_server_is_speech_unavailable(tmp_path, monkeypatch):
    """Nothing listens at the address and there is no server to start: a clear error."""
    monkeypatch.setenv("SPEECHD_ADDRESS", f"unix_socket:{tmp_path / 'nobody.sock'}")
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(SpeechUnavailable, match="not running") as caught:
        SpeechDispatcherVoice()
    assert caught.value.code == "speech_unavailable"


@pytest.fixture
def no_speech_dispatcher(tmp_path, monkeypatch, espeak) -> None:
    """A machine without speech-dispatcher: no server at the address, none on PATH to start,
    espeak-ng still there for the built-in voice."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "espeak-ng").symlink_to(espeak)
    monkeypatch.setenv("PATH", str(bin_dir))
    monkeypatch.setenv("SPEECHD_ADDRESS", f"unix_socket:{tmp_path / 'nobody.sock'}")


def test_without_speech_dispatcher_the_built_in_voice_says_so(no_speech_dispatcher, tmp_path):
    recorder = WavRecorder(realtime=False)
    voice, note = make_voice(DesktopSettings(speech_backend="speech-dispatcher"), sink=recorder)
    assert isinstance(voice, EspeakVoice)
    assert note == FALLBACK_NOTE == speech.FALLBACK_NOTES["speech-dispatcher"]
    speaker = Speaker(voice)
    try:
        speaker.say(note, "en")
        assert speaker.wait_idle(10)
    finally:
        speaker.close()
    recorder.save(str(tmp_path / "note.wav"))
    seconds, rms, voiced = wav_stats(tmp_path / "note.wav")
    assert 2.0 < seconds < 8.0 and rms > 500 and voiced > 0.4, (seconds, rms, voiced)


def test_desktop_says_why_it_fell_back_to_the_built_in_voice(no_speech_dispatcher, engine):
    from helper.desktop import Desktop

    said: list[tuple[str, str]] = []
    desktop = Desktop(
        engine,
        DesktopSettings(speech_backend="speech-dispatcher"),
        on_output=lambda *a: said.append(a),
        hotkeys=False,
    )
    desktop.start()
    try:
        assert isinstance(desktop.speaker.voice, EspeakVoice)
        assert said[0] == ("speak", FALLBACK_NOTE)
    finally:
        desktop.stop()
