"""Desktop settings from the TOML file, and hotkey spelling."""

from __future__ import annotations

import pytest

from helper.config import DEFAULT_HOTKEYS, DesktopSettings
from helper.desktop.hotkeys import Hotkeys, to_pynput
from helper.errors import ConfigError
from helper.settings_file import load_desktop_settings


def test_missing_file_gives_the_defaults(tmp_path):
    assert load_desktop_settings(str(tmp_path / "none.toml")) == DesktopSettings()


def test_file_overrides_and_merges_hotkeys(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text(
        "[desktop]\n"
        'output = "on-request"\n'
        'speech_backend = "speech-dispatcher"\n'
        "rate = 220\n"
        'voice = "en-us"\n'
        "region = [10, 20, 300, 40]\n"
        "continuous_interval = 1.5\n"
        "history = 3\n"
        "[desktop.hotkeys]\n"
        'stop = "ctrl+alt+shift+q"\n'
        'click = ""\n'
    )
    settings = load_desktop_settings(str(path))
    assert settings.output == "on-request" and settings.speech_backend == "speech-dispatcher"
    assert settings.rate == 220 and settings.voice == "en-us" and settings.history == 3
    assert settings.region == (10, 20, 300, 40) and settings.continuous_interval_s == 1.5
    keys = settings.hotkey_map
    assert keys["stop"] == "ctrl+alt+shift+q"
    assert "click" not in keys  # an empty combination switches the action off
    assert keys["read_window"] == dict(DEFAULT_HOTKEYS)["read_window"]


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ('[desktop]\nouput = "speak"\n', "unknown setting desktop.ouput"),
        ('[desktop]\noutput = "loud"\n', "output must be one of"),
        ("[desktop]\nregion = [1, 2, 3]\n", "desktop.region"),
        ('[desktop.hotkeys]\nfly = "ctrl+alt+shift+f"\n', "unknown hotkey action"),
        ("[desktop\n", "not valid TOML"),
    ],
)
def test_mistakes_are_named(tmp_path, body, says):
    path = tmp_path / "config.toml"
    path.write_text(body)
    with pytest.raises(ConfigError, match=says) as caught:
        load_desktop_settings(str(path))
    assert caught.value.code == "bad_config"
    assert str(path) in caught.value.message


def test_hotkey_spelling():
    assert to_pynput("ctrl+alt+shift+s") == "<ctrl>+<alt>+<shift>+s"
    assert to_pynput("Ctrl+Alt+Shift+Page_Down") == "<ctrl>+<alt>+<shift>+<page_down>"
    assert to_pynput("super+return") == "<cmd>+<enter>"
    for combo, _ in [(keys, None) for _, keys in DEFAULT_HOTKEYS]:
        to_pynput(combo)
    with pytest.raises(ConfigError, match="unknown key"):
        to_pynput("ctrl+hyper+x")


def test_the_same_keys_for_two_actions_are_refused():
    with pytest.raises(ConfigError, match="more than one action"):
        Hotkeys({"stop": "ctrl+alt+shift+x", "copy": "ctrl+shift+alt+x"}, {"stop": print, "copy": print})


def test_command_refuses_a_bad_settings_file(tmp_path, capsys):
    from helper.cli import main

    path = tmp_path / "config.toml"
    path.write_text('[desktop]\noutput = "shout"\n')
    assert main(["desktop", "--config", str(path), "--once", "window"]) == 2
    assert "error bad_config" in capsys.readouterr().err


def test_command_refuses_a_misspelt_hotkey(tmp_path, capsys):
    from helper.cli import main

    path = tmp_path / "config.toml"
    path.write_text('[desktop.hotkeys]\nstop = "ctrl+alt+shfit+x"\n')
    assert main(["desktop", "--config", str(path)]) == 2
    err = capsys.readouterr().err
    assert "error bad_config" in err and "shfit" in err
