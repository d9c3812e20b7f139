"""How a clerk, a typist or a mainframe writes a fact: statutes, dates, levels, dispositions, labels.

Each document draws one `Speller` so that its spellings are consistent within the document (as a
real clerk's would be) but vary from one document to the next.
"""
from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from .content import Count, Statute

CODE_TOKENS = {
    "HS": ("HS", "H&S", "H.S.", "H/S", "HSC", "H & S"),
    "PC": ("PC", "P.C.", "PEN", "PC", "P/C"),
    "VC": ("VC", "V.C.", "VEH", "VC"),
    "BP": ("BP", "B&P", "B/P", "BPC"),
    "WI": ("WI", "W&I", "W/I", "WIC"),
}
CODE_LONG = {
    "HS": "HEALTH AND SAFETY CODE",
    "PC": "PENAL CODE",
    "VC": "VEHICLE CODE",
    "BP": "BUSINESS AND PROFESSIONS CODE",
    "WI": "WELFARE AND INSTITUTIONS CODE",
}
STATUTE_SHAPES = ("sec_code", "code_sec", "code_sec", "code_nospace", "code_dash", "sec_code", "long")
SUB_SHAPES = ("paren", "bare", "paren", "paren_lower")
MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
MONTHS_LONG = ("JANUARY", "FEBRUARY", "MARCH", "APRIL", "MAY", "JUNE", "JULY", "AUGUST", "SEPTEMBER",
               "OCTOBER", "NOVEMBER", "DECEMBER")
DATE_STYLES_2Y = ("mm/dd/yy", "m-d-yy", "MON dd yyyy", "dd-MON-yy", "MONTH d, yyyy", "mmddyy",
                  "mm/dd/yyyy", "m/d/yy", "mm-dd-yy")
DATE_STYLES_4Y = ("mm/dd/yyyy", "MON dd yyyy", "MONTH d, yyyy", "yyyy-mm-dd", "dd-MON-yyyy", "m/d/yyyy")

_LEVEL_SETS = (("F", "M", "I"), ("FEL", "MISD", "INF"), ("FELONY", "MISDEMEANOR", "INFRACTION"),
               ("FEL", "MSD", "INFR"), ("F", "M", "INF"))

DISPO_WORDS = {
    "convicted_guilty": ("PG", "PLED GUILTY", "CONV", "CONV-PG", "GUILTY PLEA", "PLEA GUILTY", "CONVICTED"),
    "convicted_nolo": ("NOLO", "PLED NOLO", "NOLO CONTENDERE", "CONV-NOLO", "PLEA NOLO"),
    "convicted_verdict": ("FOUND GUILTY", "GUILTY-JURY", "CONV-COURT TRIAL", "FG JURY", "GUILTY VERDICT"),
    "dismissed_1385": ("DISMISSED 1385 PC", "DISM 1385 PC", "DISM-1385", "DISM INT OF JUSTICE", "D/1385"),
    "dismissed_plea": ("DISM", "DISMISSED", "DISM PER PLEA", "DISM-PLEA BARGAIN", "DISMISSED"),
    "dismissed_people": ("DISM MOT PEOPLE", "DISMISSED", "DISM-INSUFF EVID", "DISM"),
    "acquitted": ("ACQ", "NOT GUILTY", "ACQUITTED", "NG-JURY", "FOUND NOT GUILTY"),
    "diverted": ("DIV-1000PC", "DEJ", "DIVERTED 1000 PC", "DIVERSION", "1000 PC DIV", "DEJ GRANTED"),
    "pending": ("PENDING", "OPEN", "NO DISPO", "BW OUTSTANDING"),
}


def dispo_key(c: Count) -> str:
    if c.disposition == "convicted":
        return {"nolo": "convicted_nolo", "verdict": "convicted_verdict"}.get(c.plea or "", "convicted_guilty")
    if c.disposition == "dismissed":
        return {"1385": "dismissed_1385", "people": "dismissed_people"}.get(c.dismissal or "", "dismissed_plea")
    return c.disposition


@dataclass
class Speller:
    """One document's spelling habits."""

    rng: random.Random
    statute_shape: str
    sub_shape: str
    code_tok: dict[str, str]
    date_style: str
    level_set: tuple[str, str, str]
    max_len: int | None = None

    @classmethod
    def draw(cls, rng: random.Random, years: list[int], *, compact: bool = False) -> "Speller":
        """Choose habits; `years` are the years the document must print (4-digit styles after 1999)."""
        styles = DATE_STYLES_4Y if max(years) >= 2000 else DATE_STYLES_2Y
        if compact:
            styles = tuple(s for s in styles if "MONTH" not in s) or styles
        return cls(
            rng=rng,
            statute_shape=rng.choice(STATUTE_SHAPES if not compact else STATUTE_SHAPES[:-1]),
            sub_shape=rng.choice(SUB_SHAPES),
            code_tok={k: rng.choice(v) for k, v in CODE_TOKENS.items()},
            date_style=rng.choice(styles),
            level_set=rng.choice(_LEVEL_SETS),
        )

    # ----------------------------------------------------------------- dates
    def date(self, d: dt.date, style: str | None = None) -> str:
        return fmt_date(d, style or self.date_style)

    # ----------------------------------------------------------------- statutes
    def sub(self, st: Statute, shape: str | None = None) -> str:
        shape = shape or self.sub_shape
        parts = [p for p in (st.subdivision, st.deeper) if p]
        if not parts:
            return ""
        if shape == "bare":
            return "".join(p.upper() for p in parts)
        if shape == "paren_lower":
            return "".join(f"({p.lower()})" for p in parts)
        return "".join(f"({p.upper()})" for p in parts)

    def statute(self, st: Statute, shape: str | None = None) -> str:
        """E.g. '11359 H&S', 'HS11360(A)', '664/11359 HS', 'SEC. 11359 OF THE HEALTH AND SAFETY CODE'."""
        shape = shape or self.statute_shape
        sec = st.section + self.sub(st)
        code = self.code_tok[st.code]
        if shape == "long":
            body = f"SEC. {sec} OF THE {CODE_LONG[st.code]}" if self.rng.random() < 0.6 \
                else f"{CODE_LONG[st.code]} SECTION {sec}"
            return f"ATTEMPTED {body}" if st.attempt else body
        if st.attempt:
            sec = self.rng.choice((f"664/{sec}", f"664/{sec}", f"664-{sec}"))
            shape = shape if shape in ("sec_code", "code_sec") else "sec_code"
        if shape == "sec_code":
            return f"{sec} {code}"
        if shape == "code_nospace":
            return f"{code.replace(' ', '')}{sec}"
        if shape == "code_dash":
            return f"{code}-{sec}"
        return f"{code} {sec}"

    def statute_short(self, st: Statute) -> str:
        """A statute spelling that fits a narrow column (never the long prose form)."""
        return self.statute(st, self.statute_shape if self.statute_shape != "long" else "sec_code")

    # ----------------------------------------------------------------- levels, dispositions
    def level(self, level: str) -> str:
        return self.level_set[("felony", "misdemeanor", "infraction").index(level)]

    def dispo(self, c: Count, max_len: int | None = None) -> str:
        words = DISPO_WORDS[dispo_key(c)]
        if max_len:
            words = tuple(w for w in words if len(w) <= max_len) or (words[0][:max_len],)
        return self.rng.choice(words)


