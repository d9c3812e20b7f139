"""Assembly: tagged spans and the page layout become a case with counts.

The document is cut into segments (a table row, a proceedings entry, a sentence of a minute
order). Then, in order:
1. header fields from labelled lines (case number, defendant, DOB, filing date, court);
2. charge definitions: a statute in a table row or next to a count reference defines a count;
   a later mention of a known statute or count is a reference, not a new count;
3. disposition events: a disposition in a row applies to that row's count; in prose it applies to
   the counts the segment names ("COUNTS 1 AND 3", "ALL REMAINING COUNTS", a statute), dated by a
   date in the segment or else by the date of the entry it belongs to;
4. priors and registration notes (never counts) set flags.
Nothing here depends on one layout's wording: labels are matched as families of spellings.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from rapidfuzz.distance import Levenshtein

from extractors.document import DocText, TextLine
from extractors.normalize import dates as dates_mod
from extractors.normalize import case_numbers, names, offenses, sections
from extractors.tagging import Span, model_spans, overlaps
from extractors.types import CaseFacts, Charge, Fact, Prior, Statute

# --------------------------------------------------------------------------- segments

_ABBREV = {"P", "C", "H", "S", "V", "B", "W", "I", "NO", "NOS", "SEC", "CT", "CTS", "CNT", "DEPT", "ATTY",
           "DEFT", "VS", "JR", "SR", "MR", "MS", "DR", "ST", "AVE", "BLVD", "HS", "PC", "VC", "VEH", "PEN",
           "HSC", "APPROX", "INC", "CO"}
_SENT_END = re.compile(r"[.;](?=\s+[A-Z0-9(])")
_PRIOR = re.compile(r"\bPRIORS?\b(?!\s+TO\b)|\bPREVIOUSLY\s+CONVICTED\b|\bSTRIKES?\b|\bPRI0R"
                    r"|^\W{0,3}(?:R?I)?OR\s+CONV\b", re.I | re.M)  # "OR CONV:": a PRIOR CONV label cut by the scan's edge
_REGISTER = re.compile(r"\bREGIS\w*", re.I)
_290 = re.compile(r"(?<![\d.])29[0O](?![\d.])")


@dataclass
class Segment:
    start: int
    end: int
    lines: list[TextLine]
    entry_date: dt.date | None = None
    is_row: bool = False
    row_count: int | None = None
    spans: list[Span] = field(default_factory=list)

    def text(self, doc: DocText) -> str:
        return doc.text[self.start:self.end]


def _within(pos: int, ranges: list[tuple[int, int]]) -> bool:
    """The character offset lies in one of the [start, end) ranges (priors, parts to skip)."""
    return any(a <= pos < b for a, b in ranges)


def _starts_entry(ln: TextLine, spans: list[Span]) -> bool:
    """A line that begins a new entry: a leading date, count number or count word."""
    head = [s for s in spans if s.start < ln.start + 12]
    if any(s.label in ("DATE", "COUNT_REF") and s.start <= ln.start + 2 for s in head):
        return True
    m = re.match(r"\s*[0-9OlI]{1,3}\b", ln.text)
    return bool(m) and any(s.label == "STATUTE" and ln.start + m.end() <= s.start < ln.start + 30 for s in spans)


def _line_spans(spans: list[Span], ln: TextLine) -> list[Span]:
    return [s for s in spans if ln.start <= s.start < ln.end]


def segment(doc: DocText, spans: list[Span]) -> list[Segment]:
    """Cut the document into rows, entries and sentences."""
    by_line = {ln.index: _line_spans(spans, ln) for ln in doc.lines}
    blocks: list[list[TextLine]] = []
    widths: dict[int, int] = {}
    for ln in doc.lines:
        widths[ln.page] = max(widths.get(ln.page, 0), len(ln.text))
    prev: TextLine | None = None
    row_block = False
    for ln in doc.lines:
        spans_here = by_line[ln.index]
        if row_block and prev is not None and _continues_row(blocks[-1][0], prev, ln, spans_here):
            blocks[-1].append(ln)  # a row's hanging-indent continuation ("DISPO: ... DATE: ...")
            prev = ln
            continue
        new = (prev is None or prev.page != ln.page or prev.text.rstrip().endswith((".", ";", ":"))
               or _starts_entry(ln, spans_here) or _is_entry_heading(ln) or len(prev.text) < 0.6 * widths[ln.page]
               or row_block or "  " in ln.text.strip() or _is_row(ln, spans_here))
        if new:
            blocks.append([ln])
            row_block = _is_row(ln, spans_here)
        else:
            blocks[-1].append(ln)
        prev = ln
    segs: list[Segment] = []
    entry_date: dt.date | None = None
    for block in blocks:
        first = block[0]
        fs = by_line[first.index]
        lead = [s for s in fs if s.label == "DATE" and s.start <= first.start + 2]
        if not lead and _is_entry_heading(first):
            # "MINUTES OF 01/22/81:", "HEARING OF MAR 2 1981:": a heading line dates what follows
            lead = [s for s in fs if s.label == "DATE"]
        if lead:
            entry_date = lead[0].value
        elif _garbled_lead(first.text):
            entry_date = None  # this entry's own date is there, unreadable: it is not the last entry's
        if _is_row(first, fs):
            seg = Segment(first.start, block[-1].end, block, entry_date, True, _row_count(first, fs))
            seg.spans = [s for ln in block for s in by_line[ln.index]]
            segs.append(seg)
            continue
        start, end = first.start, block[-1].end
        text = doc.text[start:end]
        cuts = [start] + [start + m.end() for m in _SENT_END.finditer(text) if not _is_abbrev(text, m.start())] + [end]
        for a, b in zip(cuts, cuts[1:]):
            if b > a:
                seg = Segment(a, b, [ln for ln in block if ln.end > a and ln.start < b], entry_date)
                seg.spans = [s for s in spans if a <= s.start < b]
                segs.append(seg)
    return segs


# Where an entry's date stands (the line's first field, before a wide gap), scan damage that left marks
# no reader makes a date of: "dal=al6}= 7/8)  CT 01 ... CONV".
_LEAD_FIELD = re.compile(r"^\W{0,2}(\S[^\n]{3,14}?)\s{2,}\S")
_DAMAGE_MARKS = set("=}{)(|;\\~_[]<>")


def _garbled_lead(text: str) -> bool:
    m = _LEAD_FIELD.match(text)
    if not m:
        return False
    field_ = m.group(1)
    return sum(ch in _DAMAGE_MARKS for ch in field_) >= 2 and sum(ch.isalpha() for ch in field_) <= 0.6 * len(field_)


def _is_entry_heading(ln: TextLine) -> bool:
    """A short line ending with a colon: the heading of the entry below it."""
    t = ln.text.strip()
    return t.endswith(":") and len(t.split()) <= 6


def _char_width(ln: TextLine) -> float:
    heights = sorted(w.bbox[3] - w.bbox[1] for w in ln.line.words)
    return 0.6 * heights[len(heights) // 2] if heights else 10.0


def _continues_row(row: TextLine, prev: TextLine, ln: TextLine, spans: list[Span]) -> bool:
    """A line indented under a table row, close below it, with no statute of its own."""
    if ln.page != row.page or any(s.label == "STATUTE" for s in spans):
        return False
    if any(s.label in ("DATE", "COUNT_REF") and s.start <= ln.start + 2 for s in spans):
        return False
    cw = _char_width(row)
    indented = ln.line.bbox[0] > row.line.bbox[0] + 1.5 * cw
    close = ln.line.bbox[1] - prev.line.bbox[3] < 2.5 * (prev.line.bbox[3] - prev.line.bbox[1])
    return indented and close


def _is_abbrev(text: str, dot: int) -> bool:
    if text[dot] == ";":
        return False
    m = re.search(r"([A-Za-z0-9&]+)$", text[:dot])
    if not m:
        return False
    word = m.group(1).upper()
    return word in _ABBREV or (len(word) == 1 and word.isalpha()) or (dot >= 2 and text[dot - 2] == ".")


def _is_row(ln: TextLine, spans: list[Span]) -> bool:
    """A table row: a statute with a count number before it or a level/disposition beside it."""
    st = [s for s in spans if s.label == "STATUTE" and s.end <= ln.end]
    if len(st) != 1 or _PRIOR.search(ln.text):
        return False
    if _row_count(ln, spans) is not None:
        return True
    if _COUNT_WORD_HEAD.match(ln.text[: st[0].start - ln.start]):
        return True  # "CNT 8683 PC488 PETTY THEFT": a count row whose number was misread
    others = {s.label for s in spans if s.label in ("LEVEL", "DISPOSITION")}
    return bool(others) and "  " in ln.text


def row_count_number(tok: str) -> int | None:
    """The count number at the head of a table row (`tagging._num`: look-alikes and misread zero padding)."""
    from extractors.tagging import _num

    return _num(tok.strip("|"))


# A count row begins with an optional count word ("CT", "CNT 003", "COUNT NO.:") and the count's number,
# its zeros and ones often read as look-alikes ("0l", "@2", "BB3").
_COUNT_WORD = r"(?:COUNT|CNT|CT)\.?\s*(?:NO\.?)?\s*:?\s*"
_COUNT_TOKEN = r"[0-9OlI@BGQD©®]{1,3}"
# The head of a count row before its section: "01", "CT 2", "CNT 003", "COUNT: 01 VIOL:"
_ROW_COUNT_HEAD = re.compile(rf"[\s|]*(?:{_COUNT_WORD})?({_COUNT_TOKEN})(?![0-9A-Za-z])"
                             r"(?:\s+(?:VIOL(?:ATION)?|STATUTE|CHARGE|CODE|SEC(?:TION)?)\.?)?[\s.:;)|-]*$", re.I)
# The same with a number past reading ("CNT 8683"): still a count row
_COUNT_WORD_HEAD = re.compile(rf"[\s|]*{_COUNT_WORD}\S{{1,5}}\s*$", re.I)


def _row_count(ln: TextLine, spans: list[Span]) -> int | None:
    st = [s for s in spans if s.label == "STATUTE"]
    if not st:
        return None
    head = ln.text[: st[0].start - ln.start]
    m = _ROW_COUNT_HEAD.match(head)
    if m:
        return row_count_number(m.group(1))
    cr = [s for s in spans if s.label == "COUNT_REF" and s.start <= ln.start + 3 and s.end <= st[0].start
          and len(s.value) == 1]
    return cr[0].value[0] if cr and isinstance(cr[0].value[0], int) else None


# --------------------------------------------------------------------------- header fields

_LABELS = {
    "case_number": re.compile(r"\b(?:CASE|DOCKET|DKT|FILE|ACTION)(?:\s*(?:NO|NUMBER|NBR|NUM|#))?\b\.?\s*:?|\bNO\.\s*:?",
                              re.I),
    "dob": re.compile(r"\bD\.?\s?O\.?\s?B\b\.?|\bBIRTH\s*DATE\b|\bDATE\s+OF\s+BIRTH\b|\bBORN\b|\bBIRTHDATE\b", re.I),
    # FILED, FILING (DATE), DATE (OF) FILING, DATEFILED run together, and a printout's FILE DT: however its
    # DT is damaged ("FILE OT:", "FILE GT:"), so long as it is not FILE NO.
    "filing": re.compile(r"\bFILED\b|\bFILING\b(?:\s+DATE\b)?|\bDATE\s*(?:OF\s+)?FIL(?:ED|ING)\b"
                         r"|\bFILE\s?(?:DATE\b|(?!NO\b)[A-Za-z]{2}\s?[:.])", re.I),
    "defendant": re.compile(r"\b(?:DEFENDANT|DEFT|DEF|DFT|NAME)\b\.?(?:\s*[0-9OlI@]{1,2}\s*[:.;]?)?\s*[:;!]?", re.I),
    # "D.O.B." as a worn ribbon or a poor scan reads it: "pop,", "pos.", "008." (header lines only).
    "dob_damaged": re.compile(r"(?<![A-Za-z0-9])[DPO0]\.?\s?[O0]\.?\s?[BPS8]\b[.,:]?", re.I),
    "hearing": re.compile(r"^\s*(?:DATE|HEARING\s+DATE|DATE\s+OF\s+HEARING)\b\.?\s*:?", re.I),
}
_NAME_STOP = {"IS", "THE", "PLEADS", "PLED", "WAIVES", "ADMITS", "WITHDRAWS", "PERSONALLY", "PRESENT",
              "ARRAIGNED", "SENTENCED", "ORDERED", "REMANDED", "FAILS", "APPEARS", "NOT", "TO", "IN", "AND",
              "WITH", "COUNSEL", "CUSTODY", "OF", "FOR", "ON", "CASE", "SUMMARY", "HISTORY", "INFORMATION",
              "STATEMENT", "ATTORNEY", "ATTY", "SEX", "RACE", "DOB", "D", "O", "B", "AGE", "ADDRESS", "AKA",
              "WAS", "HAS", "MOVES", "MOTION", "PLEA", "GUILTY", "DEPUTY", "PUBLIC", "DEFENDER", "RELEASED",
              "FOUND", "TO", "SEPARATE", "FILE", "BATTERY", "VIOLATION", "COUNT", "COUNTS", "BOOKED", "BAIL",
              "SET", "EXONERATED", "FORFEITED", "CONTINUED", "TRANSPORTED", "FTA"}


def _after(doc: DocText, spans: list[Span], label: str, kind: str, reach: int = 40,
           lines: list[TextLine] | None = None, skip: list[tuple[int, int]] = ()) -> Span | None:
    """The first span of `kind` within `reach` characters after a label on the same line, with no other
    field's label between them ("FILED 2418;02-26 DOB 1959-12-21": the date of birth is not the filing;
    "008  ARREST: SEP 24 2012": the arrest date is not a birth date behind a damaged D.O.B.)."""
    others = [_LABELS[k] for k in _FIELD_LABELS if _FIELD_LABELS[k] != _FIELD_LABELS.get(label)]
    for ln in lines or doc.lines:
        for m in _LABELS[label].finditer(ln.text):
            a = ln.start + m.end()
            if _within(a, skip):
                continue
            for s in spans:
                if s.label == kind and a <= s.start <= a + reach and s.end <= ln.end:
                    between = doc.text[a:s.start]
                    if not _ANOTHER_FIELD.search(between) and not any(o.search(between) for o in others):
                        return s
    return None


_FIELD_LABELS = {"case_number": "case_number", "dob": "dob", "dob_damaged": "dob", "filing": "filing"}  # label: field
# Between a label and its value: another label ("BAIL: $25.008  ARREST: SEP 24"), or a column break after
# something written ("DATEFILED OCT 13 200  JUN 30 2008": the label's own field was unreadable).
_ANOTHER_FIELD = re.compile(r"[A-Za-z]{3,}\s?:|[A-Za-z0-9]\s{2,}")


def _field_date(doc: DocText, label: str, lines: list[TextLine] | None = None) -> Span | None:
    """A date typed right after a label but not found by the tagger: an all-digit field whose slashes a
    dot-matrix printer or the scan lost ("FILED: 87726784"). Read only here, where the label says a date
    follows; the span is marked corrected."""
    for ln in lines or doc.lines:
        for m in _LABELS[label].finditer(ln.text):
            field_text = ln.text[m.end():m.end() + 16]
            lead = len(field_text) - len(field_text.lstrip(" :;.,>=\"'“”?"))
            for d in dates_mod.find_dates(field_text, allow_compact=True):
                if d.start <= lead + 1:
                    a = ln.start + m.end() + d.start
                    return Span("DATE", a, a + len(d.raw), d.raw, d.value, 1.0, True)
    return None


# A case-number label as a poor scan may read it ("pocketno.", "actionno,"): a word a letter or two from
# CASE/DOCKET/ACTION/FILE run into NO.
_DAMAGED_CASE_LABEL = re.compile(r"(?<![A-Za-z])([A-Za-z]{4,6})\s?NO\s?[.,:]", re.I)


def _case_labels(ln: TextLine):
    """End offsets (in the line) of case-number labels, exact or damaged."""
    ends = [m.end() for m in _LABELS["case_number"].finditer(ln.text)]
    for m in _DAMAGED_CASE_LABEL.finditer(ln.text):
        word = m.group(1).upper()
        if any(Levenshtein.distance(word, w, score_cutoff=2) <= (1 if len(w) <= 4 else 2)
               for w in ("CASE", "DOCKET", "ACTION", "FILE")):
            ends.append(m.end())
    return sorted(set(ends))


def _field_case_number(doc: DocText, priors: list[tuple[int, int]], header: list[TextLine]) -> Fact[str] | None:
    """A case number right after its label that the tagger could not read: split in two by OCR
    ("CASENO. 8 6F50094"), or with a slash for a 7 or a stray slash ("/6M03837", "A/763819"). A
    reading counts only when it has a case number's shape, and only one reading does."""
    for ln in header:
        for end in _case_labels(ln):
            a = ln.start + end
            if _within(a, priors):
                continue
            tok = re.match(r"\s*([A-Za-z0-9/]{1,10})(?:\s([A-Za-z0-9]{1,9}))?(?![A-Za-z0-9])", ln.text[end:])
            if not tok:
                continue
            reads = set()
            for raw, b1 in ((tok.group(1), tok.end(1)), ((tok.group(1) + (tok.group(2) or "")), tok.end())):
                for variant in {raw, raw.replace("/", "7"), raw.replace("/", "")}:
                    if len(variant) in (7, 8, 10) and "/" not in variant:
                        value = case_numbers.normalize_case_number(variant)
                        if value:
                            reads.add((value, b1))
            values = {v for v, _ in reads}
            if len(values) == 1:
                b0, b1 = a + tok.start(1), max(x for _, x in reads) + a
                return Fact(values.pop(), round(0.8 * doc.conf(b0, b1), 4), doc.evidence(b0, b1))
    return None


