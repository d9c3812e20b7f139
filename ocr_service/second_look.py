"""A second look at case numbers, statutes and dates: the words cut out of the page and read again.

Tesseract's confidence in a word says little about these tokens: it is low for a letter-and-digits
case number or an `H/S 11357(A)` on a dot-matrix printout read exactly right, and it can be high for
a digit read as its neighbour in a clean typewriter face. Another reading says more. Each case
number on a page (a word the case-number reader accepts, or two neighbouring words of a line that
make one only together, `8 6F50094`), each statute (a code and section the statute reader finds in
a line) and each date that tesseract was not sure of (and each case number read only through a
look-alike letter, however sure) is cut out of the page image with a margin and read twice more as
a single line, with only the characters such a token has: as it is, and smoothed (as `reread`
smooths a poor page). Each reading goes through the same reader, and:

- all three readings give the same value: the words are trusted, at no less than `AGREED_CONF`
  (unless every reading needed the same look-alike put right: three `AQ25836` say nothing of the Q);
- the two new readings agree on another value: two readings against one, so a one-word case number
  takes the new reading (given the digit check the page's reading had, `glyphs`); a statute or a
  date keeps the page's; either way the words go to no more than `DISPUTED_CONF`, under the routing
  thresholds: a person looks. A case number the page read only through a look-alike (`YAS47312`)
  takes the one new reading that needed none (`YA847312`), disputed too;
- otherwise the words are left as they were.

The word right after a case-number label that no reader could read (`CASENO. 9496755`) takes the
case number the new readings give (one, or both alike), at `DISPUTED_CONF`.

A page's words go in and come out (`check_page`); the engine's `read_line` does the reading.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from itertools import groupby

import cv2
import numpy as np

from extractors.normalize.case_numbers import normalize_case_number
from extractors.normalize.dates import find_dates
from extractors.normalize.statutes import find_statutes
from extractors.types import OcrPage, Word, union_boxes
from ocr_service import glyphs
from ocr_service.cleanup import smooth_print
from ocr_service.ocr import OcrEngine

SURE = 0.9  # tokens whose every word tesseract read with this confidence or more (and, for a case number,
# that read without look-alike corrections) are not looked at again
AGREED_CONF = 0.85  # three readings of one value
DISPUTED_CONF = 0.45  # two readings of another value; under every routing threshold
MARGIN = 0.5  # of the token's height, on every side of its box


@dataclass(frozen=True, slots=True)
class Kind:
    """What a token is: how its text is read to a value, the characters it may hold, and whether two
    readings against one replace the page's (measured on the dev set: right for a case number; for a
    statute's subdivision, `¢A>` on the page read `(C)` cut out, wrong)."""

    read: Callable[[str], object | None]
    charset: str
    majority: bool
    find: Callable[[list[int], list[Word]], list[list[int]]]  # (a line's word indexes, the words) -> tokens
    fill: bool = False  # tokens the reader could not read at all, where a value is expected
    corrected: Callable[[str], bool] = lambda text: False  # read only through look-alike corrections


def _case_number(text: str) -> str | None:
    text = text.strip(" .,:;|'\"")
    if not any(ch.isdigit() for ch in text):
        return None
    return normalize_case_number(text.replace(" ", ""))


def _case_number_corrected(text: str) -> bool:
    """Read as a case number only with a look-alike put right (`AQ25836`: the Q may be a 0 or a 9)."""
    return re.sub(r"[^A-Z0-9]", "", text.upper()) != _case_number(text)


def _statute(text: str):
    found = find_statutes(text)
    return found[0].statute if len(found) == 1 else None


def _date(text: str):
    found = find_dates(text)
    return found[0].value if len(found) == 1 else None


def _crop(image: np.ndarray, box) -> np.ndarray:
    x0, y0, x1, y1 = (int(round(v)) for v in box)
    pad = max(4, int(MARGIN * (y1 - y0)))
    h, wd = image.shape[:2]
    return np.ascontiguousarray(image[max(0, y0 - pad):min(h, y1 + pad), max(0, x0 - pad):min(wd, x1 + pad)])


