"""Los Angeles County case numbers.

Reads the shapes (L = letter, D = digit): L+6D `A123456`, `M835226`; 2L+6D `BA012345`; 2D+L+5D `88M12345`,
`93F04567`; 3L+5D `LAC12345`; D+2L+5D `1CJ01234`; 3L+2D+L+4D (court prefix, year, M/F, number)
`ALH75M3978`; with a hyphen or one space after a one- or two-letter prefix (`BA-012345`, `BA 012345`).
OCR confusions are corrected by shape: a digit in a letter position (`8A012345` -> `BA012345`, at most
one) and a look-alike letter in a digit position (`A12O456` -> `A120456`, at most two; one in all for
shapes with three letters); the shape needing the fewest corrections wins, except that after a Superior
Court branch prefix (`PA`, `TA`, ...) a look-alike letter is read as a digit (`PAL94152` -> `PA194152`).

Refuses: all-digit runs (booking, CII and DR numbers), numbers right after a booking/CII/DR/licence label,
statutes (`HS11359`), month-and-day runs (`AUG22706`), and tokens of any other length or shape.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ._ocr import DIGIT_FOR, LETTER_FOR

__all__ = ["CaseNumberMatch", "find_case_numbers", "normalize_case_number"]


@dataclass(frozen=True, slots=True)
class CaseNumberMatch:
    """A case number: span [start, end), the text read, the normalized number, whether OCR was corrected."""

    start: int
    end: int
    raw: str
    value: str
    corrected: bool = False


# Two-letter prefixes of the Los Angeles Superior Court's branch courts (BA Central, GA Pasadena, KA Pomona,
# LA Van Nuys, MA Lancaster, NA Long Beach, PA San Fernando, SA Santa Monica, TA Compton, VA Airport,
# YA Torrance): after one of them, a third look-alike letter is a digit read wrong.
SUPERIOR_PREFIXES = frozenset({"BA", "GA", "KA", "LA", "MA", "NA", "PA", "SA", "TA", "VA", "YA"})
_SHAPES = ("LDDDDDD", "LLDDDDDD", "DDLDDDDD", "LLLDDDDD", "DLLDDDDD", "LLLDDLDDDD")
_CANDIDATE = re.compile(
    r"(?<![A-Za-z0-9])(?:[A-Za-z0-9|@]{7,8}|[A-Za-z0-9|@]{10}"
    r"|(?P<prefix>[A-Za-z]|[A-Za-z8][Aa]|\d[A-Za-z]{2})(?:\s?-\s?|\s)[0-9OoIlSBZ|]{5,6})(?![A-Za-z0-9])")
_REFUSE_BEFORE = re.compile(
    r"(?:BOOKING|BKG|BK|CII|DR|D/L|DL|LICENSE|LIC|SSN|SS|BADGE|SERIAL|PHONE|TEL|ZIP)\s*(?:NO|NUMBER|#)?\.?\s*[:#]?\s*$",
    re.IGNORECASE)
# A code and a section run together ("HS11359", "HSV11358"), or a month and a day ("AUG22706").
_NOT_A_CASE = re.compile(r"^(?:(?:HS|PC|VC|BP|WI|HSC|PEN|VEH|BPC|WIC)[A-Z]?\d"
                         r"|(?:JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC)\d)", re.IGNORECASE)


def _fit(token: str, shape: str) -> tuple[str, int] | None:
    """The token read in `shape`, and how many characters had to be corrected; None if it cannot fit."""
    if len(token) != len(shape):
        return None
    out, letter_fixes, digit_fixes, real_letters = [], 0, 0, 0
    for ch, kind in zip(token, shape, strict=True):
        if kind == "L":
            if ch.isalpha():
                out.append(ch.upper())
                real_letters += 1
            elif ch in LETTER_FOR:
                out.append(LETTER_FOR[ch])
                letter_fixes += 1
            else:
                return None
        else:
            if ch.isdigit():
                out.append(ch)
            elif ch in DIGIT_FOR and ch not in "Ttgb":
                out.append(DIGIT_FOR[ch])
                digit_fixes += 1
            else:
                return None
    if real_letters == 0 or letter_fixes > 1 or digit_fixes > 2:
        return None
    return "".join(out), letter_fixes + digit_fixes


def _read(token: str) -> tuple[str, bool] | None:
    compact = re.sub(r"[-\s]", "", token)
    if compact.isdigit() or _NOT_A_CASE.match(compact):
        return None
    fits = [(f, shape) for shape in _SHAPES if (f := _fit(compact, shape))]
    # three letter positions make words-with-digits fit too easily: allow one correction there
    fits = [f for f, shape in fits if f[1] <= (1 if shape.count("L") >= 3 else 3)]
    if not fits:
        return None
    value, fixes = min(fits, key=lambda f: f[1])
    if _NOT_A_CASE.match(value):
        return None
    if len(value) == 8 and value[:2] in SUPERIOR_PREFIXES and value[2].isalpha() and compact[2] in DIGIT_FOR:
        # "PAL94152": a Superior Court branch prefix and a digit read as a look-alike letter (PA194152)
        two = _fit(compact, "LLDDDDDD")
        if two:
            return two[0], True
    return value, fixes > 0


def find_case_numbers(text: str) -> list[CaseNumberMatch]:
    """Every case number in the text, left to right."""
    out = []
    for m in _CANDIDATE.finditer(text):
        if _REFUSE_BEFORE.search(text, max(0, m.start() - 20), m.start()):
            continue
        got = _read(m.group())
        if got:
            out.append(CaseNumberMatch(m.start(), m.end(), m.group(), got[0], got[1]))
    return out


def normalize_case_number(text: str) -> str | None:
    """The case number of one field (`CASE NO. BA-012345` -> `BA012345`), or None."""
    if not text:
        return None
    field = re.sub(r"^\s*(?:CASE\s*(?:NO|NUMBER|#)?|NO|NUMBER|#)\s*[.:#,]?\s*", "", text.strip(), flags=re.IGNORECASE)
    got = _read(field.strip(" .,:;"))
    if got:
        return got[0]
    found = find_case_numbers(text)
    return found[0].value if found else None
