"""Speech with a real synthesiser: espeak-ng's audio, recorded, measured and cut short.

SAPI5 (Windows) and NSSpeech (macOS) cannot run here; the one test of ``Pyttsx3Voice`` uses
pyttsx3's own silent "dummy" driver instead and says so. speech-dispatcher has its own file
(test_speech_dispatcher.py, a real server) and so has NVDA (test_nvda.py).
"""

from __future__ import annotations

import array
import threading
import time
import wave

import pytest

from helper.desktop.espeak import EspeakVoice
from helper.desktop.speech import (
    Pyttsx3Voice,
    Speaker,
    WavRecorder,
    spell,
    spoken_lines,
)

LONG = "The quick brown fox jumps over the lazy dog while the cat watches from the window. " * 4


def wav_stats(path) -> tuple[float, float, float]:
    """Duration (s), RMS level, and the share of 20 ms windows that carry sound."""
    with wave.open(str(path), "rb") as wav:
        rate = wav.getframerate()
        samples = array.array("h", wav.readframes(wav.getnframes()))
    if not samples:
        return 0.0, 0.0, 0.0
    rms = (sum(s * s for s in samples) / len(samples)) ** 0.5
    window = rate // 50
    loud = [
        max(abs(s) for s in samples[i : i + window]) > 500 for i in range(0, len(samples) - window, window)
    ]
    return len(samples) / rate, rms, sum(loud) / max(1, len(loud))


def test_real_speech_is_recorded_with_a_plausible_length(espeak, tmp_path):
    recorder = WavRecorder(realtime=False)
    speaker = Speaker(EspeakVoice(rate=175, sink=recorder))
    try:
        speaker.say("Hello world. This is a test of the speech output.")
        assert speaker.wait_idle(10)
    finally:
        speaker.close()
    path = tmp_path / "speech.wav"
    recorder.save(str(path))
    seconds, rms, voiced = wav_stats(path)
    # 10 words at 175 words a minute ≈ 3.4 s; espeak-ng's pauses make it a little longer or shorter.
    assert 2.0 < seconds < 6.0, seconds
    assert rms > 500, rms
    assert voiced > 0.5, voiced
    assert recorder.utterances == 1 and recorder.aborted == 0


def test_rate_changes_the_length(espeak):
    lengths = {}
    for rate in (120, 300):
        recorder = WavRecorder(realtime=False)
        speaker = Speaker(EspeakVoice(rate=rate, sink=recorder))
        speaker.say("One two three four five six seven eight nine ten.")
        assert speaker.wait_idle(10)
        speaker.close()
        lengths[rate] = recorder.seconds
    assert lengths[120] > 1.8 * lengths[300], lengths


def test_stop_cuts_speech_within_100_ms(espeak):
    """Measured: stop() returns, and no more audio is produced, well within 100 ms."""
    full = WavRecorder(realtime=False)
    speaker = Speaker(EspeakVoice(sink=full))
    speaker.say(LONG)
    assert speaker.wait_idle(10)
    speaker.close()

    heard = WavRecorder(realtime=True)  # accepts audio at the pace a sound card plays it
    speaker = Speaker(EspeakVoice(sink=heard))
    try:
        speaker.say(LONG)
        speaker.say("This must never be said.")
        deadline = time.monotonic() + 10
        while heard.seconds < 0.5 and time.monotonic() < deadline:
            time.sleep(0.005)
        start = time.perf_counter()
        speaker.stop()
        latency = time.perf_counter() - start
        assert not speaker.speaking
        at_stop = len(heard.pcm)
        time.sleep(0.2)
        assert len(heard.pcm) == at_stop, "audio kept coming after stop"
    finally:
        speaker.close()
    print(f"stop latency {latency * 1000:.1f} ms")
    assert latency < 0.1, latency
    assert heard.seconds < full.seconds / 4, (heard.seconds, full.seconds)
    assert heard.aborted >= 1 and heard.utterances == 0  # the queued sentence was dropped


def test_speech_continues_after_stop(espeak):
    recorder = WavRecorder(realtime=False)
    speaker = Speaker(EspeakVoice(sink=recorder))
    try:
        speaker.stop()  # nothing to stop: harmless
        speaker.say("Still talking.")
        assert speaker.wait_idle(10)
    finally:
        speaker.close()
    assert recorder.utterances == 1 and recorder.seconds > 0.5


def test_first_sample_arrives_quickly(espeak):
    recorder = WavRecorder(realtime=False)
    speaker = Speaker(EspeakVoice(sink=recorder))
    try:
        start = time.perf_counter()
        speaker.say(LONG)
        assert speaker.wait_idle(10)
    finally:
        speaker.close()
    assert recorder.first_sample_at is not None
    assert recorder.first_sample_at - start < 0.5


def test_voice_follows_the_language(espeak):
    voice = EspeakVoice(voice="en-us")
    assert voice.voice_for("de") == "de"
    assert voice.voice_for("pt-BR") == "pt-br"
    assert voice.voice_for("en") == "en-us"  # the configured voice already speaks English
    assert voice.voice_for("und") == "en-us"
    assert voice.voice_for("xx") == "en-us"  # no such voice: keep the configured one
    assert EspeakVoice(voice="en-us", follow_language=False).voice_for("de") == "en-us"


def test_german_text_is_spoken_with_the_german_voice(espeak):
    """The same word spoken with the German and the English voice sounds different."""
    audio = {}
    for lang in ("de", "en"):
        recorder = WavRecorder(realtime=False)
        speaker = Speaker(EspeakVoice(sink=recorder))
        speaker.say("Zeitschrift", lang)
        assert speaker.wait_idle(10)
        speaker.close()
        audio[lang] = bytes(recorder.pcm)
    assert audio["de"] and audio["en"] and audio["de"] != audio["en"]


def test_pyttsx3_voice_loop_and_stop_with_the_dummy_driver():
    """SAPI5 and NSSpeech cannot run on Linux: pyttsx3's silent dummy driver stands in, to
    check that our loop drives pyttsx3 and lets "stop" through."""
    pytest.importorskip("pyttsx3")
    voice = Pyttsx3Voice(driver="dummy")
    done = {}

    def run() -> None:
        done["completed"] = voice.speak("hello", None, threading.Event())

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(5)
    assert done.get("completed") is True
    cancel = threading.Event()
    cancel.set()
    assert voice.speak("hello again", None, cancel) is False


def test_spelling_and_line_joining():
    assert spell("OK 4.") == "capital O, capital K, space, 4, dot"
    assert spoken_lines(["Quarterly report", "Revenue grew.", "  "]) == "Quarterly report. Revenue grew."


def test_stop_before_the_thread_starts_speaking_leaves_it_idle(espeak):
    speaker = Speaker(EspeakVoice(sink=WavRecorder(realtime=False)))
    try:
        for _ in range(20):  # stop racing the speech thread picking up what was just queued
            speaker.say("One more sentence to say.")
            speaker.stop()
            assert speaker.wait_idle(2), "stop left the speaker busy"
    finally:
        speaker.close()
