"""Scan to decision, top to bottom.

    ingest -> cleanup -> OCR (and a look at the digits and case number it read) -> extract -> decide -> route

Each stage maps a typed value to the next; files come in at `ingest`, and the caller (batch command,
worker) decides where the result goes. Page images are dropped as soon as a page is read, so memory
stays flat in the number of pages; a caller that stores images passes `on_page`.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

import extractors
from extractors.types import CaseFacts, OcrPage
from ocr_service import cleanup, glyphs, ingest, reread, second_look
from ocr_service.ocr import OcrEngine, get_engine
from ocr_service.relief_adapter import decide_case
from ocr_service.routing import Review, route
from ocr_service.settings import Settings, get_settings
from ocr_service.timing import StageTimer
from relief import CaseDecision

PageSink = Callable[[int, np.ndarray], None]


@dataclass(frozen=True, slots=True)
class DocumentResult:
    """Everything the pipeline learned about one document."""

    info: ingest.DocumentInfo
    pages: tuple[OcrPage, ...]
    facts: CaseFacts
    decision: CaseDecision
    review: Review
    confidence: float


def read_cleaned(engine: OcrEngine, cleaned: cleanup.CleanedPage, number: int,
                 first: OcrPage | None = None) -> OcrPage:
    """The words of a cleaned page: tesseract's reading (`first`, when it was read already; read again
    smoothed where it is poor), then the digits it read in numbers checked against their shapes (`glyphs`),
    and the case number read again on its own (`second_look`)."""
    page = reread.read_page(engine, cleaned, number, first)
    page = glyphs.check_page(cleaned.image, page)
    return second_look.check_page(engine, cleaned.image, page, dpi=round(cleaned.ocr_dpi / cleaned.scale))


def read_pages(path: Path, *, settings: Settings | None = None, engine: OcrEngine | None = None,
               timer: StageTimer | None = None, on_page: PageSink | None = None) -> Iterator[OcrPage]:
    """The words of each page: from the PDF text layer where it is usable, else cleanup + OCR."""
    settings = settings or get_settings()
    timer = timer or StageTimer()
    pages = ingest.iter_pages(path, settings)
    while True:
        with timer.stage("ingest"):
            src = next(pages, None)
        if src is None:
            return
        if src.text_page is not None:
            if on_page is not None and src.image is not None:
                on_page(src.number, src.image)
            yield src.text_page
            continue
        engine = engine or get_engine(settings)
        with timer.stage("cleanup"):
            cleaned = cleanup.clean(src.image, src.dpi, orient=engine.orientation, orient_after_reading=True,
                                    max_ocr_pixels=settings.max_ocr_pixels)

        def reclean(angle: int, confidence: float, src=src) -> cleanup.CleanedPage:
            # found sideways only by reading (rare): clean the source again, turned that way
            return cleanup.clean(src.image, src.dpi, orient=lambda _sample: (angle, confidence),
                                 max_ocr_pixels=settings.max_ocr_pixels)

        with timer.stage("ocr"):  # includes settling upside down or upright by the reading
            cleaned, first = reread.read_upright(engine, cleaned, src.number, reclean)
            page = read_cleaned(engine, cleaned, src.number, first)
        if on_page is not None:
            on_page(src.number, cleaned.image)
        yield page


def process_document(path: Path, *, policy: str | None = None, settings: Settings | None = None,
                     engine: OcrEngine | None = None, timer: StageTimer | None = None,
                     on_page: PageSink | None = None) -> DocumentResult:
    """Run one document through every stage. Raises `CleardocketError` subclasses for bad input."""
    settings = settings or get_settings()
    timer = timer or StageTimer()
    with timer.stage("ingest"):
        info = ingest.inspect(path, settings)
    pages = tuple(read_pages(path, settings=settings, engine=engine, timer=timer, on_page=on_page))
    with timer.stage("extraction"):
        facts = extractors.extract(pages)
    with timer.stage("decision"):
        decision = decide_case(facts, policy or settings.policy)
        review, confidence = route(facts, decision)
    return DocumentResult(info=info, pages=pages, facts=facts, decision=decision, review=review,
                          confidence=confidence)