# A case number read in doubt that the document gives again, read the same, on another line (a page
# header repeated, the caption and a docket entry): two readings of different print agreeing.
CORROBORATED_CASE_CONF = 0.8


def find_case_number(doc: DocText, spans: list[Span], priors: list[tuple[int, int]],
                     header: list[TextLine]) -> Fact[str]:
    found = _find_case_number(doc, spans, priors, header)
    if not found.found or found.confidence >= CORROBORATED_CASE_CONF or found.evidence is None:
        return found
    here = found.evidence
    for s in spans:
        if s.label != "CASE_NUMBER" or s.value != found.value or _within(s.start, priors):
            continue
        ev = doc.evidence(s.start, s.end)
        if ev is not None and (ev.page != here.page or ev.bbox[1] >= here.bbox[3] or ev.bbox[3] <= here.bbox[1]):
            return Fact(found.value, CORROBORATED_CASE_CONF, found.evidence)
    return found


def _find_case_number(doc: DocText, spans: list[Span], priors: list[tuple[int, int]],
                      header: list[TextLine]) -> Fact[str]:
    labelled = _after(doc, spans, "case_number", "CASE_NUMBER", reach=30, skip=priors)
    if labelled is not None:
        return Fact(labelled.value, doc.conf(labelled.start, labelled.end), doc.evidence(labelled.start, labelled.end))
    for m in model_spans(spans, "CASE_NUMBER"):
        for s in spans:
            if s.label == "CASE_NUMBER" and overlaps(s, m) and not _within(s.start, priors):
                return Fact(s.value, round(doc.conf(s.start, s.end) * (0.5 + 0.5 * m.score), 4),
                            doc.evidence(s.start, s.end))
    split = _field_case_number(doc, priors, header)
    if split is not None:
        return split
    first_page = doc.lines[0].page if doc.lines else 1
    h = doc.page_sizes.get(first_page, (0, 1))[1]
    for s in spans:
        if s.label != "CASE_NUMBER" or _within(s.start, priors):
            continue
        ev = doc.evidence(s.start, s.end)
        if ev and ev.page == first_page and ev.bbox[1] < 0.4 * h:
            return Fact(s.value, 0.75 * doc.conf(s.start, s.end), ev)
    return Fact()


