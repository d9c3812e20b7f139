"""The fallback engine: the tesseract program through pytesseract (one process per call; slower)."""
from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # inherited by every tesseract process

import numpy as np
import pytesseract
from PIL import Image

from extractors.types import OcrPage, Word
from ocr_service.errors import OcrFailed
from ocr_service.ocr.base import as_uint8, decide_orientation, reading_score, scale_box, stored_size


class PytesseractEngine:
    """Tesseract via its command-line program (`image_to_data`)."""

    name = "pytesseract"

    def __init__(self, tessdata: Path, lang: str = "eng", psm: int = 6, timeout: float = 120):
        self.tessdata = Path(tessdata)
        self.lang = lang
        self.psm = int(psm)
        self.timeout = timeout
        try:
            self.version = str(pytesseract.get_tesseract_version())
        except (pytesseract.TesseractNotFoundError, OSError) as e:
            raise OcrFailed(f"the tesseract program is not installed: {e}") from e

    def _config(self, psm: int, dpi: int | None = None) -> str:
        config = f'--tessdata-dir "{self.tessdata}" --psm {psm} -c preserve_interword_spaces=1'
        return f"{config} --dpi {int(dpi)}" if dpi else config

    def read(self, image: np.ndarray, page_number: int, *, scale: float = 1.0,
             dpi: int | None = None) -> OcrPage:
        img = as_uint8(image)
        width, height = stored_size(img, scale)
        try:
            data = pytesseract.image_to_data(Image.fromarray(img), lang=self.lang,
                                             config=self._config(self.psm, dpi),
                                             output_type=pytesseract.Output.DICT, timeout=self.timeout)
        except (pytesseract.TesseractError, RuntimeError, OSError) as e:
            raise OcrFailed(f"tesseract failed on page {page_number}: {e}") from e
        return OcrPage(number=page_number, width=width, height=height,
                       words=tuple(_words(data, scale, width, height)))

    def orientation(self, image: np.ndarray) -> tuple[int, float]:
        return decide_orientation(as_uint8(image), self._score)

    def read_line(self, image: np.ndarray, *, dpi: int | None = None, charset: str = "") -> str:
        config = f'--tessdata-dir "{self.tessdata}" --psm 7' + (f" --dpi {int(dpi)}" if dpi else "")
        if charset:
            config += f" -c tessedit_char_whitelist={charset}"
        try:
            return pytesseract.image_to_string(Image.fromarray(as_uint8(image)), lang=self.lang, config=config,
                                               timeout=self.timeout).strip()
        except (pytesseract.TesseractError, RuntimeError, OSError) as e:
            raise OcrFailed(f"tesseract failed on a line: {e}") from e

    def close(self) -> None:
        """Nothing to release: every call runs its own process."""

    def _score(self, img: np.ndarray) -> tuple[float, int]:
        return reading_score(self.read(np.ascontiguousarray(img), 0).words)


def _words(data: dict[str, list], scale: float, width: int, height: int):
    """Words of image_to_data output; (block, paragraph, line) numbers become page-unique line ids."""
    line_ids: dict[tuple[int, int, int], int] = {}
    block_ids: dict[int, int] = {}
    for i, raw in enumerate(data["text"]):
        text = (raw or "").strip()
        conf = float(data["conf"][i])
        if not text or conf < 0:
            continue
        key = (data["block_num"][i], data["par_num"][i], data["line_num"][i])
        line = line_ids.setdefault(key, len(line_ids))
        block = block_ids.setdefault(data["block_num"][i], len(block_ids))
        box = (data["left"][i], data["top"][i],
               data["left"][i] + data["width"][i], data["top"][i] + data["height"][i])
        yield Word(text=text, bbox=scale_box(box, scale, width, height),
                   conf=round(min(100.0, conf) / 100.0, 4), line=line, block=block)