_FOUR_DIGIT = {"mm/dd/yy": "mm/dd/yyyy", "m-d-yy": "m/d/yyyy", "mm-dd-yy": "mm/dd/yyyy", "m/d/yy": "m/d/yyyy",
               "dd-MON-yy": "dd-MON-yyyy", "mmddyy": "mm/dd/yyyy"}


def fmt_date(d: dt.date, style: str) -> str:
    """Format a date; two-digit-year styles switch to four digits after 1999 (a 2-digit year reads 19xx)."""
    if d.year >= 2000 or d.year < 1900:
        style = _FOUR_DIGIT.get(style, style)
    yy = f"{d.year % 100:02d}"
    if style == "mm/dd/yy":
        return f"{d.month:02d}/{d.day:02d}/{yy}"
    if style == "m-d-yy":
        return f"{d.month}-{d.day}-{yy}"
    if style == "mm-dd-yy":
        return f"{d.month:02d}-{d.day:02d}-{yy}"
    if style == "m/d/yy":
        return f"{d.month}/{d.day}/{yy}"
    if style == "MON dd yyyy":
        return f"{MONTHS[d.month - 1]} {d.day:02d} {d.year}"
    if style == "dd-MON-yy":
        return f"{d.day:02d}-{MONTHS[d.month - 1]}-{yy}"
    if style == "dd-MON-yyyy":
        return f"{d.day:02d}-{MONTHS[d.month - 1]}-{d.year}"
    if style == "MONTH d, yyyy":
        return f"{MONTHS_LONG[d.month - 1]} {d.day}, {d.year}"
    if style == "mmddyy":
        return f"{d.month:02d}{d.day:02d}{yy}"
    if style == "mm/dd/yyyy":
        return f"{d.month:02d}/{d.day:02d}/{d.year}"
    if style == "m/d/yyyy":
        return f"{d.month}/{d.day}/{d.year}"
    if style == "yyyy-mm-dd":
        return d.isoformat()
    raise ValueError(style)


# ----------------------------------------------------------------- labels that vary per document
LABELS = {
    "case": ("CASE NO.", "CASE NUMBER", "NO.", "DKT", "DOCKET NO.", "CASE #", "CRIM. NO.", "ACTION NO.", "CASE"),
    "defendant": ("DEFENDANT", "DEFT", "DEF.", "NAME", "DEFENDANT NAME", "DEF NAME"),
    "dob": ("D.O.B.", "DOB", "BIRTHDATE", "BIRTH DATE", "DATE OF BIRTH", "BD"),
    "filed": ("DATE FILED", "FILED", "FILING DATE", "COMPLAINT FILED", "FILE DATE", "FILED ON"),
    "booking": ("BOOKING NO.", "BKG#", "BK NO", "BOOKING", "BKG NO."),
    "cii": ("CII NO.", "CII", "C.I.I.#", "STATE ID NO."),
    "dr": ("DR NO.", "DR#", "D.R.", "REPORT NO."),
    "bail": ("BAIL", "BAIL SET", "BAIL AMT", "BAIL $"),
    "agency": ("ARRESTING AGENCY", "AGENCY", "ARR AGCY", "ARRESTED BY"),
    "arrest": ("ARREST DATE", "ARRESTED", "ARR DATE", "DATE OF ARREST"),
    "count": ("CT", "CT.", "CNT", "COUNT", "NO."),
    "statute": ("CODE SECTION", "VIOLATION", "CHARGE", "STATUTE", "SECTION", "OFFENSE"),
    "desc": ("NATURE OF OFFENSE", "DESCRIPTION", "OFFENSE", "CHARGE DESC", "LITERAL"),
    "level": ("CLASS", "GR", "TYPE", "F/M", "LVL", "GRADE"),
    "dispo": ("DISPOSITION", "DISPO", "FINDING", "RESULT", "DISP"),
    "dispo_date": ("DATE", "DISPO DATE", "DISP DT", "DT", "DISP DATE"),
}


def labels(rng: random.Random) -> dict[str, str]:
    return {k: rng.choice(v) for k, v in LABELS.items()}


def money(amount: int) -> str:
    return f"${amount:,}"
