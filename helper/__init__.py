"""a11y-helper: on-device OCR and alt text for screen-reader users."""

__version__ = "0.1.0"
