"""A value made on first use, once, whichever thread asks first.

Why: a one-shot ``a11y-helper ocr`` of a banner should not pay at start for models only some
images need (the fast recogniser, the orientation classifier); a daemon opens each of them
once, on the first image that needs it, and shares it between its worker threads.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Lazy(Generic[T]):
    def __init__(self, make: Callable[[], T]) -> None:
        self._make: Callable[[], T] | None = make
        self._value: T | None = None
        self._lock = threading.Lock()

    @property
    def made(self) -> bool:
        """Whether the value exists yet (a failed attempt is tried again on the next ``get``)."""
        return self._make is None

    def get(self) -> T:
        if self._make is not None:
            with self._lock:
                if self._make is not None:
                    self._value = self._make()
                    self._make = None
        return self._value  # type: ignore[return-value]
