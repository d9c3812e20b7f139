"""Dispositions of a count as written on dockets, minute orders and printouts.

Reads (to the contract's values):
- convicted: CONV, CONVICTED (- PLEA, BY PLEA, - JURY ...), PG, P/G, PLED/PLEADS/PLEADED GUILTY,
  PLEA (OF) GUILTY, GUILTY PLEA, NOLO, NOLO CONTENDERE, FOUND GUILTY, GUILTY (-COURT, -JURY), GLTY(-CRT, -JURY);
- dismissed: DISM, DISMISSED, DISMISSED 1385 PC, DISM-1385, DISM/FURTHERANCE (OF JUSTICE), 1385 PC alone;
- acquitted: ACQ, ACQUITTED, a verdict or finding of NOT GUILTY, NG;
- diverted: DIV, DIVERTED, DIVERSION (GRANTED), DIV-1000PC, DEJ, DEFERRED ENTRY OF JUDGMENT, 1000 PC alone;
- pending: PENDING, OPEN, WARRANT, BENCH WARRANT, BW;
- unknown: UNK, UNKNOWN, NO DISPO(SITION).
OCR noise inside words is tolerated (`DISMlSSED`, `C0NVICTED`, `ACQUITTEO`: one look-alike letter;
`CONU` for CONV, as dot-matrix faces print V).

Refuses (no disposition): a plea of not guilty at arraignment (PLEADS NOT GUILTY, NOT GUILTY PLEA, NG PLEA,
PLEA OF NOT GUILTY), a denied or terminated diversion, PRIOR CONVICTION, IN OPEN COURT / OPEN CONTAINER,
SEARCH WARRANT, WARRANT RECALLED, court DIVISION numbers, page numbers (PG 1 OF 2).

Post-conviction relief under PC 1203.4 / 1203.4a / 1203.41 (`DISMISSED PER 1203.4 PC`, `1203.4 GRANTED`)
is NOT a dismissal of the count: `find_dispositions` reports it with the distinct value "set_aside_1203_4"
(the constant SET_ASIDE), and `parse_disposition` ignores it (it returns None when nothing else is there).

`disposition_spans` gives the character spans of every disposition phrase, including the statute numbers
inside them (the "1385 PC" of "DISMISSED 1385 PC", the "1000 PC" of "DIV-1000PC", the "1203.4" of a set-aside),
so that the statute extractor can mask them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import Hamming

__all__ = ["DispositionMatch", "SET_ASIDE", "parse_disposition", "find_dispositions", "disposition_spans"]

SET_ASIDE = "set_aside_1203_4"  # post-conviction dismissal (PC 1203.4 ...): the count stays a conviction


@dataclass(frozen=True, slots=True)
class DispositionMatch:
    """A disposition phrase: span [start, end), the text read, and its value (a contract value or SET_ASIDE)."""

    start: int
    end: int
    raw: str
    value: str


_PC = r"(?:\s?P\.?\s?C\.?)"
_FURTHERANCE = r"(?:\s?[-/,]?\s?(?:IN\s+)?FURTH(?:ERANCE)?\.?(?:\s+(?:OF\s+)?JUST(?:ICE)?\.?)?)"
_1385 = rf"(?:\s?[-/:,]?\s?(?:PER|PURSUANT\s+TO|UNDER|P/)?\s?(?:PC\s?)?1385(?:\s?\(A\))?{_PC}?)"
_1000 = rf"(?:(?:PC\s?)?1000(?:\.\d)?{_PC}?)"
_GUILTY = r"(?:GUILTY|GLTY|GLTY\.)"
# Beside PLEA, GUILTY with its last letter lost to the scan ("PLEA GUILT'"): nothing else reads so.
_GUILTY_BY_PLEA = r"(?:GUILTY?|GLTY|GLTY\.)"
_COURT_JURY = r"(?:\s?[-/]\s?(?:COURT\s+TRIAL|JURY\s+TRIAL|COURT|CRT|JURY|JRY|BY\s+PLEA|PLEA))?"

# (pattern, value) in priority order; value None marks a phrase that looks like a disposition but is not one.
_RULES: list[tuple[str, str | None]] = [
    # post-conviction relief, not a dismissal of the count
    (rf"(?:(?:DISM(?:ISSED)?|SET\s*ASIDE|EXPUNGED?|RELIEF\s+GRANTED)\s?[-/:,]?\s?(?:PER|PURSUANT\s+TO|UNDER|P/)?\s?)?"
     rf"(?:PC\s?)?1203\.4(?:1|A|a)?{_PC}?(?:\s+(?:GRANTED|MOTION\s+GRANTED))?", SET_ASIDE),
    # pleas of not guilty at arraignment, and other look-alikes
    (r"(?:PLEAD(?:S|ED)?|PLED|PLEA(?:\s?(?:OF|:|-))?|ENTERS?\s+(?:A\s+)?PLEA\s+OF|WITHDRAWS?\s+(?:A\s+)?PLEA\s+OF)"
     r"\s?[.,:;'`\u2018\u2019]?\s?(?:NOT\s?GUILTY?|N\.?G\.?)(?:\s+BY\s+REASON\s+OF\s+INSANITY)?"
     r"(?:\s+(?:TO\s+)?ALL\s+(?:COUNTS|CTS))?", None),  # a speck read as punctuation between: "PLEADS. NOT GUILTY"
    (r"(?:NOT\s?GUILTY?|N\.?G\.?)\s?[-/]?\s?PLEA", None),
    (r"(?:DIV(?:ERSION)?|DEJ)\.?\s?[-/]?\s?(?:1000\s?(?:\.\d\s?)?(?:PC\s?)?)?"
     r"(?:DENIED|TERMINATED|REVOKED|REFUSED|INELIGIBLE)", None),
    (r"PRIOR(?:S)?\s+CONV(?:ICTION)?S?\.?", None),
    (r"(?:IN\s+)?OPEN\s+(?:COURT|CONTAINER|CONT\.?|CT\.?)", None),
    (r"SEARCH\s+WARRANT|WARRANT\s+(?:RECALLED|RECALL|QUASHED|SERVED|EXONERATED|RELEASED)", None),
    (r"DIVISION|DIV\.?\s?(?:NO\.?\s?)?\d{1,3}(?![0-9])(?!\s?P\.?C)", None),
    (r"PG\.?\s?\d+\s?(?:OF|/)\s?\d+|PAGE\s+\d+", None),
    # acquitted (before convicted: "NOT GUILTY" contains "GUILTY")
    (r"(?:FOUND\s+|VERDICT\s?:?\s?|JURY\s+VERDICT\s?:?\s?)?NOT\s?GUILTY(?:\s+BY\s+REASON\s+OF\s+INSANITY)?"
     + _COURT_JURY, "acquitted"),
    (r"ACQ(?:UITTED|UITTAL|\.)?", "acquitted"),
    (r"N\.?G\.?", "acquitted"),
    # convicted
    (r"(?:PLEAD(?:S|ED)?|PLED|PLEA(?:\s?(?:OF|:|-))?|ENTERS?\s+(?:A\s+)?PLEA\s+OF|CHANGES?\s+PLEA\s+TO)\s?"
     rf"(?:{_GUILTY_BY_PLEA}|NOLO(?:\s+CONTEN?DE?RE)?)", "convicted"),
    (rf"(?:{_GUILTY_BY_PLEA}|NOLO(?:\s+CONTEN?DE?RE)?)\s?[-/]?\s?PLEA", "convicted"),
    (r"NOLO(?:\s+CONTEN?DE?RE)?", "convicted"),
    (rf"(?:FOUND\s+|VERDICT\s?:?\s?|JURY\s+VERDICT\s?:?\s?|COURT\s+FINDS\s+(?:DEFT\s+|DEFENDANT\s+)?)?{_GUILTY}"
     + _COURT_JURY, "convicted"),
    (r"CON[VU](?:ICTED|ICTION|\.)?(?:\s?[-/]\s?(?:PLEA|BY\s+PLEA|COURT|JURY|CRT)|\s+BY\s+(?:PLEA|COURT|JURY))?",
     "convicted"),
    (r"P/G|PG", "convicted"),
    # dismissed
    (rf"(?:CASE\s+)?(?:DISM(?:ISSED)?|DSMD|DISMD|DSM)\.?(?:{_1385}{_FURTHERANCE}?|{_FURTHERANCE}{_1385}?)?",
     "dismissed"),
    (rf"(?:PC\s?)?1385{_PC}?(?:\s?\(A\))?{_FURTHERANCE}?", "dismissed"),
    # diverted
    (rf"(?:DIV(?:ERSION|ERTED)?|DEJ)\.?\s?[-/]?\s?{_1000}", "diverted"),
    (r"DEFERRED\s+ENTRY\s+OF\s+JUDG(?:E)?MENT(?:\s+GRANTED)?", "diverted"),
    (r"(?:DIVERSION|DIVERTED|DIV\.?)(?:\s+GRANTED)?|DEJ(?:\s+GRANTED)?", "diverted"),
    (rf"(?:PC\s?)?1000(?:\.\d)?{_PC}", "diverted"),
    (r"PC\s?1000(?:\.\d)?", "diverted"),
    # pending
    (r"(?:BENCH\s+WARRANT|B/W|BWI?)(?:\s+(?:ISSUED|ORDERED))?|WARRANT(?:\s+(?:ISSUED|OUTSTANDING))?", "pending"),
    (r"PENDING|OPEN", "pending"),
    # unknown
    (r"UNK(?:NOWN)?\.?|NO\s+DISPO(?:SITION)?|DISPO(?:SITION)?\s+UNK(?:NOWN)?", "unknown"),
]
_COMPILED = [(re.compile(rf"(?<![A-Za-z0-9])(?:{p})(?![A-Za-z0-9])", re.IGNORECASE), v) for p, v in _RULES]

# Words whose single-letter OCR damage is repaired before matching (same length, so offsets hold).
_VOCAB = ("CONVICTED", "DISMISSED", "ACQUITTED", "DIVERSION", "DIVERTED", "CONTENDERE", "GUILTY", "PENDING",
          "WARRANT", "FURTHERANCE", "JUSTICE", "DEFERRED", "JUDGMENT", "VERDICT", "PLEADS", "CONVICTION")
_DIGIT_AS_LETTER = str.maketrans({"0": "O", "1": "I", "5": "S", "8": "B", "|": "I", "$": "S"})
# Letter pairs tesseract confuses on typewritten and dot-matrix text; only these are repaired.
_LOOKALIKE = {frozenset(p) for p in ("OD", "OQ", "DQ", "OC", "CG", "IL", "IT", "IJ", "LT", "EF", "EB", "FP",
                                     "MN", "NH", "UV", "VY", "RK", "RP", "BR", "AR", "CE", "HM", "SB")}


def _one_lookalike_off(word: str, target: str) -> bool:
    diffs = [(a, b) for a, b in zip(word, target, strict=True) if a != b]
    return len(diffs) == 1 and frozenset(diffs[0]) in _LOOKALIKE


def _repair(text: str) -> str:
    """Same-length repair of OCR-damaged words: digits inside letter words, one wrong letter in a known word."""
    def fix(m: re.Match) -> str:
        word = m.group()
        letters = sum(ch.isalpha() for ch in word)
        if letters * 2 > len(word):
            word = word.translate(_DIGIT_AS_LETTER)
        up = word.upper()
        if len(up) >= 6 and up not in _VOCAB:
            for v in _VOCAB:
                if len(v) == len(up) and Hamming.distance(up, v) == 1 and _one_lookalike_off(up, v):
                    return v
        return word
    return re.sub(r"[A-Za-z0-9|$]+", fix, text)


def find_dispositions(text: str) -> list[DispositionMatch]:
    """Every disposition phrase in the text, left to right (values: the contract's, or SET_ASIDE)."""
    return [m for m in _scan(text) if m.value is not None]


def disposition_spans(text: str) -> list[tuple[int, int]]:
    """Spans [start, end) of disposition phrases (with their statute numbers) to mask before finding statutes."""
    return [(m.start, m.end) for m in find_dispositions(text)]


@lru_cache(maxsize=4096)  # extraction asks about the same line several times (measured: 2.5 times a line)
def _scan(text: str) -> tuple[DispositionMatch, ...]:
    clean = _repair(text)
    taken: list[DispositionMatch] = []
    for pattern, value in _COMPILED:
        for m in pattern.finditer(clean):
            if any(t.start < m.end() and m.start() < t.end for t in taken):
                continue
            taken.append(DispositionMatch(m.start(), m.end(), text[m.start():m.end()], value))  # type: ignore[arg-type]
    return tuple(sorted(taken, key=lambda t: t.start))


def parse_disposition(text: str) -> str | None:
    """The disposition of one field: the last contract value in it (a later entry supersedes an earlier
    one, as in "DIVERSION ... DISMISSED"); SET_ASIDE entries are ignored; None when there is none."""
    values = [m.value for m in find_dispositions(text or "") if m.value != SET_ASIDE]
    return values[-1] if values else None
