"""NVDA's controller client: the logic with a stand-in library, the fallback for real.

The real ``nvdaControllerClient.dll`` is a Windows library that talks to a running NVDA; it
cannot load or run on Linux. The tests of ``NvdaVoice`` itself therefore hand it a stand-in
object with the DLL's three functions (same names, same 0-or-error-code results) that
records the calls. The fallback, where no client can be used, runs for real here.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from helper.config import DesktopSettings
from helper.desktop import nvda
from helper.desktop.espeak import EspeakVoice
from helper.desktop.nvda import (
    NO_CLIENT_NOTE,
    NOT_RUNNING_NOTE,
    NvdaUnavailable,
    NvdaVoice,
    dll_names,
    find_dll,
)
from helper.desktop.speech import Speaker, make_voice
from helper.errors import SpeechUnavailable
from helper.settings_file import desktop_settings_from

RPC_S_SERVER_UNAVAILABLE = 1722  # what the real client returns when NVDA is not running


class StandInClient:
    """Stands in for the loaded DLL (it cannot run on Linux): records what NVDA was asked."""

    def __init__(self, running: bool = True) -> None:
        self.running = running
        self.spoken: list[str] = []
        self.cancels = 0

    def nvdaController_testIfRunning(self) -> int:  # the DLL's own names
        return 0 if self.running else RPC_S_SERVER_UNAVAILABLE

    def nvdaController_speakText(self, text: str) -> int:
        if not self.running:
            return RPC_S_SERVER_UNAVAILABLE
        self.spoken.append(text)
        return 0

    def nvdaController_cancelSpeech(self) -> int:
        self.cancels += 1
        return 0


def test_text_goes_to_nvda_and_stop_cancels_its_speech():
    client = StandInClient()
    speaker = Speaker(NvdaVoice(library=client))
    try:
        speaker.say("Quarterly report summary.", "en")
        speaker.say("Revenue grew by twelve percent.", "en")
        assert speaker.wait_idle(5)
        assert client.spoken == ["Quarterly report summary.", "Revenue grew by twelve percent."]
        # NVDA may still be speaking what it queued: stop must reach it although we are idle.
        speaker.stop()
        assert client.cancels == 1
    finally:
        speaker.close()


def test_a_cancelled_utterance_is_not_sent():
    client = StandInClient()
    voice = NvdaVoice(library=client)
    cancel = threading.Event()
    cancel.set()
    assert voice.speak("never", None, cancel) is False
    assert client.spoken == []


def test_nvda_not_running_is_refused_with_its_note():
    with pytest.raises(NvdaUnavailable) as caught:
        NvdaVoice(library=StandInClient(running=False))
    assert caught.value.note == NOT_RUNNING_NOTE
    assert caught.value.code == "speech_unavailable"


def test_nvda_quitting_while_we_run_is_an_error_we_can_say():
    client = StandInClient()
    voice = NvdaVoice(library=client)
    client.running = False
    with pytest.raises(SpeechUnavailable, match="still running"):
        voice.speak("hello", None, threading.Event())


def test_the_dll_is_found_where_the_settings_say_or_next_to_our_package(tmp_path, monkeypatch):
    assert dll_names(64) == ("nvdaControllerClient64.dll", "nvdaControllerClient.dll")
    assert dll_names(32)[0] == "nvdaControllerClient32.dll"
    named = tmp_path / "client.dll"
    named.write_bytes(b"MZ")
    assert find_dll(str(named), 64) == named  # a file named in the settings
    folder = tmp_path / "nvda"
    folder.mkdir()
    (folder / "nvdaControllerClient32.dll").write_bytes(b"MZ")
    assert find_dll(str(folder), 32) == folder / "nvdaControllerClient32.dll"  # a folder
    assert find_dll(str(folder), 64) is None  # wrong architecture only: not ours
    package = tmp_path / "site" / "helper" / "desktop"
    package.mkdir(parents=True)
    monkeypatch.setattr(nvda, "__file__", str(package / "nvda.py"))
    (tmp_path / "site" / "helper" / "nvdaControllerClient.dll").write_bytes(b"MZ")
    assert find_dll(None, 64) == tmp_path / "site" / "helper" / "nvdaControllerClient.dll"


def test_loading_goes_through_the_loader_with_the_found_path(tmp_path):
    """The Windows loader (ctypes.WinDLL) cannot run here; a loader returning the stand-in
    checks the path that would be loaded and what happens after."""
    dll = tmp_path / dll_names()[0]
    dll.write_bytes(b"MZ")
    loaded: list[Path] = []
    voice = NvdaVoice(str(tmp_path), loader=lambda path: loaded.append(path) or StandInClient())
    assert loaded == [dll] and voice.name == "nvda"

    def broken(path: Path) -> object:
        raise OSError(193, "%1 is not a valid Win32 application")

    with pytest.raises(NvdaUnavailable, match="must match this Python") as caught:
        NvdaVoice(str(tmp_path), loader=broken)
    assert caught.value.note == NO_CLIENT_NOTE
    with pytest.raises(NvdaUnavailable, match="was not found"):
        NvdaVoice(str(tmp_path / "elsewhere"), loader=broken)


def test_settings_choose_nvda_and_name_the_dll():
    settings = desktop_settings_from({"speech_backend": "nvda", "nvda_client_dll": "C:/NVDA/client"})
    assert settings.speech_backend == "nvda" and settings.nvda_client_dll == "C:/NVDA/client"


def test_on_linux_nvda_falls_back_to_the_built_in_voice_with_a_note(espeak):
    """For real: this is not Windows, so there is no NVDA client to load."""
    voice, note = make_voice(DesktopSettings(speech_backend="nvda"))
    try:
        assert isinstance(voice, EspeakVoice)
        assert note == NO_CLIENT_NOTE
    finally:
        voice.close()


def test_the_desktop_says_the_note_first(espeak, engine):
    from helper.desktop import Desktop

    said: list[tuple[str, str]] = []
    desktop = Desktop(
        engine, DesktopSettings(speech_backend="nvda"), on_output=lambda *a: said.append(a), hotkeys=False
    )
    desktop.start()
    try:
        assert isinstance(desktop.speaker.voice, EspeakVoice)
        assert said[0] == ("speak", NO_CLIENT_NOTE)
    finally:
        desktop.stop()
