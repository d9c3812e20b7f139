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
# number words first: "ONE" must not be read as the look-alike "O" and the rest dropped
_NUM = r"(?:ONE|TWO|THREE|FOUR|FIVE|SIX|SEVEN|EIGHT|NINE|TEN|ELEVEN|TWELVE|[0-9OlI@©®][0-9OlI]{0,2})"
_COUNT_WORD = r"(?:COUNTS?|C0UNTS?|CTS?|CNTS?|CT\.S)"
_ASIDE = r"(?:\s*\([^()\n]{1,30}\))?"  # "COUNTS 3 (H/S 11359) AND 4 (BPC 4140)"
COUNT_REF = re.compile(
    rf"\b{_COUNT_WORD}\.?\s*(?:NO\.?|NOS\.?|#)?\s*:?\s*"
    rf"(?P<nums>{_NUM}(?![0-9A-Za-z]){_ASIDE}(?:\s*(?:,|&|AND|-|THRU|THROUGH|TO)\s*{_NUM}\b{_ASIDE})*)",
    re.I)
ALL_COUNTS = re.compile(r"\bALL\s+(?:(?P<rem>OTHER|REMAINING)\s+)?(?:COUNTS|CHARGES)\b|"
                        r"\b(?P<rem2>REMAINING)\s+(?:COUNTS|CHARGES)\b", re.I)


# Zero-padded count numbers of printouts ("001") whose zeros a dot-matrix face or a poor scan turns
# into look-alikes ("661", "BB3", "©5", "62").
_ZERO_LOOKALIKES = str.maketrans({"6": "0", "8": "0", "9": "0", "@": "0", "B": "0", "G": "0", "Q": "0",
                                  "D": "0", "O": "0", "©": "0", "®": "0"})
MAX_COUNT = 40  # counts of one case are numbered from 1; a higher number was misread


def _plain_num(t: str) -> int | None:
    t = t.replace("O", "0").replace("L", "1").replace("I", "1")
    return int(t) if t.isdigit() and 0 < int(t) < 1000 else None


def _num(tok: str) -> int | None:
    """A count number: a word (TWO), digits with OCR look-alikes, or a zero-padded number whose leading
    zeros were misread; None unless it is a plausible count (1..MAX_COUNT)."""
    t = tok.upper()
    if t in _NUMWORDS:
        return _NUMWORDS[t]
    n = _plain_num(t)
    if n is not None and n <= MAX_COUNT:
        return n
    if len(t) < 2:
        return None
    n = _plain_num(t[:-1].translate(_ZERO_LOOKALIKES) + t[-1])
    return n if n is not None and n <= MAX_COUNT else None


def parse_count_list(s: str) -> tuple[int, ...]:
    """'1, 2 AND 3' -> (1, 2, 3); '1-3' and '1 THRU 3' -> (1, 2, 3); asides in parentheses are skipped."""
    s = re.sub(r"\([^()]*\)", " ", s)
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
        """Statutes, dates, dispositions and count references that a line break cuts ("11352 HEALTH AND /
        SAFETY CODE", "TO COUNT / 1").

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
        # "PLEADS GUILTY TO COUNT / 1, A VIOLATION OF ...": a count word ending one line, its number the next
        refs = [(s.start, s.end) for s in found if s.label == "COUNT_REF"]
        for m in COUNT_REF.finditer(flat):
            if "\n" not in doc.text[m.start():m.start("nums")] or any(x < m.end() and m.start() < y for x, y in refs):
                continue
            if re.match(r"[/\-.:]\d", flat[m.end():m.end() + 2]):
                continue  # the next line begins with a date or a time, not a count
            nums = parse_count_list(m.group("nums"))
            if nums:
                out.append(Span("COUNT_REF", m.start(), m.end(), flat[m.start():m.end()], nums))
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
        found = dates.find_dates(text)
        lead = dates.entry_date(text)
        if lead is not None and not any(m.start < lead.end and lead.start < m.end for m in found):
            found.insert(0, lead)
        for m in found:
            out.append(Span("DATE", base + m.start, base + m.end, m.raw, m.value))
        for m in COUNT_REF.finditer(text):
            nums = parse_count_list(m.group("nums"))
            if nums:
                out.append(Span("COUNT_REF", base + m.start(), base + m.end(), m.group(0), nums))
        for lm in levels.find_levels(text):  # the long words also as a scan damaged them ("MISDSMEANOR")
            out.append(Span("LEVEL", base + lm.start, base + lm.end, lm.raw, lm.value))
        for m in case_numbers.find_case_numbers(text):
            out.append(Span("CASE_NUMBER", base + m.start, base + m.end, m.raw, m.value))
        return out

    def _all_counts(self, doc: DocText) -> list[Span]:
        out = []
        for m in ALL_COUNTS.finditer(doc.text):
            rem = bool(m.group("rem") or m.group("rem2"))
            out.append(Span("COUNT_REF", m.start(), m.end(), m.group(0), ("REMAINING",) if rem else ("ALL",)))
        return out


MODEL_PREFIX = "NER:"


def model_spans(spans: list[Span], label: str) -> list[Span]:
    """The model's spans of one label (CASE_NUMBER, PRIOR, DISPO_DATE, ...)."""
    want = MODEL_PREFIX + label
    return [s for s in spans if s.label == want]