_NAME_END = re.compile(r"\b(?:D\.?O\.?B|SEX|AGE|RACE|BOOKING|CII|DOB|BORN|AKA|ADDRESS)\b|\d", re.I)
# A comma-form name ("DOE, JOHN M") right after the first word of a line: that word is a label, however
# the scan damaged it ("perenpant", "cerexowr").
_COMMA_NAME = re.compile(r"^\W{0,2}([A-Za-z]{5,12})[.:;!]?\s+(?=([A-Z][A-Z'\-]+\s?[,;»]\s?)?[A-Z])")


def _name_column(text: str) -> str:
    """The part of a line's text that is the name's column: up to the first column break (two spaces,
    `DocText`) after at least two words. What lies past it is the next field, whose label the scan may
    have damaged past recognition ("KWAME D      Bp 010534", "GREGORY G      bos. FEB 02 1980"); a
    break before the second word ("DOE,      JOHN") is taken for wide typing within the name."""
    parts = re.split(r" {2,}", text)
    kept = parts[0]
    for part in parts[1:]:
        if len(re.findall(r"[A-Za-z]{2,}", kept)) >= 2:
            break
        kept = f"{kept} {part}"
    return kept


def _name_fact(doc: DocText, ln: TextLine, at: int) -> Fact[str] | None:
    """The name that starts at offset `at` of line `ln`, if what is there reads as a name."""
    rest = ln.text[at:]
    lead = len(rest) - len(rest.lstrip(" :;!.,\"'“”"))
    rest = _name_column(rest[lead:])
    rest = _NAME_END.split(rest, maxsplit=1)[0].rstrip(" ,.;:|")
    value = names.normalize_name(rest.replace("»", ","))
    if value is None:
        return None
    words = re.findall(r"[A-Z][A-Z'\-]*", value)
    if not 2 <= len(words) <= 5 or any(w in _NAME_STOP for w in words if len(w) > 1) \
            or sum(len(w) >= 2 for w in words) < 2:
        return None
    a = ln.start + at + lead
    b = a + len(rest)
    return Fact(value, doc.conf(a, b), doc.evidence(a, b))


