"""The OCR engine: ``Engine().recognize(image) -> Result``."""

from helper.ocr.engine import Engine
from helper.ocr.result import Block, Box, Language, Line, Result, Word

__all__ = ["Block", "Box", "Engine", "Language", "Line", "Result", "Word"]
