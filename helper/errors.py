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
