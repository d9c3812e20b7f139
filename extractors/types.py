"""Plain, immutable data that flows through extraction.

OCR words come in (from the OCR engine or a PDF text layer); typed facts with evidence go out.
Nothing here knows about files, images, databases or the web.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Generic, Literal, TypeVar

BBox = tuple[int, int, int, int]  # x0, y0, x1, y1 in page-image pixels

Level = Literal["felony", "misdemeanor", "infraction"]
Disposition = Literal["convicted", "dismissed", "acquitted", "diverted", "pending", "unknown"]
CODES = ("HS", "PC", "VC", "BP", "WI")


@dataclass(frozen=True, slots=True)
class Word:
    """One word as read: its text, box, confidence (0..1) and the line/block it belongs to."""

    text: str
    bbox: BBox
    conf: float
    line: int  # line id, unique within the page
    block: int = 0


@dataclass(frozen=True, slots=True)
class Line:
    """Words of one text line in reading order."""

    page: int
    words: tuple[Word, ...]

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def bbox(self) -> BBox:
        return union_boxes(w.bbox for w in self.words)

    @property
    def conf(self) -> float:
        return min((w.conf for w in self.words), default=0.0)


@dataclass(frozen=True, slots=True)
class OcrPage:
    """The words of one page. `source` says whether OCR read them or a PDF text layer gave them."""

    number: int  # 1-based
    width: int
    height: int
    words: tuple[Word, ...]
    source: Literal["ocr", "text_layer"] = "ocr"

    def lines(self) -> list[Line]:
        """Words grouped by line id, lines top to bottom, words left to right."""
        groups: dict[int, list[Word]] = {}
        for w in self.words:
            groups.setdefault(w.line, []).append(w)
        lines = [Line(self.number, tuple(sorted(ws, key=lambda w: w.bbox[0]))) for ws in groups.values()]
        lines.sort(key=lambda ln: (ln.bbox[1], ln.bbox[0]))
        return lines

    @property
    def text(self) -> str:
        return "\n".join(ln.text for ln in self.lines())


def union_boxes(boxes) -> BBox:
    boxes = list(boxes)
    if not boxes:
        return (0, 0, 0, 0)
    return (min(b[0] for b in boxes), min(b[1] for b in boxes),
            max(b[2] for b in boxes), max(b[3] for b in boxes))


@dataclass(frozen=True, slots=True)
class Evidence:
    """Where a fact was read: page number, pixel box and the text it came from."""

    page: int
    bbox: BBox
    text: str


T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Fact(Generic[T]):
    """A value with its confidence (0..1) and where it came from. `value` None means not found."""

    value: T | None = None
    confidence: float = 0.0
    evidence: Evidence | None = None

    @property
    def found(self) -> bool:
        return self.value is not None


@dataclass(frozen=True, slots=True)
class Statute:
    """A code section as charged. `known` is True when the section is in the table of sections."""

    code: str  # HS, PC, VC, BP, WI
    section: str  # "11359", "12022.5"
    subdivision: str | None = None  # first level, lower case
    attempt: bool = False
    known: bool = True

    def __str__(self) -> str:
        sub = f"({self.subdivision})" if self.subdivision else ""
        return f"{'PC 664/' if self.attempt else ''}{self.code} {self.section}{sub}"


@dataclass(frozen=True, slots=True)
class Charge:
    """One count of the case with every fact the relief decision needs."""

    count: int | None
    statute: Fact[Statute]
    level: Fact[str] = Fact()
    disposition: Fact[str] = Fact()
    disposition_date: Fact[dt.date] = Fact()
    text: str = ""
    evidence: Evidence | None = None
    conflicts: tuple[str, ...] = ()  # e.g. two different dispositions read for this count


@dataclass(frozen=True, slots=True)
class Prior:
    """A prior conviction alleged or admitted on the record. Never a count of this case."""

    statute: Statute | None
    date: dt.date | None
    evidence: Evidence | None = None


@dataclass(frozen=True, slots=True)
class CaseFacts:
    """Everything extraction found in one document."""

    case_number: Fact[str] = Fact()
    court: Fact[str] = Fact()
    defendant_name: Fact[str] = Fact()
    defendant_dob: Fact[dt.date] = Fact()
    filing_date: Fact[dt.date] = Fact()
    charges: tuple[Charge, ...] = ()
    priors: tuple[Prior, ...] = ()  # whether a prior is a super strike is the relief engine's call
    pc290_registrant: Fact[bool] = Fact(False, 1.0)
    notes: tuple[str, ...] = field(default=())  # review reason codes raised during extraction
