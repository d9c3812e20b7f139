"""Pieces shared by the layouts: court and name wording, docket entries, wrapping, pagination, stamps."""
from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from ..canvas import Font, PageCanvas
from ..content import Case, Count, Event, Prior
from ..spellings import Speller, dispo_key, money

Parts = list[tuple[str, str | None]]

# ----------------------------------------------------------------------------- wording


def court_text(case: Case, rng: random.Random, *, short: bool = False) -> str:
    """The court as this document names it (canonical form stays in the truth)."""
    if case.court_kind == "muni":
        d = case.district.upper()  # type: ignore[union-attr]
        if short:
            return rng.choice((f"{d} MUNI", f"{d} JD", f"{d} MUNICIPAL", f"{d} MC"))
        return rng.choice((
            f"MUNICIPAL COURT OF {d} JUDICIAL DISTRICT",
            f"{d} MUNICIPAL COURT",
            f"MUNICIPAL COURT - {d} JUDICIAL DISTRICT",
            f"{d} JUDICIAL DISTRICT MUNICIPAL COURT",
            f"MUNICIPAL COURT, {d} JUDICIAL DIST.",
        ))
    if short:
        return rng.choice(("SUPERIOR", "LASC", "SUPERIOR CT", "L.A. SUPERIOR"))
    return rng.choice((
        "SUPERIOR COURT OF CALIFORNIA, COUNTY OF LOS ANGELES",
        "SUPERIOR COURT OF THE STATE OF CALIFORNIA FOR THE COUNTY OF LOS ANGELES",
        "LOS ANGELES SUPERIOR COURT",
        "SUPERIOR COURT - COUNTY OF LOS ANGELES",
    ))


def name_text(case: Case, rng: random.Random) -> str:
    r = rng.random()
    if r < 0.6:
        return case.name_last_first
    if r < 0.85:
        return case.name_first_last
    mid = f" {case.middle}" if case.middle else ""
    return f"{case.last} {case.first}{mid}"


def registration_text(rng: random.Random) -> tuple[str, str, str]:
    """(before, labelled core, after) of a PC 290 registration note."""
    return rng.choice((
        ("DEFT ORDERED TO ", "REGISTER PER 290 PC", "."),
        ("DEFENDANT ADVISED OF DUTY TO ", "REGISTER PURSUANT TO SECTION 290 P.C.", "."),
        ("", "290 PC REGISTRATION REQUIRED", "."),
        ("DEFT TO ", "REG PER PC 290", " WITHIN 5 DAYS."),
        ("DEFENDANT SHALL ", "REGISTER AS A SEX OFFENDER (290 PC)", "."),
    ))


def hs11590_text(rng: random.Random, sp: Speller) -> str:
    return rng.choice(("DEFT TO REGISTER PER 11590 {c}", "NARCOTICS REGISTRATION 11590 {c} ADVISED",
                       "REGISTER WITH LOCAL POLICE PER 11590 {c}")).format(c=sp.code_tok["HS"])


def prior_parts(p: Prior, sp: Speller, rng: random.Random) -> Parts:
    st = sp.statute_short(p.statute)
    d = sp.date(p.date)
    return rng.choice((
        [("PRIOR CONV ", None), (st, "PRIOR"), (" ON ", None), (d, "OTHER_DATE"), (f" CASE {p.case_number}", None)],
        [("PRIOR: ", None), (st, "PRIOR"), (f" ({p.description}) CONV ", None), (d, "OTHER_DATE")],
        [("DEFT ADMITS PRIOR CONVICTION OF ", None), (st, "PRIOR"), (" ", None), (d, "OTHER_DATE"), (".", None)],
        [("ALLEGED PRIOR ", None), (d, "OTHER_DATE"), (" ", None), (st, "PRIOR"), (f" {p.case_number}", None)],
    ))


def count_ref(c: Count, rng: random.Random, form: str) -> Parts:
    n = {"plain": str(c.count), "2d": f"{c.count:02d}", "3d": f"{c.count:03d}"}[form]
    return [(n, "COUNT_NO")]


def join_counts(cs: list[Count], form: str) -> Parts:
    """'1', '1 & 3', '1, 2 & 4' with each number labelled."""
    out: Parts = []
    for i, c in enumerate(cs):
        if i:
            out.append((" & " if i == len(cs) - 1 else ", ", None))
        out += count_ref(c, random.Random(0), form)
    return out


# ----------------------------------------------------------------------------- docket entries