def overlaps(a: Span, b: Span) -> bool:
    return a.start < b.end and b.start < a.end


class CombinedTagger:
    """Rule spans carry values; the trained model's spans carry roles (a prior, a disposition date).

    Both go to assembly: the model's spans under labels prefixed "NER:". Where the model finds a
    statute, disposition, date or case number that the rules missed, the normalizers read its text
    (with their OCR corrections) and a rule-style span is added with the model's probability as its
    score. A rule span that the model does not confirm keeps its value but loses some confidence.
    """

    # Model label -> the rule label whose value it carries.
    _KINDS = {"STATUTE": "STATUTE", "DISPOSITION": "DISPOSITION", "CASE_NUMBER": "CASE_NUMBER",
              "DISPO_DATE": "DATE", "DOB": "DATE", "FILING_DATE": "DATE", "LEVEL": "LEVEL"}
    UNCONFIRMED = 0.9  # score of a rule span of a modelled kind that the model did not tag

    def __init__(self, rules: Tagger | None = None, model: Tagger | None = None):
        self.rules = rules or RuleTagger()
        self.model = model

    def tag(self, doc: DocText) -> list[Span]:
        spans = self.rules.tag(doc)
        if self.model is None:
            return spans
        found = self.model.tag(doc)
        out: list[Span] = []
        for s in spans:
            same = [m for m in found if self._KINDS.get(m.label) == s.label and overlaps(m, s)]
            if s.label in ("STATUTE", "DISPOSITION", "CASE_NUMBER") and not same:
                s = Span(s.label, s.start, s.end, s.text, s.value, round(s.score * self.UNCONFIRMED, 4), s.corrected)
            out.append(s)
        for m in found:
            kind = self._KINDS.get(m.label)
            if kind and not any(r.label == kind and overlaps(r, m) for r in spans):
                extra = self._read(kind, m)
                if extra is not None:
                    out.append(extra)
            out.append(Span(MODEL_PREFIX + m.label, m.start, m.end, m.text, None, m.score))
        out.sort(key=lambda s: (s.start, s.end))
        return out

    @staticmethod
    def _read(kind: str, m: Span) -> Span | None:
        """A value for a model span that no rule matched; None when the normalizers cannot read it."""
        value: Any = None
        if kind == "STATUTE":
            value = statutes.parse_statute(m.text) or lenient_statute(m.text)
            if value is None or not value.known:
                return None
        elif kind == "DISPOSITION":
            value = dispositions.parse_disposition(m.text)
        elif kind == "DATE":
            value = dates.parse_date(m.text)
        elif kind == "CASE_NUMBER":
            value = case_numbers.normalize_case_number(m.text)
        elif kind == "LEVEL":
            value = levels.parse_level(m.text)
        if value is None:
            return None
        return Span(kind, m.start, m.end, m.text, value, m.score, corrected=True)


_SECTION_CODES: dict[str, tuple[str, ...]] | None = None


def lenient_statute(text: str):
    """A statute from text the model calls a statute but the strict reader cannot parse.

    The number (with look-alike letters read as digits) must be a known section; the code comes
    from the letters beside it (H..S -> HS, P..C -> PC, V -> VC, B..P -> BP, W..I -> WI) or, when
    they say nothing, from the table if only one code has that section.
    """
    global _SECTION_CODES
    from extractors.normalize.sections import all_sections, section_info
    from extractors.types import Statute

    if _SECTION_CODES is None:
        table: dict[str, list[str]] = {}
        for info in all_sections():
            table.setdefault(info.section, []).append(info.code)
        _SECTION_CODES = {k: tuple(v) for k, v in table.items()}
    up = text.upper()
    for m in re.finditer(r"([0-9OlIS]{3,6}(?:\.[0-9]+)?)(?:\(?([A-Z])\)?(?![A-Z]))?", up):
        tok = m.group(1)
        num = tok.translate(str.maketrans("OlIS", "0115"))
        if not re.fullmatch(r"[0-9]+(?:\.[0-9]+)?", num) or not any(ch.isdigit() for ch in tok):
            continue
        codes = _SECTION_CODES.get(num, ())
        letters = re.sub(r"[^A-Z]", "", up.replace(m.group(0), " "))
        hinted = [c for c in codes if letters.startswith(c[0])]
        pick = hinted if hinted else (codes if len(codes) == 1 else ())
        if len(pick) == 1:
            # a letter glued to the number ("11357A") is its subdivision when the section has one so named
            info = section_info(pick[0], num)
            sub = m.group(2).lower() if m.group(2) and info and m.group(2).lower() in info.subdivisions else None
            return Statute(pick[0], num, sub, False, True)
    return None