def verdict(engine: OcrEngine, image: np.ndarray, words: Sequence[Word], kind: Kind,
            dpi: int) -> tuple[str, str | None] | None:
    """("agreed", None) or ("disputed", the other reading of a one-word token) after two more readings of
    one token's words, or None to leave them."""
    text = " ".join(w.text for w in words)
    first = kind.read(text)
    if (first is not None) if kind.fill else (
            first is None or (min(w.conf for w in words) >= SURE and not kind.corrected(text))):
        return None
    crop = _crop(image, union_boxes(w.bbox for w in words))
    if crop.size == 0:
        return None
    readings = [engine.read_line(crop, dpi=dpi, charset=kind.charset),
                engine.read_line(smooth_print(crop, dpi), dpi=dpi, charset=kind.charset)]
    if len(words) == 1:  # the digit check the page's reading had, on the same box
        readings = [glyphs.check_word(image, replace(words[0], text=r)) if r else r for r in readings]
    plain, smooth = (kind.read(r) for r in readings)
    if kind.fill:  # nothing to agree with: a value the new readings give (not two different ones)
        found = {v for v in (plain, smooth) if v is not None}
        return ("disputed", readings[0] if plain is not None else readings[1]) if len(found) == 1 else None
    if plain == smooth == first:
        if kind.corrected(text) and all(kind.corrected(r) for r in readings):
            return None  # every reading needed the same look-alike put right: none vouches for it
        return "agreed", None
    if plain is not None and plain == smooth:
        return "disputed", readings[0] if kind.majority and len(words) == 1 else None
    if kind.majority and len(words) == 1 and kind.corrected(text):
        # the page's reading needed a look-alike put right (YAS47312); one new reading needed none (YA847312)
        clean = [r for r, v in zip(readings, (plain, smooth), strict=True) if v is not None and not kind.corrected(r)]
        if len(clean) == 1 and kind.read(clean[0]) != first:
            return "disputed", clean[0]
    return None


def _case_number_tokens(line: list[int], words: list[Word]) -> list[list[int]]:
    """Indexes of the words of each case number in a line: one word, or two that make one only together."""
    out = []
    for j, i in enumerate(line):
        if _case_number(words[i].text):
            out.append([i])
        elif j and not _case_number(words[line[j - 1]].text) and _case_number(words[line[j - 1]].text + words[i].text):
            out.append([line[j - 1], i])
    return out


def _spans_to_words(line: list[int], words: list[Word], find) -> list[list[int]]:
    """Indexes of the words under each match `find` gives in the line's text."""
    starts, text = [], ""
    for i in line:
        starts.append(len(text) + (1 if text else 0))
        text = f"{text} {words[i].text}" if text else words[i].text
    out = []
    for m in find(text):
        covered = [i for i, s in zip(line, starts, strict=True) if s < m.end and s + len(words[i].text) > m.start]
        if covered:
            out.append(covered)
    return out


def _statute_tokens(line: list[int], words: list[Word]) -> list[list[int]]:
    """Indexes of the words of each statute in a line."""
    return _spans_to_words(line, words, find_statutes)


def _date_tokens(line: list[int], words: list[Word]) -> list[list[int]]:
    """Indexes of the words of each date in a line."""
    return _spans_to_words(line, words, find_dates)


_CASE_LABEL = re.compile(r"(?:CASE|DOCKET|ACTION)(?:NO|NUMBER|NUM|NBR|#)?|(?:NO|NUMBER|NUM|NBR|#)", re.I)


def _unread_case_number_tokens(line: list[int], words: list[Word]) -> list[list[int]]:
    """The word after a case-number label ("CASE NO.", "CASE#", "NO." opening the line) that holds digits
    but does not read as a case number ("9496755", "TA1?9878")."""
    out = []
    for j, i in enumerate(line[:-1]):
        label = re.sub(r"[.:#,;]+$", "", words[i].text)
        before = re.sub(r"[.:#,;]+$", "", words[line[j - 1]].text).upper() if j else ""
        if not _CASE_LABEL.fullmatch(label) or not (
                label.upper().startswith(("CASE", "DOCKET", "ACTION")) or j == 0 or before in ("CASE", "DOCKET", "ACTION")):
            continue
        nxt = words[line[j + 1]]
        if 5 <= len(nxt.text) <= 12 and sum(ch.isdigit() for ch in nxt.text) >= 2 and not _case_number(nxt.text):
            out.append([line[j + 1]])
    return out


CASE_NUMBER = Kind(_case_number, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-", True, _case_number_tokens,
                   corrected=_case_number_corrected)
STATUTE = Kind(_statute, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789()&/.-", False, _statute_tokens)
UNREAD_CASE_NUMBER = Kind(_case_number, CASE_NUMBER.charset, True, _unread_case_number_tokens, fill=True)
DATE = Kind(_date, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/-.", False, _date_tokens)
KINDS = (CASE_NUMBER, UNREAD_CASE_NUMBER, STATUTE, DATE)


def check_page(engine: OcrEngine, image: np.ndarray, page: OcrPage, dpi: int,
               kinds: Sequence[Kind] = KINDS) -> OcrPage:
    """`page` with its case numbers, statutes and dates given a second look (see the module's doc).
    `image` is the page the words' boxes refer to, `dpi` its resolution."""
    if image.ndim == 3:
        image = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    words = list(page.words)
    for _, group in groupby(range(len(words)), key=lambda i: (words[i].block, words[i].line)):
        line = list(group)
        for kind in kinds:
            for token in kind.find(line, words):
                seen = verdict(engine, image, [words[i] for i in token], kind, dpi)
                if seen is None:
                    continue
                outcome, other = seen
                for i in token:
                    w = words[i]
                    if outcome == "agreed":
                        words[i] = replace(w, conf=max(w.conf, AGREED_CONF))
                    else:
                        words[i] = replace(w, text=other or w.text, conf=min(w.conf, DISPUTED_CONF))
    return page if tuple(words) == page.words else replace(page, words=tuple(words))