PLEA_PHRASES = {
    "convicted_guilty": ("PLEADS GUILTY", "PLED GUILTY", "PG", "ENTERS PLEA OF GUILTY"),
    "convicted_nolo": ("PLEADS NOLO CONTENDERE", "PLED NOLO", "NOLO PLEA"),
    "convicted_verdict": ("FOUND GUILTY", "FOUND GUILTY BY JURY", "COURT FINDS DEFT GUILTY"),
    "acquitted": ("FOUND NOT GUILTY", "ACQUITTED", "NOT GUILTY BY JURY"),
    "dismissed_1385": ("DISM 1385 PC", "DISMISSED IN FURTHERANCE OF JUSTICE", "DISM PER 1385 PC"),
    "dismissed_plea": ("DISMISSED", "DISM", "DISMISSED PER PLEA AGREEMENT"),
    "dismissed_people": ("DISMISSED ON PEOPLE'S MOTION", "DISM MOT PEOPLE", "DISMISSED"),
    "diverted": ("DIVERSION GRANTED 1000 PC", "DIV-1000PC", "DEJ GRANTED", "DEFERRED ENTRY OF JUDGMENT"),
}


@dataclass
class Entry:
    """One dated docket entry: the date, whether it disposes of counts, and its text parts."""

    date: dt.date
    parts: Parts
    disposes: bool = False


def docket_entries(case: Case, sp: Speller, rng: random.Random, *, count_form: str = "plain",
                   per_count: bool | None = None) -> list[Entry]:
    """Chronological docket entries: events, dispositions (terse, grouped or one line per count)."""
    per_count = rng.random() < 0.45 if per_count is None else per_count
    entries = [Entry(e.date, event_parts(e, case, sp, rng)) for e in case.events if e.kind != "sentence"]
    by_date: dict[dt.date, list[Count]] = {}
    for c in case.counts:
        if c.disposition_date:
            by_date.setdefault(c.disposition_date, []).append(c)
    for d, cs in by_date.items():
        if per_count:
            for c in cs:
                parts: Parts = [("CT ", None), *count_ref(c, rng, count_form), (" ", None),
                                (sp.statute_short(c.statute), "STATUTE"), (" ", None),
                                (sp.dispo(c), "DISPOSITION")]
                entries.append(Entry(d, parts, True))
        else:
            entries.append(Entry(d, grouped_dispo_parts(cs, sp, rng, count_form), True))
    entries += [Entry(e.date, event_parts(e, case, sp, rng)) for e in case.events if e.kind == "sentence"]
    entries.sort(key=lambda e: e.date)
    return entries


def grouped_dispo_parts(cs: list[Count], sp: Speller, rng: random.Random, count_form: str) -> Parts:
    groups: dict[str, list[Count]] = {}
    for c in cs:
        groups.setdefault(dispo_key(c), []).append(c)
    parts: Parts = []
    for i, (key, gc) in enumerate(groups.items()):
        phrase = rng.choice(PLEA_PHRASES[key])
        word = "CTS " if len(gc) > 1 else "CT "
        if i:
            parts.append((" ", None))
        if key.startswith("convicted") and "PLEA" not in phrase and "FOUND" not in phrase and rng.random() < 0.5:
            parts += [("DEFT ", None), (phrase, "DISPOSITION"), (" TO " + word, None), *join_counts(gc, count_form)]
            if len(gc) == 1 and rng.random() < 0.6:
                parts += [(" (", None), (sp.statute_short(gc[0].statute), "STATUTE"), (")", None)]
            parts.append((".", None))
        else:
            parts += [(word, None), *join_counts(gc, count_form), (" ", None), (phrase, "DISPOSITION"), (".", None)]
    return parts


