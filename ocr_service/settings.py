"""Settings from the environment (prefix CLEARDOCKET_), in one place."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CLEARDOCKET_", extra="ignore")

    # ingest limits (a guard against huge files and pixel bombs)
    max_file_bytes: int = 200 * 1024 * 1024
    max_pages: int = 200
    max_pixels_per_page: int = 60_000_000  # e.g. 8.5x11in at 600 dpi is 33.7 MP
    raster_dpi: int = 300

    # OCR
    ocr_engine: str = "tesserocr"  # or "pytesseract"
    tessdata_dir: Path | None = None  # None: find the system's tessdata
    ocr_lang: str = "eng"
    ocr_psm: int = 4  # one column of variable-size text: keeps count-table rows whole (docs/ocr.md)
    ocr_page_timeout_s: float = 120.0  # a page that keeps tesseract busy longer fails with ocr_timeout
    # upscaling small print stops at this many pixels: tesseract's memory follows the image size
    # (a 300-dpi letter page upscaled 2x is 34 MP); docs/ocr.md
    max_ocr_pixels: int = 25_000_000

    # relief
    policy: str = "la-county"

    # service (embedded default: SQLite and local files under data_dir)
    data_dir: Path = Path("data")
    database_url: str | None = None
    broker_url: str | None = None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
