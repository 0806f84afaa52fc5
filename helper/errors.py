"""Our exceptions. Every failure a user or a client can meet carries a stable ``code``.

The codes are part of the public contract (CLI output, JSON, the websocket protocol):
programs branch on them, so they never change meaning once released.
"""

from __future__ import annotations


class HelperError(Exception):
    """Base of every error we raise on purpose; ``code`` is stable, the message is for people."""

    code = "internal"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InputError(HelperError):
    """The input cannot be used; the caller can fix it, nothing is wrong with us."""

    code = "bad_request"


class UnsupportedFormat(InputError):
    code = "unsupported_format"


class HeifUnavailable(UnsupportedFormat):
    """A HEIC/HEIF photo, and the optional pillow-heif package that reads it is not installed
    (``pip install 'a11y-helper[heic]'``). A subclass of ``unsupported_format`` with its own
    code, so that a program can tell the user what to install."""

    code = "heic_unavailable"


class DecodeFailed(InputError):
    code = "decode_failed"


class TooLarge(InputError):
    code = "too_large"


class NotFound(InputError):
    code = "not_found"


class Unreadable(InputError):
    """The file exists but cannot be read (a folder, no permission, an I/O error)."""

    code = "unreadable"


class ModelError(HelperError):
    """A model file is missing or differs from the manifest; the message says how to fix it."""

    code = "model_unavailable"


class ConfigError(HelperError):
    """The settings file cannot be used; the message names the file, the key and the fix."""

    code = "bad_config"


class CaptureError(HelperError):
    """The screen could not be captured; the message says what the user can do about it."""

    code = "capture_failed"


class NoDisplay(CaptureError):
    code = "no_display"


class CaptureNotPermitted(CaptureError):
    """The system refuses screen capture (Wayland without a portal, macOS permission)."""

    code = "capture_not_permitted"


class SpeechUnavailable(HelperError):
    code = "speech_unavailable"


class HotkeysUnavailable(HelperError):
    """Global hotkeys cannot be listened to (Wayland, X without RECORD, macOS permission)."""

    code = "hotkeys_unavailable"


class ClipboardUnavailable(HelperError):
    code = "clipboard_unavailable"


class ViewerUnavailable(HelperError):
    """No accessible text viewer to open a result in; the text goes to the clipboard instead."""

    code = "viewer_unavailable"


# -- documents (PDF, multi-page TIFF): helper/documents/ ------------------------------------


class PdfEncrypted(InputError):
    """The PDF needs a password to be opened and none was given (``--password``)."""

    code = "pdf_encrypted"


class PdfWrongPassword(InputError):
    """A password was given but it opens neither as the user nor as the owner password."""

    code = "pdf_wrong_password"


class TooManyPages(InputError):
    """More pages selected than ``DocumentLimits.max_pages``; ``--pages`` can pick fewer."""

    code = "too_many_pages"


class PageTooLarge(InputError):
    """One page is beyond ``DocumentLimits.max_page_points``, or cannot be rendered legibly
    within ``max_render_pixels``. The other pages of the document are still read."""

    code = "page_too_large"


class BadPageRange(InputError):
    """``--pages`` names pages the document does not have."""

    code = "bad_page_range"
