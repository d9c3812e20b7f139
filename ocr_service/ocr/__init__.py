"""OCR engines: tesseract through tesserocr (default) or pytesseract (fallback).

    engine = get_engine(settings)
    page = engine.read(cleaned.ocr_image, 1, scale=cleaned.scale, dpi=cleaned.ocr_dpi)
"""
from __future__ import annotations

import logging
import os
import threading

os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # before any tesseract library or program starts

from ocr_service.ocr.base import OcrEngine, find_tessdata, reading_score
from ocr_service.settings import Settings

__all__ = ["OcrEngine", "get_engine", "find_tessdata", "reading_score"]

log = logging.getLogger(__name__)

_engines: dict[tuple, OcrEngine] = {}
_lock = threading.Lock()


def get_engine(settings: Settings) -> OcrEngine:
    """The engine the settings ask for, created once per process and then reused.

    `settings.ocr_engine` is "tesserocr" (default) or "pytesseract"; when tesserocr cannot be
    imported the pytesseract engine is used instead. The cache is keyed by process id, so a
    forked worker builds its own tesseract instead of sharing its parent's.
    """
    tessdata = find_tessdata(settings.tessdata_dir, settings.ocr_lang)
    key = (os.getpid(), settings.ocr_engine, str(tessdata), settings.ocr_lang, settings.ocr_psm)
    with _lock:
        engine = _engines.get(key)
        if engine is None:
            engine = _engines[key] = _make(settings.ocr_engine, tessdata, settings.ocr_lang, settings.ocr_psm,
                                           settings.ocr_page_timeout_s)
        return engine


def _make(kind: str, tessdata, lang: str, psm: int, timeout: float = 120.0) -> OcrEngine:
    if kind not in ("tesserocr", "pytesseract"):
        from ocr_service.errors import ConfigError
        raise ConfigError(f"unknown OCR engine {kind!r}: tesserocr or pytesseract")
    if kind == "tesserocr":
        try:
            from ocr_service.ocr.tesserocr_engine import TesserocrEngine
        except ImportError as e:
            log.warning("tesserocr is not available (%s); using pytesseract", e)
        else:
            return TesserocrEngine(tessdata, lang, psm, timeout)
    from ocr_service.ocr.pytesseract_engine import PytesseractEngine
    return PytesseractEngine(tessdata, lang, psm, timeout)