def _header_lines(doc: DocText, share: float = 0.5) -> list[TextLine]:
    """Lines in the top `share` of the first page that are not dated docket entries."""
    if not doc.lines:
        return []
    first_page = doc.lines[0].page
    h = doc.page_sizes.get(first_page, (0, 1))[1]
    return [ln for ln in doc.lines if ln.page == first_page and ln.line.bbox[1] < share * h
            and not _ENTRY_DATE.match(ln.text)]


_ENTRY_DATE = re.compile(r"^\W{0,2}\d{1,2}\s?[-/.=]\s?\d{1,2}\s?[-/.=]\s?\d{2,4}\b")
_NOT_THE_DEFENDANT = re.compile(r"(?:FOR|\bOF|\bTHE|CO-?)\s*$", re.I)  # FOR: also run into "ATTYFOR"


_CAPTION = re.compile(r"\bPEOPLE\b[^\n]{0,60}?\b(?:VS?|VERSUS)\b\.?\s*", re.I)


def find_defendant(doc: DocText, spans: list[Span], header: list[TextLine]) -> Fact[str]:
    """The defendant's name, in the page header: after a DEFENDANT/NAME label (column gaps, a defendant
    number and a damaged label allowed), else after the caption's "PEOPLE VS.", else where the model
    marks DEFENDANT."""
    for ln in header:
        for m in _LABELS["defendant"].finditer(ln.text):
            if _NOT_THE_DEFENDANT.search(ln.text[:m.start()]):
                continue  # "Counsel for Defendant", "CO-DEFT"
            fact = _name_fact(doc, ln, m.end())
            if fact is not None:
                return fact
    for ln in header:  # the caption: "PEOPLE VS. ARTURO E KIMURA"
        m = _CAPTION.search(ln.text)
        if m is not None:
            fact = _name_fact(doc, ln, m.end())
            if fact is not None:
                return fact
    for ln in header:
        m = _COMMA_NAME.match(ln.text)
        if m is None or not re.search(r"\d{1,2}\s?[-/]?\s?\d{1,2}\s?[-/]?\s?\d{2}", ln.text[m.end():]):
            continue
        label_like = Levenshtein.distance(m.group(1).upper(), "DEFENDANT", score_cutoff=4) <= 4
        if m.group(2) or label_like:
            fact = _name_fact(doc, ln, m.end())
            if fact is not None:
                return Fact(fact.value, round(0.8 * fact.confidence, 4), fact.evidence)
    header_starts = {ln.start for ln in header}
    for ms in model_spans(list(spans), "DEFENDANT"):
        ln = doc.line_at(ms.start)
        if ln is not None and ln.start in header_starts:
            fact = _name_fact(doc, ln, ms.start - ln.start)
            if fact is not None:
                return Fact(fact.value, round(fact.confidence * (0.5 + 0.5 * ms.score), 4), fact.evidence)
    return Fact()


def find_court(doc: DocText) -> Fact[str]:
    if not doc.lines:
        return Fact()
    first_page = doc.lines[0].page
    h = doc.page_sizes.get(first_page, (0, 1))[1]
    for ln in doc.lines:
        if ln.page != first_page or ln.line.bbox[1] > 0.3 * h:
            continue
        t = re.sub(r"\s+", " ", ln.text).strip()
        if re.search(r"\bCOURT\b", t, re.I) and not re.search(r"\b(FILED|CLERK|DEPUTY|REPORTER|ATTEST)\b", t, re.I):
            return Fact(t.upper(), doc.conf(ln.start, ln.end), doc.evidence(ln.start, ln.end))
    return Fact()


def _date_fact(doc: DocText, s: Span | None, factor: float = 1.0) -> Fact[dt.date]:
    if s is None:
        return Fact()
    if s.corrected:
        factor *= 0.8  # read through an OCR repair: less sure than a date read as printed
    return Fact(s.value, round(factor * doc.conf(s.start, s.end), 4), doc.evidence(s.start, s.end))


# --------------------------------------------------------------------------- charges


@dataclass
class _Draft:
    count: int | None
    statute: Span
    statute_conf: float
    level: Span | None = None
    dispositions: list[tuple[str, float, Span, dt.date | None, float, Span | None]] = field(default_factory=list)
    row: Segment | None = None


_REDUCED_17B = re.compile(r"\b17\s?[(\[]\s?B\s?[)\]]|\b17B\b", re.I)  # PC 17(b): a wobbler sentenced as a misdemeanor

# A bracketed mark right after a section that no normalizer could read as a subdivision ("647 (~)"):
# the subdivision may decide the relief, so the section is not trusted as read.
_UNREAD_SUB = re.compile(r"\s?[(\[{]\s?[^\sA-Za-z0-9()\[\]{}]{1,2}\s?[)\]}]")
# A bracketed letter right after the section's digits that the reader did not take for a subdivision,
# kept from it by a stray mark ("11357{(a)", "11360,(A)"): the subdivision is there but was not read.
_STRANDED_SUB = re.compile(r"[^\sA-Za-z0-9]{0,2}?[(\[{]\s?[A-Za-z]\s?[)\]}]")


def _subdivision_stranded(doc: DocText, s: Span) -> bool:
    typed = doc.text[s.start:s.end + 6]
    m = _section_digits(typed, s.value.section)
    return m is not None and _STRANDED_SUB.match(typed, m.end()) is not None


# A section read as typed whose row describes its offense, and no look-alike's, is read right whatever
# tesseract's confidence in its digits (offenses.confirms). A section whose digits were read through
# corrections, or with a subdivision, gets no such lift: the description cannot vouch for a letter. A code
# read through corrections ("H~S 11359") does not stand in the way: the description names the code too.
CONFIRMED_SECTION_CONF = 0.9


def _section_digits(text: str, section: str) -> re.Match | None:
    """Where the section's digits stand in `text` as they are (not inside a longer number)."""
    return re.search(rf"(?<![0-9]){re.escape(section)}(?![0-9.])", text)


def _digits_as_typed(doc: DocText, s: Span) -> bool:
    """The section's digits stand in the span as they are, none of them read through a correction."""
    return _section_digits(re.sub(r"\s", "", doc.text[s.start:s.end]), s.value.section) is not None


# A subdivision is vouched for the same way by the element of the offense that only it has, typed on
# its row ("11357¢B> POSS MARIHUANA UNDER 1 OZ": (b) is the ounce or less; offenses.subdivision_fit), when
# the section's digits stand as typed and the row describes the section's offense. A row that names
# another subdivision's element puts the subdivision in doubt.
SUBDIVISION_CONTRADICTED_CONF = 0.45


