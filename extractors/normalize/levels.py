"""Offense levels: felony, misdemeanor, infraction.

Reads: F, FEL, FELO, FELONY, M, MIS, MISD (MISO), MSD, MISDEMEANOR, I, IN, INF, INFR, INFRAC, INFRACTION
(any case, with dots or a label such as `LEVEL:` or `CLASS`), and OCR-damaged spellings of the long words (`FELONV`,
`MISDEMEANDR`, `1NFRACTION`) within a strict edit distance (1 edit up to 8 letters, 2 from 9 letters).

Refuses: wobbler notation (`F/M`, `WOBBLER`), text naming two different levels, single letters inside a
longer text (only a field that is nothing but `F`, `M` or `I` reads as a level), and anything else.
`find_levels` finds level words in running text (single letters only with allow_letters=True).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein

__all__ = ["LevelMatch", "parse_level", "find_levels"]

_EXACT = {
    "F": "felony", "FEL": "felony", "FELO": "felony", "FELONY": "felony", "FLNY": "felony",
    "M": "misdemeanor", "MIS": "misdemeanor", "MISD": "misdemeanor", "MSD": "misdemeanor", "MISDO": "misdemeanor",
    "MISO": "misdemeanor",  # MISD with its D read as O, as dot-matrix print often is
    "MISDEMEANOR": "misdemeanor", "MISDEMEANER": "misdemeanor",
    "I": "infraction", "IN": "infraction", "INF": "infraction", "INFR": "infraction", "INFRAC": "infraction",
    "INFRACTION": "infraction",
}
_LONG = {"FELONY": "felony", "MISDEMEANOR": "misdemeanor", "INFRACTION": "infraction"}
_LABELS = {"LEVEL", "LVL", "CLASS", "TYPE", "GRADE", "CHARGED", "AS", "OFFENSE", "OFF", "DEGREE", "CHG"}
_NOT_LEVELS = {"FELON", "FELONS", "MELON", "MELONS"}  # real words one edit from a level word
_SINGLE = {"F", "M", "I", "IN"}  # too short to trust inside running text
_DIGIT_AS_LETTER = str.maketrans({"0": "O", "1": "I", "5": "S", "8": "B", "|": "I"})


@dataclass(frozen=True, slots=True)
class LevelMatch:
    """A level word in text: span [start, end), the text read, and the level."""

    start: int
    end: int
    raw: str
    value: str


def _word_level(word: str) -> str | None:
    w = word.upper().translate(_DIGIT_AS_LETTER).replace(".", "")
    if w in _EXACT:
        return _EXACT[w]
    if len(w) >= 5 and w not in _NOT_LEVELS:
        for long, level in _LONG.items():
            limit = 1 if len(long) <= 8 else 2
            if abs(len(w) - len(long)) <= limit and Levenshtein.distance(w, long, score_cutoff=limit) <= limit:
                return level
    return None


_WORD = re.compile(r"[A-Za-z0-9|][A-Za-z0-9|.]*")


def parse_level(text: str) -> str | None:
    """The level of one field, or None."""
    if not text or re.search(r"\b[FM]\s*/\s*[FM]\b|WOBBLER", text, re.I):
        return None
    levels = set()
    for w in _WORD.findall(text):
        if w.upper().rstrip(".:") in _LABELS:
            continue
        level = _word_level(w.rstrip(":"))
        if level is None:
            return None  # something else is written here: not a level field
        levels.add(level)
    return levels.pop() if len(levels) == 1 else None


def find_levels(text: str, *, allow_letters: bool = False) -> list[LevelMatch]:
    """Level words in running text ("... POSS MJ MISDEMEANOR PLEA GUILTY"), left to right."""
    out = []
    for m in re.finditer(r"(?<![A-Za-z0-9])[A-Za-z0-9|][A-Za-z0-9|]*\.?(?![A-Za-z0-9])", text):
        word = m.group()
        if not allow_letters and word.upper().rstrip(".") in _SINGLE:
            continue
        if not any(ch.isalpha() for ch in word):
            continue
        level = _word_level(word)
        if level:
            out.append(LevelMatch(m.start(), m.end(), word, level))
    return out
