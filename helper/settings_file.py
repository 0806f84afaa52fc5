"""The user's settings file: where it is, reading its ``[desktop]`` table, and turning it into
``DesktopSettings`` with a message naming the key for every mistake. The limits and defaults
themselves are in helper/config.py; this module only reads what a user changed.
"""

from __future__ import annotations

import os

from helper.config import DEFAULT_HOTKEYS, DesktopSettings
from helper.errors import ConfigError


def config_file() -> str:
    """The settings file: ``A11Y_HELPER_CONFIG`` if set, else ``config.toml`` in the user's
    config folder (``~/.config/a11y-helper`` on Linux)."""
    override = os.environ.get("A11Y_HELPER_CONFIG")
    if override:
        return override
    import platformdirs

    return os.path.join(platformdirs.user_config_dir("a11y-helper", appauthor=False), "config.toml")


def load_desktop_settings(path: str | None = None) -> DesktopSettings:
    """Read the ``[desktop]`` table (missing file or table: the defaults).

    Python 3.11+ reads TOML with the standard library; on 3.10 the ``tomli`` package does it
    when installed, otherwise a settings file is refused with a message saying so.
    """
    path = path or config_file()
    if not os.path.exists(path):
        return DesktopSettings()
    try:
        import tomllib  # type: ignore[import-not-found]
    except ModuleNotFoundError:  # pragma: no cover - Python 3.10
        try:
            import tomli as tomllib  # type: ignore[import-not-found,no-redef]
        except ModuleNotFoundError:
            raise ConfigError(
                f"{path}: reading the settings file needs Python 3.11 or the 'tomli' package "
                "(pip install tomli)"
            ) from None
    try:
        with open(path, "rb") as stream:
            table = tomllib.load(stream).get("desktop", {})
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the settings file ({exc.strerror or exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None
    return desktop_settings_from(table, path)


_DESKTOP_KEYS = {
    "region": "region",
    "mouse_area": "mouse_area",
    "continuous_interval": "continuous_interval_s",
    "output": "output",
    "speech_backend": "speech_backend",
    "rate": "rate",
    "voice": "voice",
    "follow_language": "follow_language",
    "history": "history",
    "lang": "lang",
    "stop_on_ctrl": "stop_on_ctrl",
    "nvda_client_dll": "nvda_client_dll",
}


def desktop_settings_from(table: dict, path: str = "settings") -> DesktopSettings:
    """Build settings from a parsed ``[desktop]`` table; every mistake names its key."""
    values: dict = {}
    for key, value in table.items():
        if key == "hotkeys":
            if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
                raise ConfigError(
                    f'{path}: [desktop.hotkeys] maps actions to keys, e.g. stop = "ctrl+alt+shift+x"'
                )
            merged = dict(DEFAULT_HOTKEYS) | value
            values["hotkeys"] = tuple(merged.items())
        elif key in _DESKTOP_KEYS:
            if key in ("region", "mouse_area") and value is not None:
                if not isinstance(value, list) or not all(isinstance(v, int) for v in value):
                    raise ConfigError(f"{path}: desktop.{key} is a list of whole numbers")
                value = tuple(value)
            values[_DESKTOP_KEYS[key]] = value
        else:
            known = ", ".join(sorted([*_DESKTOP_KEYS, "hotkeys"]))
            raise ConfigError(f"{path}: unknown setting desktop.{key} (known: {known})")
    try:
        settings = DesktopSettings(**values)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{path}: {exc}") from None
    if settings.region is not None and (len(settings.region) != 4 or min(settings.region[2:]) < 1):
        raise ConfigError(f"{path}: desktop.region is [x, y, width, height] with a positive size")
    if len(settings.mouse_area) != 2 or min(settings.mouse_area) < 1:
        raise ConfigError(f"{path}: desktop.mouse_area is [width, height], both positive")
    return settings