def event_parts(e: Event, case: Case, sp: Speller, rng: random.Random) -> Parts:
    later = sp.date(e.date + dt.timedelta(days=rng.randint(14, 45)))
    if e.kind == "arraign":
        return rng.choice((
            [("DEFT ARRAIGNED, PLEADS NOT GUILTY ALL COUNTS. BAIL ", None), (money(case.bail or 2500), "BAIL"), (".", None)],
            [("ARRAIGNMENT. NG PLEA ENTERED. DEFT RELEASED O.R.", None)],
            [("DEFT PRESENT W/ COUNSEL. PLEA NOT GUILTY. PRETRIAL SET ", None), (later, "OTHER_DATE"), (".", None)],
        ))
    if e.kind == "continue":
        return rng.choice((
            [("CONT TO ", None), (later, "OTHER_DATE"), (" ON MOT OF DEFT.", None)],
            [("MATTER CONTINUED TO ", None), (later, "OTHER_DATE"), (" AT REQUEST OF PEOPLE.", None)],
            [("PRETRIAL CONF. NO DISPO. CONT ", None), (later, "OTHER_DATE"), (".", None)],
        ))
    if e.kind == "prelim":
        return [("PRELIMINARY HEARING HELD. DEFT HELD TO ANSWER.", None)]
    if e.kind == "bail":
        return [("BAIL REDUCED TO ", None), (money(max(500, case.bail // 2 or 1000)), "BAIL"), (".", None)]
    if e.kind == "motion":
        return rng.choice(([("MOTION TO SUPPRESS EVIDENCE (1538.5 PC) DENIED.", None)],
                           [("DEFT MOTION 995 PC DENIED.", None)],
                           [("PEOPLE'S MOTION TO AMEND COMPLAINT GRANTED.", None)]))
    if e.kind == "warrant":
        return [("DEFT FAILS TO APPEAR. BENCH WARRANT ISSUED, BAIL ", None),
                (money(max(case.bail, 5000)), "BAIL"), (".", None)]
    if e.kind == "sentence":
        return rng.choice((
            [("PROBATION GRANTED 36 MOS. 30 DAYS COUNTY JAIL. FINE $", None), (str(rng.choice((100, 250, 390))), None),
             (".", None)],
            [("SENTENCED TO STATE PRISON FOR ", None), (rng.choice(("16 MOS", "2 YRS", "3 YRS")), None), (".", None)],
            [("SUMMARY PROBATION 24 MONTHS. PAY FINE OR SERVE 5 DAYS.", None)],
            [("PROB & SENT: 90 DAYS CJ SUSP, 3 YRS FORMAL PROBATION. PROG REPORT ", None),
             (later, "OTHER_DATE"), (".", None)],
        ))
    return [(e.detail or "MINUTE ENTRY.", None)]


# ----------------------------------------------------------------------------- wrapping and flow


def wrap(parts: Parts, font: Font, width: float) -> list[Parts]:
    """Greedy word wrap; labelled segments are kept whole on one line."""
    tokens: Parts = []
    for text, lab in parts:
        if lab:
            tokens.append((text, lab))
        else:
            for i, w in enumerate(text.split(" ")):
                if i:
                    tokens.append((" ", None))
                if w:
                    tokens.append((w, None))
    lines: list[Parts] = [[]]
    cur = 0.0
    for tok in tokens:
        w = font.width(tok[0])
        if tok[0] == " ":
            if lines[-1]:
                lines[-1].append(tok)
                cur += w
            continue
        if cur + w > width and lines[-1]:
            while lines[-1] and lines[-1][-1][0] == " ":
                lines[-1].pop()
            lines.append([])
            cur = 0.0
        lines[-1].append(tok)
        cur += w
    return [merge(line) for line in lines if line]


def merge(parts: Parts) -> Parts:
    out: Parts = []
    for t, lab in parts:
        if out and lab is None and out[-1][1] is None:
            out[-1] = (out[-1][0] + t, None)
        else:
            out.append((t, lab))
    return out


@dataclass
class Flow:
    """Writes lines down a page and starts a new page (via `new_page`) when one is full."""

    new_page: Callable[[int], tuple[PageCanvas, float]]
    bottom: float
    pages: list[PageCanvas] = field(default_factory=list)
    y: float = 0.0

    def __post_init__(self) -> None:
        self._start()

    def _start(self) -> None:
        page, self.y = self.new_page(len(self.pages) + 1)
        self.pages.append(page)

    @property
    def page(self) -> PageCanvas:
        return self.pages[-1]

    def need(self, h: float) -> bool:
        """Break the page if h does not fit; True when a new page was started."""
        if self.y + h > self.bottom:
            self._start()
            return True
        return False

    def line(self, x: float, parts: Parts | str, font: Font, lh: float, **kw) -> float:
        self.need(lh)
        base = self.y + lh * 0.72
        end = self.page.text(x, base, parts, font, **kw)
        self.y += lh
        return end

    def gap(self, h: float) -> None:
        self.y += h


def filed_stamp(page: PageCanvas, case: Case, sp: Speller, rng: random.Random, x: float, y: float,
                font_name: str = "sans-bold") -> None:
    """A rubber 'FILED' stamp carrying the filing date, or a 'MICROFILMED' one with a later date."""
    if rng.random() < 0.6:
        court = "SUPERIOR COURT" if case.court_kind == "superior" else f"{case.district.upper()} MUNI CT"  # type: ignore[union-attr]
        lines = [("FILED", Font(font_name, 78)), (court, Font(font_name, 34)),
                 (sp.date(case.filing_date, "MON dd yyyy"), Font(font_name, 40))]
        labs = [None, None, "FILING_DATE"]
    else:
        later = case.filing_date + dt.timedelta(days=rng.randint(300, 3000))
        lines = [("MICROFILMED", Font(font_name, 60)), (sp.date(later, "MON dd yyyy"), Font(font_name, 38))]
        labs = [None, "OTHER_DATE"]
    page.stamp(x, y, lines, angle=rng.uniform(-12, 12), labels=labs, border=rng.random() < 0.75)