def _statute_conf(doc: DocText, s: Span, description: str | None = None) -> float:
    c = doc.conf(s.start, s.end)
    st: Statute = s.value
    if description and (not s.corrected or _digits_as_typed(doc, s)) and st.subdivision is None \
            and offenses.confirms(st, description):
        c = max(c, CONFIRMED_SECTION_CONF)
    fit = offenses.subdivision_fit(st, description) if description else None
    if fit and _digits_as_typed(doc, s) and offenses.support(st, description):
        c = max(c, CONFIRMED_SECTION_CONF)
    elif fit is False:
        c = min(c, SUBDIVISION_CONTRADICTED_CONF)
    if s.corrected:
        c *= 0.9
    if st.subdivision is None and (_UNREAD_SUB.match(doc.text, s.end) or _subdivision_stranded(doc, s)):
        c *= 0.4
    if not st.known:
        c *= 0.6
    return round(c * s.score, 4)


def _key(st: Statute) -> tuple[str, str]:
    return (st.code, st.section)


def _same_statute(a: Statute, b: Statute) -> bool:
    """One count's statute read twice: 11357 and 11357(b) may be; 11357(a) and 11357(b) are two counts."""
    return _key(a) == _key(b) and (a.subdivision is None or b.subdivision is None or a.subdivision == b.subdivision)


# A count row whose section no normalizer could read: count, a garbled token, then the offense described.
_UNREAD_ROW = re.compile(rf"^[\s|]*(?:{_COUNT_WORD})?(?P<count>{_COUNT_TOKEN})[.):]?\s+"
                         r"(?P<token>\S*\d\S*(?:\s+\S*\d\S*)?)\s+(?P<desc>[^A-Za-z0-9\s]{0,4}\s*[A-Za-z]?\s*[A-Z].{6,})$",
                         re.I)


def _statutes_from_descriptions(doc: DocText, spans: list[Span]) -> list[Span]:
    """Sections for count rows that carry a description but no readable section ("CNT 001 UC1e851 TAKING
    VEHICLE WO CONSENT"): the one near-reading the description names (offenses.from_description), at a
    low score, so the count is found and a person checks it."""
    out = []
    for ln in doc.lines:
        here = _line_spans(spans, ln)
        if any(s.label in ("STATUTE", "DATE") and s.start < ln.start + 12 for s in here) \
                or any(s.label == "STATUTE" for s in here):
            continue
        m = _UNREAD_ROW.match(ln.text)
        if not m or row_count_number(m.group("count")) is None:
            continue
        st = offenses.from_description(m.group("token"), m.group("desc"))
        if st is not None:
            a = ln.start + m.start("token")
            out.append(Span("STATUTE", a, a + len(m.group("token")), m.group("token"), st, 0.3, True))
    return out


def assemble(doc: DocText, spans: list[Span]) -> CaseFacts:
    extra = _statutes_from_descriptions(doc, spans)
    if extra:
        spans = sorted(spans + extra, key=lambda s: (s.start, s.end))
    segs = segment(doc, spans)
    hearing = _after(doc, spans, "hearing", "DATE", reach=25, lines=doc.lines[:15])
    default_date = hearing.value if hearing else None
    prior_segs = [sg for sg in segs if not sg.is_row and _PRIOR.search(sg.text(doc))]
    prior_ranges = [(sg.start, sg.end) for sg in prior_segs] + [(m.start, m.end) for m in model_spans(spans, "PRIOR")]
    model_priors = model_spans(spans, "PRIOR")
    notes: list[str] = []

    drafts: list[_Draft] = []

    def find(count: int | None, st: Statute | None) -> _Draft | None:
        if count is not None:
            for d in drafts:
                if d.count == count:
                    return d
            return None
        if st is not None:
            hits = [d for d in drafts if _same_statute(d.statute.value, st)]
            return hits[0] if hits else None
        return None

    # 1. charge definitions
    for sg in segs:
        if sg in prior_segs or _is_registration(sg.text(doc)):
            continue
        sts = [s for s in sg.spans if s.label == "STATUTE" and not any(overlaps(s, m) for m in model_priors)
               and not sections.is_procedure(s.value.code, s.value.section)]  # "MOTION 995 PC DENIED"
        for s in sts:
            count = sg.row_count if sg.is_row else _count_before(sg, s, sts)
            existing = find(count, s.value)
            if existing is not None and count is not None and sg.is_row and existing.row not in (None, sg) \
                    and not _same_statute(existing.statute.value, s.value):
                # two rows numbered alike with different sections: one number was misread ("2" for 3).
                # Both are counts; the second's number is not known, and a person checks the case.
                notes.append("duplicate_count")
                existing, count = None, None
            if existing is not None:
                if existing.count is None and count is not None and _key(existing.statute.value) == _key(s.value):
                    existing.count = count
                if sg.is_row and existing.row is None:
                    existing.row = sg
                continue
            if count is not None and any(d.count == count for d in drafts):
                continue
            if not sg.is_row and count is None and not _defines(sg.text(doc)) and drafts:
                continue
            d = _Draft(count, s, _statute_conf(doc, s, sg.text(doc) if sg.is_row else None),
                       row=sg if sg.is_row else None)
            d.level = _level_after(sg, s, sts)
            drafts.append(d)

    # A table row whose count number could not be read ("ak 11359 H&S POSS MJ F/S") between numbered rows:
    # the one number the sequence lacks there.
    _fill_count_gap(drafts)

    # 2. a felony count the court declares a misdemeanor under PC 17(b) ("THE COURT DECLARES THE OFFENSE
    # IN COUNT 2 TO BE A MISDEMEANOR PURSUANT TO SECTION 17(B) PENAL CODE") is a misdemeanor
    for sg in segs:
        if sg in prior_segs or not _REDUCED_17B.search(sg.text(doc)):
            continue
        misd = [s for s in sg.spans if s.label == "LEVEL" and s.value == "misdemeanor"]
        named = {n for c in sg.spans if c.label == "COUNT_REF" for n in c.value if isinstance(n, int)}
        for d in drafts:
            if misd and d.count in named:
                d.level = misd[0]

    # 3. disposition events, in document order
    for sg in segs:
        if sg in prior_segs:
            continue
        dispos = [s for s in sg.spans if s.label == "DISPOSITION" and s.value]
        if not dispos:
            continue
        d = next((x for x in drafts if x.row is sg), None) if sg.is_row else None
        if d is not None:
            ds = dispos[0]
            date = _row_date(sg, ds)
            dconf = doc.conf(date.start, date.end) if date else 0.0
            d.dispositions.append((ds.value, ds.score * doc.conf(ds.start, ds.end), ds,
                                   date.value if date else sg.entry_date or default_date,
                                   dconf if date else 0.6, date))
            continue
        # prose, or a row-shaped docket entry about a count defined elsewhere ("5/13/91 CT 01 11357B HS DIV")
        for ds, targets, factor in _event_targets(doc, sg, dispos, drafts):
            date = _segment_date(sg, ds)
            if date is not None:
                when, wconf, wspan = date.value, doc.conf(date.start, date.end), date
            elif sg.entry_date is not None:
                when, wconf, wspan = sg.entry_date, 0.85, None
            else:
                when, wconf, wspan = default_date, 0.7 if default_date else 0.0, None
            for d in targets:
                d.dispositions.append((ds.value, factor * ds.score * doc.conf(ds.start, ds.end), ds, when, wconf,
                                       wspan))

    # 4. finish charges
    header = _header_lines(doc)  # the first page's upper half: where name, DOB and case number are
    name = find_defendant(doc, spans, header)
    dob, filing = _birth_and_filing(doc, spans, header, name, prior_ranges)
    clean = _clean_dates(doc, spans, prior_ranges, exclude={x for x in (filing, dob) if x is not None})
    charges: list[Charge] = []
    for d in drafts:
        charges.append(_finish(doc, d, notes, clean))
    # A count the record names or skips but extraction did not find: the case is incomplete.
    defined = {c.count for c in charges if c.count is not None}
    referenced = {n for s in spans if s.label == "COUNT_REF" and not _within(s.start, prior_ranges)
                  for n in s.value if isinstance(n, int)}
    if defined and (max(defined) > len(defined) or referenced - defined):
        notes.append("missing_count")
    # A line laid out like a count row (a level and a disposition in their columns) that gave no charge:
    # its section was not read, and the case may be missing a count.
    in_rows = {ln.index for d in drafts if d.row is not None for ln in d.row.lines}
    for ln in doc.lines:
        here = {s.label for s in _line_spans(spans, ln)}
        if ln.index not in in_rows and {"LEVEL", "DISPOSITION"} <= here and "STATUTE" not in here \
                and "  " in ln.text.strip() and not _within(ln.start, prior_ranges):
            notes.append("unread_row")
            break

    # 5. priors and registration
    priors: list[Prior] = []
    for m in model_priors:
        for s in spans:
            if s.label == "STATUTE" and overlaps(s, m) and not any(sg.start <= s.start < sg.end for sg in prior_segs):
                line = doc.line_at(s.start)
                years = re.findall(r"\b(19[4-9]\d|20[01]\d)\b", line.text if line else "")
                priors.append(Prior(s.value, dt.date(int(years[0]), 1, 1) if years else None,
                                    doc.evidence(s.start, s.end)))
    for sg in prior_segs:
        sd = [s for s in sg.spans if s.label == "DATE"]
        years = re.findall(r"\b(19[4-9]\d|20[01]\d)\b", sg.text(doc))
        for s in sg.spans:
            if s.label == "STATUTE":
                when = sd[0].value if sd else (dt.date(int(years[0]), 1, 1) if years else None)
                priors.append(Prior(s.value, when, doc.evidence(s.start, s.end)))
    pc290 = any(_is_registration(sg.text(doc)) for sg in segs) or any(
        _290.search(m.text) for m in model_spans(spans, "REGISTRATION"))

    facts = CaseFacts(
        case_number=find_case_number(doc, spans, prior_ranges, header),
        court=find_court(doc),
        defendant_name=name,
        defendant_dob=_date_fact(doc, dob),
        filing_date=_date_fact(doc, filing),
        charges=tuple(sorted(charges, key=lambda c: (c.count is None, c.count or 0))),
        priors=tuple(priors),
        pc290_registrant=Fact(pc290, 0.9 if pc290 else 1.0),
        notes=tuple(notes),
    )
    # the case's other dates, against which a misread year is repaired: not the filing date or the DOB,
    # which a misread year would be tested against (and may be the misread ones)
    context = frozenset(s.value for s in spans if s.label == "DATE"
                        and s.value not in {x.value for x in (dob, filing) if x is not None}
                        and not _within(s.start, prior_ranges))
    return _check_dates(facts, _entry_dates(doc, spans, prior_ranges), context)


