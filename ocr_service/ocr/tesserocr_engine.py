"""The default engine: tesseract through its C API (tesserocr), one API object reused per process."""
from __future__ import annotations

import os
import threading
from pathlib import Path

os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # before libtesseract loads

import numpy as np
import tesserocr
from tesserocr import PSM, RIL, PyTessBaseAPI, iterate_level

from extractors.types import OcrPage, Word
from ocr_service.errors import OcrFailed, OcrTimeout
from ocr_service.ocr.base import as_uint8, decide_orientation, reading_score, scale_box, stored_size


class TesserocrEngine:
    """Tesseract via tesserocr. Not re-entrant: calls are serialised by a lock.

    Recognition uses one PyTessBaseAPI for the life of the process; orientation is decided by
    reading a small sample of the page with it (`decide_orientation`), not by OSD.
    """

    name = "tesserocr"

    def __init__(self, tessdata: Path, lang: str = "eng", psm: int = 6, timeout: float = 120):
        self.timeout = timeout  # seconds one page may take; a page that takes longer is an error
        self.tessdata = Path(tessdata)
        self.lang = lang
        self.psm = int(psm)
        self._lock = threading.Lock()
        try:
            self._api = PyTessBaseAPI(path=f"{self.tessdata}/", lang=lang, psm=self.psm)
        except RuntimeError as e:
            raise OcrFailed(f"tesseract could not load {lang!r} from {self.tessdata}: {e}") from e
        # keep runs of spaces that separate table columns when tesseract renders line text
        self._api.SetVariable("preserve_interword_spaces", "1")

    @property
    def version(self) -> str:
        return tesserocr.tesseract_version().split()[1]

    def read(self, image: np.ndarray, page_number: int, *, scale: float = 1.0,
             dpi: int | None = None) -> OcrPage:
        img = as_uint8(image)
        width, height = stored_size(img, scale)
        with self._lock:
            try:
                self._set_image(self._api, img, dpi)
                if not self._api.Recognize(timeout=int(self.timeout * 1000)):
                    raise OcrTimeout(f"tesseract gave up on page {page_number} after {self.timeout:.0f} s")
                words = tuple(self._words(scale, width, height))
            except RuntimeError as e:
                raise OcrFailed(f"tesseract failed on page {page_number}: {e}") from e
            finally:
                self._api.Clear()
        return OcrPage(number=page_number, width=width, height=height, words=words)

    def orientation(self, image: np.ndarray) -> tuple[int, float]:
        return decide_orientation(as_uint8(image), self._score)

    def read_line(self, image: np.ndarray, *, dpi: int | None = None, charset: str = "") -> str:
        img = np.ascontiguousarray(as_uint8(image))
        with self._lock:
            api = self._api
            try:
                api.SetPageSegMode(PSM.SINGLE_LINE)
                api.SetVariable("tessedit_char_whitelist", charset)
                self._set_image(api, img, dpi)
                return (api.GetUTF8Text() or "").strip()
            except RuntimeError as e:
                raise OcrFailed(f"tesseract failed on a line: {e}") from e
            finally:
                api.Clear()
                api.SetVariable("tessedit_char_whitelist", "")
                api.SetPageSegMode(self.psm)

    def close(self) -> None:
        with self._lock:
            self._api.End()

    # -- internals -------------------------------------------------------------------------

    @staticmethod
    def _set_image(api: PyTessBaseAPI, img: np.ndarray, dpi: int | None) -> None:
        h, w = img.shape[:2]
        bpp = 1 if img.ndim == 2 else img.shape[2]
        api.SetImageBytes(img.tobytes(), w, h, bpp, w * bpp)
        if dpi:
            api.SetSourceResolution(int(dpi))

    def _words(self, scale: float, width: int, height: int):
        """Words of the last recognition, with line and block ids counted in reading order."""
        iterator = self._api.GetIterator()
        if iterator is None:
            return
        line = block = -1
        for r in iterate_level(iterator, RIL.WORD):
            if r.Empty(RIL.WORD):
                continue
            if r.IsAtBeginningOf(RIL.BLOCK):
                block += 1
            if r.IsAtBeginningOf(RIL.TEXTLINE):
                line += 1
            text = (r.GetUTF8Text(RIL.WORD) or "").strip()
            box = r.BoundingBox(RIL.WORD)
            if not text or box is None:
                continue
            yield Word(text=text, bbox=scale_box(box, scale, width, height),
                       conf=round(max(0.0, min(100.0, r.Confidence(RIL.WORD))) / 100.0, 4),
                       line=max(line, 0), block=max(block, 0))

    def _score(self, img: np.ndarray) -> tuple[float, int]:
        page = self.read(np.ascontiguousarray(img), 0)
        return reading_score(page.words)
