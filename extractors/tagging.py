"""Taggers find typed spans in a document's text; assembly turns spans into a case.

`RuleTagger` finds spans with the normalizers (statutes, dates, dispositions, levels, count
references, case numbers). A statistical tagger (the project's spaCy NER model) yields the same
`Span`s, so assembly does not care where a span came from.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Protocol

from extractors.document import DocText
from extractors.normalize import case_numbers, dates, dispositions, levels, statutes

LABELS = ("STATUTE", "DATE", "DISPOSITION", "LEVEL", "COUNT_REF", "CASE_NUMBER")


@dataclass(frozen=True, slots=True)
class Span:
    label: str
    start: int
    end: int
    text: str
    value: Any  # normalized value: Statute, date, disposition code, level, tuple of counts, str
    score: float = 1.0  # the tagger's own belief (1.0 for a rule match, model probability otherwise)
    corrected: bool = False  # an OCR correction was applied to read it


class Tagger(Protocol):
    def tag(self, doc: DocText) -> list[Span]: ...


_NUMWORDS = {"ONE": 1, "TWO": 2, "THREE": 3, "FOUR": 4, "FIVE": 5, "SIX": 6, "SEVEN": 7, "EIGHT": 8,
             "NINE": 9, "TEN": 10, "ELEVEN": 11, "TWELVE": 12, "I": 1, "II": 2, "III": 3, "IV": 4, "V": 5}
_NUM = r"(?:[0-9OlI]{1,3}|ONE|TWO|THREE|FOUR|FIVE|SIX|SEVEN|EIGHT|NINE|TEN|ELEVEN|TWELVE)"
_COUNT_WORD = r"(?:COUNTS?|C0UNTS?|CTS?|CNTS?|CT\.S)"
COUNT_REF = re.compile(
    rf"\b{_COUNT_WORD}\.?\s*(?:NO\.?|NOS\.?|#)?\s*(?P<nums>{_NUM}(?:\s*(?:,|&|AND|-|THRU|THROUGH|TO)\s*{_NUM}\b)*)",
    re.I)
ALL_COUNTS = re.compile(r"\bALL\s+(?:(?P<rem>OTHER|REMAINING)\s+)?(?:COUNTS|CHARGES)\b|"
                        r"\b(?P<rem2>REMAINING)\s+(?:COUNTS|CHARGES)\b", re.I)


def _num(tok: str) -> int | None:
    t = tok.upper()
    if t in _NUMWORDS:
        return _NUMWORDS[t]
    t = t.replace("O", "0").replace("L", "1").replace("I", "1")
    return int(t) if t.isdigit() and 0 < int(t) < 100 else None


def parse_count_list(s: str) -> tuple[int, ...]:
    """'1, 2 AND 3' -> (1, 2, 3); '1-3' and '1 THRU 3' -> (1, 2, 3)."""
    toks = re.findall(rf"{_NUM}|-|THRU|THROUGH|TO", s, re.I)
    out: list[int] = []
    i = 0
    while i < len(toks):
        n = _num(toks[i])
        if n is not None and i + 2 < len(toks) and toks[i + 1].upper() in ("-", "THRU", "THROUGH", "TO"):
            m = _num(toks[i + 2])
            if m is not None and n < m <= n + 20:
                out.extend(range(n, m + 1))
                i += 3
                continue
        if n is not None:
            out.append(n)
        i += 1
    return tuple(dict.fromkeys(out))


_LEVEL_TOKEN = re.compile(r"\b(?:FELONY|FELONV|FEL|MISDEMEANOR|MISDEMEANDR|MISD|MSD|INFRACTION|INFR|INF)\b\.?", re.I)


class RuleTagger:
    """Spans from the normalizers, line by line."""

    def tag(self, doc: DocText) -> list[Span]:
        spans: list[Span] = []
        for ln in doc.lines:
            spans.extend(self.tag_line(ln.text, ln.start))
        spans.extend(self._across_lines(doc, spans))
        spans.extend(self._all_counts(doc))
        spans.sort(key=lambda s: (s.start, s.end))
        return spans

    def _across_lines(self, doc: DocText, found: list[Span]) -> list[Span]:
        """Statutes, dates and dispositions that a line break cuts ("11352 HEALTH AND / SAFETY CODE").

        The whole text is read again with line breaks as spaces; only matches that cross a break
        and overlap nothing found line by line are added.
        """
        flat = doc.text.replace("\n", " ")
        taken = sorted((s.start, s.end) for s in found if s.label in ("STATUTE", "DATE", "DISPOSITION"))

        def crosses(a: int, b: int) -> bool:
            return "\n" in doc.text[a:b] and not any(x < b and a < y for x, y in taken)

        out: list[Span] = []
        masked = flat
        for a, b in dispositions.disposition_spans(flat):
            masked = masked[:a] + " " * (b - a) + masked[b:]
        for m in statutes.find_statutes(masked):
            if crosses(m.start, m.end):
                out.append(Span("STATUTE", m.start, m.end, flat[m.start:m.end], m.statute, corrected=m.corrected))
        for m in dates.find_dates(flat):
            if crosses(m.start, m.end):
                out.append(Span("DATE", m.start, m.end, m.raw, m.value))
        for m in dispositions.find_dispositions(flat):
            if m.value != dispositions.SET_ASIDE and crosses(m.start, m.end):
                out.append(Span("DISPOSITION", m.start, m.end, m.raw, m.value))
        return out

    def tag_line(self, text: str, base: int) -> list[Span]:
        out: list[Span] = []
        masked = text
        for m in dispositions.find_dispositions(text):
            if m.value == dispositions.SET_ASIDE:  # post-conviction relief: the count stays a conviction
                continue
            out.append(Span("DISPOSITION", base + m.start, base + m.end, m.raw, m.value))
        # Sections cited inside a disposition ("DISMISSED 1385 PC") are not charges.
        for a, b in dispositions.disposition_spans(text):
            masked = masked[:a] + " " * (b - a) + masked[b:]
        for m in statutes.find_statutes(masked):
            out.append(Span("STATUTE", base + m.start, base + m.end, text[m.start:m.end], m.statute,
                            corrected=m.corrected))
        for m in dates.find_dates(text):
            out.append(Span("DATE", base + m.start, base + m.end, m.raw, m.value))
        for m in COUNT_REF.finditer(text):
            nums = parse_count_list(m.group("nums"))
            if nums:
                out.append(Span("COUNT_REF", base + m.start(), base + m.end(), m.group(0), nums))
        for m in _LEVEL_TOKEN.finditer(text):
            lv = levels.parse_level(m.group(0))
            if lv:
                out.append(Span("LEVEL", base + m.start(), base + m.end(), m.group(0), lv))
        for m in case_numbers.find_case_numbers(text):
            out.append(Span("CASE_NUMBER", base + m.start, base + m.end, m.raw, m.value))
        return out

    def _all_counts(self, doc: DocText) -> list[Span]:
        out = []
        for m in ALL_COUNTS.finditer(doc.text):
            rem = bool(m.group("rem") or m.group("rem2"))
            out.append(Span("COUNT_REF", m.start(), m.end(), m.group(0), ("REMAINING",) if rem else ("ALL",)))
        return out