def _dob_span(doc: DocText, spans: list[Span], header: list[TextLine], name: Fact[str]) -> tuple[Span | None, bool]:
    """The date of birth, and whether a label (exact or damaged) says so: after its label (a damaged one
    only in the header), in its field; else the model's, or the date in the column after the name."""
    labelled = (_after(doc, spans, "dob", "DATE", reach=25)
                or _after(doc, spans, "dob_damaged", "DATE", reach=12, lines=header)
                or _field_date(doc, "dob", header))
    if labelled is not None:
        return labelled, True
    return _modelled_date(spans, "DOB") or _date_beside_name(doc, header, name), False


FILING_AFTER_BIRTH_YEARS = 10  # no case on these records was filed against a child under ten


def _birth_and_filing(doc: DocText, spans: list[Span], header: list[TextLine], name: Fact[str],
                      prior_ranges: list[tuple[int, int]]) -> tuple[Span | None, Span | None]:
    """The date of birth and the filing date, not at odds. A filing before the defendant was ten (or on
    the birth date itself) means one of them is another date or misread. The case's other dates (its
    entries and dispositions, not the priors) judge where they can: the birth date must come at least
    FILING_AFTER_BIRTH_YEARS before the first of them, the filing no more than a year after it. Else a
    labelled reading beats an unlabelled one (the model's, the date beside the name); the loser is
    dropped, not guessed."""
    dob, dob_labelled = _dob_span(doc, spans, header, name)
    filing_labelled = _after(doc, spans, "filing", "DATE", reach=30) or _field_date(doc, "filing")
    filing = filing_labelled or _modelled_date(spans, "FILING_DATE")
    if dob is None or filing is None or filing.value.year >= dob.value.year + FILING_AFTER_BIRTH_YEARS:
        return dob, filing
    others = [s.value.year for s in spans if s.label == "DATE" and s.value not in (dob.value, filing.value)
              and not _within(s.start, prior_ranges)]
    if others:
        first = min(others)
        dob_fits = dob.value.year + FILING_AFTER_BIRTH_YEARS <= first
        filing_fits = filing.value.year <= first + 1 and filing.value.year >= dob.value.year
        if dob_fits != filing_fits:
            return (dob, None) if dob_fits else (None, filing)
    if dob_labelled and filing_labelled is None:
        return dob, None
    if filing_labelled is not None and not dob_labelled:
        return None, filing
    return dob, filing


# A label in the identity block that says the date after it is not the birth date.
_OTHER_DATE_LABEL = re.compile(r"FIL|ARR|BOOK|HEAR|SENT|DISP|VIOL|OFF|ISSU|CONT|^\W*DATE\W*$|\bDT\b", re.I)


def _date_beside_name(doc: DocText, header: list[TextLine], name: Fact[str]) -> Span | None:
    """A date in the column right after the defendant's name, behind at most a short label: the identity
    block's date of birth, whose label the scan damaged past reading ("KWAME D   Bp 010534", "CLIFFORD H
    ,  vor 7/31/1964", "BIRFHDATE 01/24/1945"). Not when the label names another date (filed, arrest)."""
    if name.evidence is None or not name.evidence.text.strip():
        return None
    for ln in header:
        if ln.page != name.evidence.page:
            continue
        at = ln.text.find(name.evidence.text)
        if at < 0:
            continue
        end = at + len(name.evidence.text)
        column = ln.text[end:]
        field_at = end + len(column) - len(column.lstrip(" ,.;:|"))
        field = ln.text[field_at:field_at + 28]
        for d in dates_mod.find_dates(field, allow_compact=True):
            label = field[:d.start].strip(" :;.,|")
            if len(label) > 12 or _OTHER_DATE_LABEL.search(label) or any(ch.isdigit() for ch in label):
                return None
            a = ln.start + field_at + d.start
            return Span("DATE", a, a + len(d.raw), d.raw, d.value, 1.0, True)
        return None
    return None


# A disposition date read in doubt (low OCR confidence, or through a look-alike correction) that the
# document also gives, read cleanly, somewhere else (another count's row, a docket entry, a sentencing
# line) is vouched for by that reading: two readings of different print agreeing on one value. The
# filing date and the date of birth vouch for nothing (a misread digit can turn a disposition date
# into the filing date), nor do dates among the priors.
CLEAN_DATE_CONF = 0.9  # a date read as printed at least this sure vouches for the same value elsewhere
CORROBORATED_DATE_CONF = 0.8


