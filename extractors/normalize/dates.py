"""Dates as typed on California dockets.

Reads: `03/14/88`, `3-14-88`, `03.14.88`, `03=14=88` (a hyphen read as =), `3/14/1988`, `1988-03-14`, `MAR 14 1988`, `MARCH 14, 1988`,
`14-MAR-88`, `14 MAR 1988`, and OCR-damaged digits (`O3/l4/88`, `03/14/B8`, `@2-JUN-86`). Month-day-year
order (US); a two-digit year is 19xx (contract rule). A bare `031488` / `03141988` is read by `parse_date`
(one field) and by `find_dates(..., allow_compact=True)` only.

Refuses: impossible dates (13/01/88, 02/30/88), years outside 1900 to this year, times (`23:30:02`), money
(`$12.50`), statute numbers (`664/11359`), digit runs inside longer numbers (case, booking, DR numbers),
and a token where more characters were OCR-corrected than read as digits.

A numeric date impossible as read is repaired when a dot-matrix zero was read as 6, 8 or 9 in the month or
day (`82-10-84` -> 1984-02-10, `85-83-64` -> 1964-05-03), only if exactly one repair with the fewest changes
gives a real date (two repairs that tie are refused). A ten-character date whose slashes were read as 7 or 1
(`08/1771989`, `1070971989`), or a nine-character one that lost one of them (`126471989`), is read when the
year is 19xx or 20xx;
a four-digit year that cannot be (`2065`, `1393`: in the future or before 1900) is read with one digit
taken as its look-alike when exactly one such reading is a past year (`2005`, `1993`); an eight-character one (`87726784`) only
in a labelled field (`allow_compact`), where it is tried after the plain compact reading, or at the start of a
docket entry set off by a dash (`entry_date`). Repaired and look-alike readings set `corrected`.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from ._ocr import to_digits

__all__ = ["DateMatch", "parse_date", "find_dates", "entry_date", "plausible"]


@dataclass(frozen=True, slots=True)
class DateMatch:
    """A date found in text: span [start, end), the text read, the date, and whether OCR look-alikes
    (O for 0, l for 1 ...) had to be read as digits."""

    start: int
    end: int
    raw: str
    value: dt.date
    corrected: bool = False


_MONTHS = {
    "JAN": 1, "JANUARY": 1, "FEB": 2, "FEBRUARY": 2, "MAR": 3, "MARCH": 3, "APR": 4, "APRIL": 4, "MAY": 5,
    "JUN": 6, "JUNE": 6, "JUL": 7, "JULY": 7, "AUG": 8, "AUGUST": 8, "SEP": 9, "SEPT": 9, "SEPTEMBER": 9,
    "OCT": 10, "OCTOBER": 10, "NOV": 11, "NOVEMBER": 11, "DEC": 12, "DECEMBER": 12,
}
_MON = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DIG_CONF = "OoQDIl|iSsBZz@"  # look-alikes accepted in a digit position of a date
_D = rf"[0-9{re.escape(_DIG_CONF)}]"
_L = r"(?<![0-9A-Za-z$,])(?<![0-9][/.\-:])"  # left edge: not inside a word, number, date, time or money
_R = r"(?![0-9A-Za-z]|[/:\-]\d|\.\d)"  # right edge

_NUMERIC = re.compile(
    rf"{_L}(?P<m>{_D}{{1,2}})\s?(?P<sep>[/\-.=])\s?(?P<d>{_D}{{1,2}})\s?(?P=sep)\s?(?P<y>{_D}{{4}}|{_D}{{2}}){_R}")
_ISO = re.compile(rf"{_L}(?P<y>(?:19|20)\d\d)(?P<sep>[/\-.])(?P<m>\d\d?)(?P=sep)(?P<d>\d\d?){_R}")
_MONTH_FIRST = re.compile(
    rf"(?<![A-Za-z])(?P<mon>{_MON})\.?\s?[-/ ]?\s?(?P<d>{_D}{{1,2}})(?:ST|ND|RD|TH)?"
    rf"(?:\s?[-/,.]\s?|\s)(?P<y>{_D}{{4}}|{_D}{{2}}){_R}",
    re.IGNORECASE)
_DAY_FIRST = re.compile(
    rf"{_L}(?P<d>{_D}{{1,2}})\s?[-/. ]?\s?(?P<mon>{_MON})\.?\s?[-/. ,]?\s?(?P<y>{_D}{{4}}|{_D}{{2}}){_R}",
    re.IGNORECASE)
# A dot-matrix slash read as 7 or 1 in a ten-character MM/DD/YYYY date: "08/1771989", "1070971989".
_SLASH_MISREAD = re.compile(rf"{_L}(?P<m>{_D}{{2}})(?P<s1>[/71])(?P<d>{_D}{{2}})(?P<s2>[/71])(?P<y>(?:19|20)\d\d){_R}")
# The same with one of the two slashes lost altogether ("126471989" for 12/04/1989: nine characters).
_SLASH_DROPPED = (
    re.compile(rf"{_L}(?P<m>{_D}{{2}})(?P<d>{_D}{{2}})[71](?P<y>(?:19|20)\d\d){_R}"),
    re.compile(rf"{_L}(?P<m>{_D}{{2}})[71](?P<d>{_D}{{2}})(?P<y>(?:19|20)\d\d){_R}"),
)
# The same in an eight-character MM/DD/YY field ("87726784" for 07/26/84): only where a label says a date
# is there (allow_compact), since eight-digit booking and DR numbers look the same.
_SLASH_MISREAD_SHORT = re.compile(rf"{_L}(?P<m>{_D}{{2}})(?P<s1>[71])(?P<d>{_D}{{2}})(?P<s2>[71])(?P<y>{_D}{{2}}){_R}")
_COMPACT = re.compile(rf"{_L}(?P<m>{_D}{{2}})(?P<d>{_D}{{2}})(?P<y>{_D}{{4}}|{_D}{{2}}){_R}")


def _num(s: str) -> tuple[int, bool] | None:
    digits = to_digits(s, _DIG_CONF)
    if digits is None:
        return None
    return int(digits), digits != s


# Digits that tesseract confuses in the worn or dotted print of old dockets (a digit -> what it may be).
YEAR_LOOKALIKES = {"0": "689", "3": "589", "5": "368", "6": "058", "8": "0356", "9": "038"}
_LATEST_YEAR = dt.date.today().year  # no docket is dated after the day it is read


def _make(y: int, m: int, d: int, two_digit_year: bool) -> dt.date | None:
    if two_digit_year:
        y += 1900
    if not 1900 <= y <= _LATEST_YEAR:
        return None
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


def _from_match(m: re.Match, named_month: bool) -> tuple[dt.date, bool] | None:
    parts = [m.group("d"), m.group("y")] + ([] if named_month else [m.group("m")])
    real = sum(ch.isdigit() for p in parts for ch in p)
    fixed = sum(not ch.isdigit() for p in parts for ch in p)
    if fixed > 1 and fixed * 2 > real:  # mostly letters: a word, not a date
        return None
    d, y = _num(m.group("d")), _num(m.group("y"))
    if d is None or y is None:
        return None
    if named_month:
        month, m_fixed = _MONTHS[m.group("mon").upper()], False
    else:
        mm = _num(m.group("m"))
        if mm is None:
            return None
        month, m_fixed = mm
    two_digit_year = len(m.group("y")) == 2
    value = _make(y[0], month, d[0], two_digit_year)
    if value is not None:
        return value, d[1] or y[1] or m_fixed
    if not two_digit_year and not 1900 <= y[0] <= _LATEST_YEAR:
        # a year that cannot be: one digit read as a look-alike, when exactly one reading is a past year
        years = {c for c in year_lookalikes(y[0]) if _make(c, month, d[0], False)}
        if len(years) == 1:
            return _make(years.pop(), month, d[0], False), True
        return None
    # impossible as read: a dot-matrix zero read as 6, 8 or 9 ("82-10-84", "85-83-64")? Take the repair
    # with the fewest changed fields, and only when it is the only one.
    by_changes: dict[int, set[dt.date]] = {}
    for mo in [month] + ([] if named_month else _zero_repairs(month)):
        for da in [d[0]] + _zero_repairs(d[0]):
            changes = (mo != month) + (da != d[0])
            if changes and (v := _make(y[0], mo, da, two_digit_year)):
                by_changes.setdefault(changes, set()).add(v)
    if by_changes:
        best = by_changes[min(by_changes)]
        if len(best) == 1:
            return best.pop(), True
    return None


def year_lookalikes(y: int, positions: tuple[int, ...] = (0, 1, 2, 3)) -> set[int]:
    """Four-digit years that differ from `y` by one look-alike digit (YEAR_LOOKALIKES) at `positions`."""
    t = f"{y:04d}"
    return {int(t[:i] + c + t[i + 1:]) for i in positions for c in YEAR_LOOKALIKES.get(t[i], "")}


def same_day_lookalike_years(when: dt.date) -> set[dt.date]:
    """The same day in the years one look-alike digit of the decade or year away (1962 -> 1982, 1968 ...)."""
    out = set()
    for y in year_lookalikes(when.year, (2, 3)):
        try:
            out.add(when.replace(year=y))
        except ValueError:  # 29 February
            continue
    return out


def _zero_repairs(n: int) -> list[int]:
    """Two-digit values with one 6, 8 or 9 read back as 0: 82 -> [2], 38 -> [30], 88 -> [8, 80]."""
    if not 10 <= n <= 99:
        return []
    tens, ones = divmod(n, 10)
    out = []
    if tens in (6, 8, 9):
        out.append(ones)
    if ones in (6, 8, 9):
        out.append(tens * 10)
    return out


_DASHES = str.maketrans("\u2014\u2013\u2012\u2010\u2011", "-----")  # same length: offsets hold


def find_dates(text: str, *, allow_compact: bool = False) -> list[DateMatch]:
    """Every date in the text, left to right. Six- or eight-digit runs only with allow_compact=True.
    Dashes as OCR reads a typed hyphen (em, en, figure dash) count as hyphens."""
    source, text = text, text.translate(_DASHES)
    patterns: list[tuple[re.Pattern, bool]] = [
        (_ISO, False), (_DAY_FIRST, True), (_MONTH_FIRST, True), (_NUMERIC, False)]
    patterns.append((_SLASH_MISREAD, False))
    patterns.extend((p, False) for p in _SLASH_DROPPED)
    if allow_compact:
        patterns.append((_COMPACT, False))
        patterns.append((_SLASH_MISREAD_SHORT, False))
    found: list[DateMatch] = []
    for pattern, named in patterns:
        for m in pattern.finditer(text):
            clash = [f for f in found if f.start < m.end() and m.start() < f.end]
            if clash and not (len(clash) == 1 and clash[0].corrected):
                continue
            got = _from_match(m, named)
            if got:
                misread = (pattern is _SLASH_MISREAD and m.group("s1") + m.group("s2") != "//") \
                    or pattern is _SLASH_MISREAD_SHORT or pattern in _SLASH_DROPPED
                here = DateMatch(m.start(), m.end(), source[m.start():m.end()], got[0], got[1] or misread)
                if clash:
                    # a date read only through a correction ("|NOV 04": the bar as the day 1, 1904) gives
                    # way to one read as printed over at least as much of the text ("NOV 04 1980")
                    if here.corrected or here.end - here.start < clash[0].end - clash[0].start:
                        continue
                    found.remove(clash[0])
                found.append(here)
    return sorted(found, key=lambda f: f.start)


# A docket entry's date at the start of its line, set off from the entry by a dash ("87723793 — JURY
# TRIAL RESUMES"): a place that says a date is there, as a label does.
_ENTRY_LEAD = re.compile(r"^\W{0,2}(?P<tok>\S{8})\s*[-—–]")


def entry_date(line: str) -> DateMatch | None:
    """The leading date of a docket entry line whose slashes OCR read as 7 or 1 (`87723793 — JURY ...`
    is 07/23/93), or None. Other leading dates are found by `find_dates`."""
    m = _ENTRY_LEAD.match(line)
    if not m:
        return None
    tok = m.group("tok")
    if not _SLASH_MISREAD_SHORT.fullmatch(tok):
        return None
    found = [f for f in find_dates(tok, allow_compact=True) if (f.start, f.end) == (0, 8)]
    if not found:
        return None
    f = found[0]
    return DateMatch(m.start("tok"), m.end("tok"), f.raw, f.value, True)


def parse_date(text: str) -> dt.date | None:
    """The date of one field (`DOB: 03/14/88`, `031488`, `14-MAR-88`), or None."""
    found = find_dates(text or "", allow_compact=True)
    return found[0].value if found else None


def plausible(filing: dt.date | None, disposition: dt.date | None, dob: dt.date | None,
              *, today: dt.date | None = None) -> list[str]:
    """Problem codes for a set of case dates (empty when nothing is wrong; missing dates are not problems).

    Codes: disposition_before_filing, dob_after_filing, dob_after_disposition, defendant_too_young
    (under 10 at filing), defendant_too_old (over 100 at filing), filing_in_future, disposition_in_future,
    dob_in_future.
    """
    today = today or dt.date.today()
    problems: list[str] = []
    if filing and disposition and disposition < filing:
        problems.append("disposition_before_filing")
    if dob and filing:
        if dob >= filing:
            problems.append("dob_after_filing")
        else:
            age = filing.year - dob.year - ((filing.month, filing.day) < (dob.month, dob.day))
            if age < 10:
                problems.append("defendant_too_young")
            elif age > 100:
                problems.append("defendant_too_old")
    if dob and disposition and dob >= disposition:
        problems.append("dob_after_disposition")
    for name, value in (("filing_in_future", filing), ("disposition_in_future", disposition), ("dob_in_future", dob)):
        if value and value > today:
            problems.append(name)
    return problems