def _clean_dates(doc: DocText, spans: list[Span], prior_ranges: list[tuple[int, int]],
                 exclude: set[Span]) -> dict[dt.date, list[int]]:
    """Where each date is read cleanly: not corrected, OCR confidence >= CLEAN_DATE_CONF."""
    out: dict[dt.date, list[int]] = {}
    for s in spans:
        if s.label != "DATE" or s.corrected or s in exclude or _within(s.start, prior_ranges):
            continue
        if doc.conf(s.start, s.end) >= CLEAN_DATE_CONF:
            out.setdefault(s.value, []).append(s.start)
    return out


def _modelled_date(spans: list[Span], role: str) -> Span | None:
    """The first date that the model says plays `role` (DOB, FILING_DATE)."""
    for m in model_spans(spans, role):
        for s in spans:
            if s.label == "DATE" and overlaps(s, m):
                return s
    return None


def _prefer_dispo_dates(sg: Segment, cands: list[Span]) -> list[Span]:
    """Of candidate dates, those the model calls disposition dates, when it calls any."""
    tagged = [c for c in cands if any(overlaps(c, m) for m in sg.spans if m.label == "NER:DISPO_DATE")]
    return tagged or cands


def _is_registration(text: str) -> bool:
    return bool(_REGISTER.search(text) and _290.search(text))


def _defines(text: str) -> bool:
    return bool(re.search(r"\bVIOLATION\b|\bCHARG|\bVIOL\b|\bCOUNT\b", text, re.I))


def _fill_count_gap(drafts: list[_Draft]) -> None:
    rows = sorted((d for d in drafts if d.row is not None), key=lambda d: d.row.start)
    blank = [i for i, d in enumerate(rows) if d.count is None]
    if len(blank) != 1 or len(rows) < 2:
        return
    i = blank[0]
    before = rows[i - 1].count if i > 0 else 0
    if i + 1 < len(rows):
        after = rows[i + 1].count
    else:  # the last row, after rows numbered 1, 2, ... in order
        after = i + 2 if [d.count for d in rows[:i]] == list(range(1, i + 1)) else None
    if before is not None and after is not None and after - before == 2 \
            and not any(d.count == before + 1 for d in drafts):
        rows[i].count = before + 1


def _count_before(sg: Segment, s: Span, sts: list[Span]) -> int | None:
    prev_st = [x.end for x in sts if x.end <= s.start]
    lo = max(prev_st) if prev_st else sg.start
    refs = [c for c in sg.spans if c.label == "COUNT_REF" and lo <= c.start < s.start
            and len(c.value) == 1 and isinstance(c.value[0], int)]
    if refs:
        return refs[-1].value[0]
    # "PLEADS GUILTY CTS. 1 & 2, HS 11358; 148 P.C.": a list of counts, then as many sections, in order
    lists = [c for c in sg.spans if c.label == "COUNT_REF" and c.end <= s.start and len(c.value) >= 2
             and all(isinstance(n, int) for n in c.value)]
    if not lists:
        return None
    ref = lists[-1]
    later = [c.start for c in sg.spans if c.label == "COUNT_REF" and c.start > ref.start]
    run = [x for x in sts if ref.end <= x.start < min(later, default=sg.end)]
    return ref.value[run.index(s)] if len(run) == len(ref.value) and s in run else None


def _level_after(sg: Segment, s: Span, sts: list[Span]) -> Span | None:
    nxt = [x.start for x in sts if x.start > s.start]
    hi = min(nxt) if nxt else sg.end
    lv = [x for x in sg.spans if x.label == "LEVEL" and s.end <= x.start < hi]
    if lv:
        return lv[0]
    if sg.is_row:
        lv = [x for x in sg.spans if x.label == "LEVEL"]
        return lv[0] if lv else None
    return None


def _row_date(sg: Segment, ds: Span) -> Span | None:
    after = _prefer_dispo_dates(sg, [s for s in sg.spans if s.label == "DATE" and s.start >= ds.start])
    if after:
        return after[0]
    ds_ = [s for s in sg.spans if s.label == "DATE"]
    return ds_[-1] if ds_ else None


def _segment_date(sg: Segment, ds: Span) -> Span | None:
    """A date written in the same segment as the disposition, other than the entry's leading date."""
    cands = _prefer_dispo_dates(sg, [s for s in sg.spans if s.label == "DATE"])
    if not cands:
        return None
    return min(cands, key=lambda s: abs(s.start - ds.start))


INFERRED_PENDING = 0.45  # confidence factor of a count found pending because the whole case was: under any threshold


def _event_targets(doc: DocText, sg: Segment, dispos: list[Span], drafts: list[_Draft]):
    """Which counts each disposition of a prose segment disposes of."""
    out: list[tuple[Span, list[_Draft], float]] = [(ds, [], 1.0) for ds in dispos]

    def nearest(pos: int) -> int:
        return min(range(len(dispos)), key=lambda i: abs(dispos[i].start - pos))

    named = False
    for s in sg.spans:
        if s.label == "COUNT_REF":
            i = nearest(s.start)
            if s.value in (("ALL",), ("REMAINING",)):
                rem = s.value == ("REMAINING",)
                tg = [d for d in drafts if not (rem and d.dispositions)]
                out[i] = (out[i][0], out[i][1] + tg, 0.95)
            else:
                tg = [d for d in drafts if d.count in s.value]
                out[i] = (out[i][0], out[i][1] + tg, out[i][2])
            named = True
        elif s.label == "STATUTE":
            tg = [d for d in drafts if _key(d.statute.value) == _key(s.value)]
            if tg and not _count_named_before(sg, s):
                i = nearest(s.start)
                out[i] = (out[i][0], out[i][1] + tg, min(out[i][2], 0.95))
                named = True
    if not named and len(drafts) == 1:
        out[0] = (out[0][0], drafts[:], 0.85)
    elif not named:
        # a bench warrant or an open case names no count: the whole case waits, so every count not
        # disposed of by then is pending (a count disposed of before or after keeps that disposition).
        # Inferred, not read: below the disposition threshold, so a person confirms it.
        out = [(ds, [d for d in drafts if not d.dispositions], INFERRED_PENDING) if ds.value == "pending"
               else (ds, tg, f) for ds, tg, f in out]
    return [(ds, _uniq(tg), f) for ds, tg, f in out if tg]


def _uniq(items: list[_Draft]) -> list[_Draft]:
    seen: set[int] = set()
    out = []
    for d in items:
        if id(d) not in seen:
            seen.add(id(d))
            out.append(d)
    return out


def _count_named_before(sg: Segment, s: Span) -> bool:
    return any(c.label == "COUNT_REF" and c.end <= s.start and s.start - c.end < 25 for c in sg.spans)


def _finish(doc: DocText, d: _Draft, notes: list[str], clean_dates: dict[dt.date, list[int]]) -> Charge:
    st_span = d.statute
    statute = Fact(st_span.value, d.statute_conf, doc.evidence(st_span.start, st_span.end))
    level = Fact(d.level.value, doc.conf(d.level.start, d.level.end), doc.evidence(d.level.start, d.level.end)) \
        if d.level else Fact()
    conflicts: tuple[str, ...] = ()
    disposition: Fact[str] = Fact()
    date: Fact[dt.date] = Fact()
    if d.dispositions:
        # "NO DISPO" at a pretrial hearing, or a pending count, says nothing against the count's outcome
        # entered later (or earlier): only where nothing else is said is the count unknown, or pending
        final = ([x for x in d.dispositions if x[0] not in ("pending", "unknown")]
                 or [x for x in d.dispositions if x[0] != "pending"] or d.dispositions)
        values = {x[0] for x in final}
        last = final[-1]
        agree = [x for x in final if x[0] == last[0]]
        conf = max(x[1] for x in agree)
        if len(values) > 1:
            conflicts = ("conflicting_disposition",)
            conf *= 0.5
        elif len(agree) > 1:
            conf = min(1.0, conf + 0.05)
        disposition = Fact(last[0], round(conf, 4), doc.evidence(last[2].start, last[2].end))
        dated = [x for x in agree if x[3] is not None]
        if dated and last[0] != "pending":  # a pending count has not been disposed of: no date
            when = dated[0]
            same = [x for x in dated if x[3] == when[3]]
            wconf = max(x[4] for x in same)
            if len({x[3] for x in dated}) > 1:
                wconf *= 0.8
            elif wconf < CORROBORATED_DATE_CONF and when[5] is not None and any(
                    at != when[5].start for at in clean_dates.get(when[3], ())):
                wconf = CORROBORATED_DATE_CONF
            ev = doc.evidence(when[5].start, when[5].end) if when[5] else None
            date = Fact(when[3], round(wconf, 4), ev)
    line = doc.line_at(st_span.start)
    row_text = d.row.text(doc) if d.row else (line.text if line else st_span.text)
    ev = doc.evidence(d.row.start, d.row.end) if d.row else statute.evidence
    if d.row is not None:
        # A real section can still be a misread one, and an unknown one may have a single look-alike that
        # fits: check the section against the offense typed on its row.
        alt = offenses.reread(statute.value, row_text)
        if alt is not None:
            statute = Fact(alt, round(min(statute.confidence, 0.6), 4), statute.evidence)
            conflicts = conflicts + ("statute_description_mismatch",)
    return Charge(count=d.count, statute=statute, level=level, disposition=disposition,
                  disposition_date=date, text=re.sub(r"\s+", " ", row_text).strip(), evidence=ev,
                  conflicts=conflicts)


DISPOSITION_WITHIN_YEARS = 6  # a count is disposed of within a few years of the filing


MIN_AGE_AT_DISPOSITION = 10  # years: no docket disposes of a count against a younger child
CONTEXT_DAYS = 120  # a repaired year must bring the date this close to another date of the case


def repair_year(when: dt.date, filing: dt.date | None = None, *, dob: dt.date | None = None,
                context: frozenset[dt.date] = frozenset(), need_context: bool = False) -> dt.date | None:
    """A disposition date that cannot be as read (before its case was filed, or before the defendant was
    ten), with one year digit read as a look-alike: the single date, one digit changed, that falls after
    the filing (and within a few years of it) and the defendant's tenth birthday; of several such, or
    always with `need_context`, the one the case's other dates agree with (one of them within CONTEXT_DAYS)."""
    floor = [d for d in (filing, _add_years(dob, MIN_AGE_AT_DISPOSITION) if dob else None) if d]
    if not floor:
        return None
    lo = max(floor)
    hi = _add_years(filing, DISPOSITION_WITHIN_YEARS) if filing else dt.date.today()
    found = {c for c in dates_mod.same_day_lookalike_years(when) if lo <= c <= hi}
    if len(found) > 1 or need_context:
        found = {c for c in found if any(abs((c - d).days) <= CONTEXT_DAYS for d in context)}
    return found.pop() if len(found) == 1 else None


def _add_years(d: dt.date, n: int) -> dt.date:
    try:
        return d.replace(year=d.year + n)
    except ValueError:  # 29 February
        return d.replace(year=d.year + n, day=28)


def _entry_dates(doc: DocText, spans: list[Span], prior_ranges: list[tuple[int, int]]) -> frozenset[dt.date]:
    """Dates that begin a line (docket entries, entry headings), priors aside."""
    out = set()
    for s in spans:
        if s.label != "DATE" or _within(s.start, prior_ranges):
            continue
        ln = doc.line_at(s.start)
        if ln is not None and not ln.text[:s.start - ln.start].strip(" -*|."):
            out.add(s.value)
    return frozenset(out)


def _lookalike_year_in(when: dt.date, dates: frozenset[dt.date]) -> bool:
    """Another reading of the date's year, one look-alike digit away, is among `dates` and the date is not."""
    return when not in dates and bool(dates_mod.same_day_lookalike_years(when) & dates)


def _check_dates(f: CaseFacts, entries: frozenset[dt.date] = frozenset(),
                 context: frozenset[dt.date] = frozenset()) -> CaseFacts:
    """Dates must be plausible: DOB before filing, filing before disposition.

    A disposition date before the filing, or before the defendant was ten, is repaired when one
    look-alike digit of its year explains it (`repair_year`, with the case's other dates as `context`),
    at a confidence low enough to send the case to a person; so is one more than DISPOSITION_WITHIN_YEARS
    after the case began (its filing, else its first docket entry) when another date of the case agrees
    with the repaired year. Any date problem is a review note.
    A disposition date that a docket entry gives with a look-alike year (03-17-1962 in the row,
    03=17=1982 on the entry) is in doubt: one of the two years was misread.
    """
    from dataclasses import replace

    problems: list[str] = []
    charges = []
    for ch in f.charges:
        when = ch.disposition_date.value
        if when and _lookalike_year_in(when, entries):
            ch = replace(ch, disposition_date=Fact(when, round(min(ch.disposition_date.confidence, 0.4), 4),
                                                   ch.disposition_date.evidence))
            problems.append("disposition_year_in_doubt")
        filing, dob = f.filing_date.value, f.defendant_dob.value
        # where the filing date was not read, the case began no later than its first docket entry
        start = filing or min((e for e in entries if not dob or e > _add_years(dob, MIN_AGE_AT_DISPOSITION)),
                              default=None)
        fixed = None
        if when and ((filing and when < filing) or (dob and when < _add_years(dob, MIN_AGE_AT_DISPOSITION))):
            fixed = repair_year(when, filing, dob=dob, context=context)
        elif when and start and when > _add_years(start, DISPOSITION_WITHIN_YEARS):
            # long after the case began: repaired only when another date of the case vouches for the year
            fixed = repair_year(when, start, dob=dob, context=context, need_context=True)
        if fixed:
            ch = replace(ch, disposition_date=Fact(fixed, round(min(ch.disposition_date.confidence, 0.6), 4),
                                                   ch.disposition_date.evidence))
            problems.append("repaired_year")
        charges.append(ch)
        # Only problems that put the disposition date in doubt matter to the decision; a misread
        # date of birth does not.
        problems += [p for p in dates_mod.plausible(f.filing_date.value, ch.disposition_date.value,
                                                    f.defendant_dob.value)
                     if p.startswith(("disposition", "filing"))]
    f = replace(f, charges=tuple(charges))
    if not problems:
        return f
    return replace(f, notes=tuple(dict.fromkeys(f.notes + ("implausible_date",))))
