"""Layout 2: a Superior Court minute order written in prose.

Variants: `form` (printed caption block, proportional or typed body) and `typed` (a typed sheet of
minutes, one dated paragraph per hearing). Pleas, verdicts and dismissals are told in sentences;
some later entries dispose of earlier counts in the terse clerk's form ('CT 01 DISM 1385 PC').
"""
from __future__ import annotations

import random

from ..canvas import LETTER, Font, PageCanvas, Paper, Style
from ..content import Case, Count
from ..spellings import Speller, dispo_key, money
from .common import (Flow, Parts, court_text, event_parts, filed_stamp, hs11590_text, name_text, prior_parts,
                     registration_text, wrap)

L, R = 210, 2340
LEVEL_WORDS = {"felony": "FELONY", "misdemeanor": "MISDEMEANOR", "infraction": "INFRACTION"}


def render(case: Case, rng: random.Random, style: Style) -> tuple[list[PageCanvas], str]:
    variant = rng.choice(("form", "form", "typed"))
    years = [case.filing_date.year] + [c.disposition_date.year for c in case.counts if c.disposition_date]
    sp = Speller.draw(rng, years)
    body = Font(rng.choice(("freemono", "libmono", "dejamono", "serif", "freeserif", "libmono")), 42)
    if body.name in ("serif", "freeserif"):
        body = Font(body.name, 46)
    form = Font(rng.choice(("serif", "sans", "dejaserif")), 34)
    tp = not style.digital and body.name in ("freemono", "libmono") and variant == "typed"
    if not style.digital:
        style.inks["form"] = rng.choice(((25, 25, 25), (30, 40, 90)))
        style.stroke = 1 if body.name == "freemono" else 0
    paper = Paper(color=(255, 255, 255) if style.digital else rng.choice(((250, 250, 247), (246, 244, 236))),
                  texture=0 if style.digital else 0.7)
    dates = sorted({c.disposition_date for c in case.counts if c.disposition_date})
    order_date = dates[-1] if dates else case.events[-1].date
    lh = body.size * 1.45
    court = court_text(case, rng)
    case_label = rng.choice(("CASE NO.", "CASE NUMBER", "NO.", "CASE:"))
    name = name_text(case, rng)

    def new_page(n: int) -> tuple[PageCanvas, float]:
        page = PageCanvas(*LETTER, number=n, paper=paper)
        y = 210
        if variant == "form":
            page.text_center(1275, y, court, Font(form.name + "-bold" if form.name != "dejaserif" else "dejaserif-bold",
                                                  50 if len(court) < 56 else 40), layer="form", label="COURT")
            y += 80
            page.text_center(1275, y, rng.choice(("MINUTE ORDER", "MINUTES", "CRIMINAL MINUTE ORDER")),
                             Font("sans-bold", 46), layer="form")
            y += 30
            page.line(L, y, R, y, 4)
        else:
            page.text(L, y, court, body, label="COURT", typed=tp)
            y += lh
            page.text(L, y, "MINUTES OF PROCEEDINGS", body, typed=tp)
        y += 80
        date_lab = "DISPO_DATE" if len(dates) == 1 else "OTHER_DATE"
        page.text(L, y, [("DATE: ", None), (sp.date(order_date), date_lab if n == 1 else "OTHER_DATE")], body,
                  typed=tp)
        page.text(1500, y, f"DEPT. {case.dept}", body, typed=tp)
        page.text_right(R, y, f"PAGE {n}", form, layer="form")
        y += lh
        page.text(L, y, f"HONORABLE {case.judge}, JUDGE", body, typed=tp)
        page.text(1500, y, f"{case.prosecutor} DEP CLK", body, typed=tp)
        y += lh * 1.4
        page.text(L, y, [(case_label + " ", None), (case.case_number, "CASE_NUMBER")], body, typed=tp)
        y += lh
        page.text(L, y, "THE PEOPLE OF THE STATE OF CALIFORNIA VS.", body, typed=tp)
        y += lh
        parts: Parts = [("DEFENDANT 01: ", None), (name, "DEFENDANT")]
        if case.dob and n == 1:
            parts += [("   DOB ", None), (sp.date(case.dob), "DOB")]
        page.text(L, y, parts, body, typed=tp)
        y += lh
        if n == 1:
            page.text(L, y, f"COUNSEL FOR DEFENDANT: {case.defense}, DEPUTY PUBLIC DEFENDER", body, typed=tp)
            y += lh
            page.text(L, y, [("BKG NO. ", None), (case.booking_no, "BOOKING_NO"), ("   CII ", None),
                             (case.cii_no, "CII_NO")], body, typed=tp)
            y += lh
        y += 10
        page.line(L, y, R, y, 3)
        return page, y + 40

    flow = Flow(new_page, bottom=3300 - 300)
    width = R - L
    for ln in wrap(_charging(case, sp, rng), body, width):
        flow.line(L, ln, body, lh, typed=tp)
    count_form = rng.randrange(2)
    for c in case.counts:
        for ln in wrap(_count_line(c, sp, count_form), body, width - 80):
            flow.line(L + 80, ln, body, lh, typed=tp)
    flow.gap(lh * 0.6)
    for d, paras in _hearings(case, sp, rng):
        flow.need(lh * 2)
        disposes = any(c.disposition_date == d for c in case.counts)
        flow.line(L, [(sp.date(d), "DISPO_DATE" if disposes else "OTHER_DATE"), (":", None)],
                  Font(body.name + "-bold", body.size) if body.name in ("freemono", "libmono", "dejamono",
                                                                        "serif", "freeserif")
                  else body, lh, typed=tp)
        for p in paras:
            for ln in wrap(p, body, width - 60):
                flow.line(L + 60, ln, body, lh, typed=tp)
        flow.gap(lh * 0.4)
    for p in _notes(case, sp, rng):
        for ln in wrap(p, body, width):
            flow.line(L, ln, body, lh, typed=tp)
    flow.gap(lh)
    flow.line(L, rng.choice(("MINUTES ENTERED", "ENTERED")) + f" {sp.date(order_date)} BY COUNTY CLERK", form,
              lh, layer="form")
    if not style.digital and rng.random() < 0.6:
        filed_stamp(flow.pages[0], case, sp, rng, x=R - 300, y=3300 - 420)
    return flow.pages, variant


def _charging(case: Case, sp: Speller, rng: random.Random) -> Parts:
    what = "COMPLAINT" if case.court_kind == "muni" else rng.choice(("INFORMATION", "COMPLAINT"))
    return rng.choice((
        [(f"THE {what} FILED ", None), (sp.date(case.filing_date), "FILING_DATE"), (" CHARGES THE DEFENDANT AS FOLLOWS:", None)],
        [(f"{what} FILED ON ", None), (sp.date(case.filing_date), "FILING_DATE"), (", CHARGING:", None)],
        [("DATE FILED: ", None), (sp.date(case.filing_date), "FILING_DATE"), (f". CHARGES PER {what}:", None)],
    ))


def _count_line(c: Count, sp: Speller, form: int) -> Parts:
    lvl = LEVEL_WORDS[c.level]
    st = sp.statute(c.statute)
    return ((
        [("COUNT ", None), (f"{c.count:02d}", "COUNT_NO"), (": ", None), (st, "STATUTE"), (f" ({c.description}), A ", None),
         (lvl, "LEVEL"), (".", None)],
        [("CT ", None), (str(c.count), "COUNT_NO"), (" - ", None), (st, "STATUTE"), (" - ", None),
         (sp.level(c.level), "LEVEL"), (f" - {c.description}", None)],
    ))[form]


def _dispo_sentences(d, cs: list[Count], sp: Speller, rng: random.Random, terse: bool) -> list[Parts]:
    """Sentences that dispose of the counts `cs` on one hearing date."""
    out: list[Parts] = []
    if terse:
        for c in cs:
            out.append([(sp.date(d), "DISPO_DATE"), (" CT ", None), (f"{c.count:02d}", "COUNT_NO"), (" ", None),
                        (sp.dispo(c), "DISPOSITION")])
        return out
    convicted = [c for c in cs if c.disposition == "convicted"]
    keys = {dispo_key(c) for c in convicted}
    if len(convicted) > 1 and len(keys) == 1 and "convicted_verdict" not in keys and rng.random() < 0.5:
        plea = "PLEADS GUILTY" if keys == {"convicted_guilty"} else "PLEADS NOLO CONTENDERE"
        nums: Parts = []
        for i, c in enumerate(convicted):
            if i:
                nums.append((" AND " if i == len(convicted) - 1 else ", ", None))
            nums += [(str(c.count), "COUNT_NO"), (" (", None), (sp.statute(c.statute), "STATUTE"), (")", None)]
        out.append([("DEFENDANT ", None), (plea, "DISPOSITION"), (" TO COUNTS ", None), *nums, (".", None)])
    for c in (convicted if len(out) == 0 else []):
        key = dispo_key(c)
        st = sp.statute(c.statute)
        if key == "convicted_verdict":
            out.append([("THE JURY RETURNS A VERDICT OF ", None), ("GUILTY", "DISPOSITION"), (" AS TO COUNT ", None),
                        (str(c.count), "COUNT_NO"), (", ", None), (st, "STATUTE"), (".", None)])
        else:
            plea = "PLEADS GUILTY" if key == "convicted_guilty" else "PLEADS NOLO CONTENDERE"
            out.append([("DEFENDANT WITHDRAWS PLEA OF NOT GUILTY AND ", None), (plea, "DISPOSITION"),
                        (" TO COUNT ", None), (str(c.count), "COUNT_NO"), (", A VIOLATION OF ", None),
                        (st, "STATUTE"), (", A ", None), (LEVEL_WORDS[c.level], "LEVEL"), (".", None)])
            if key == "convicted_nolo":
                out.append([("THE COURT FINDS THE DEFENDANT GUILTY.", None)])
    for c in cs:
        if c.disposition == "acquitted":
            out.append([("AS TO COUNT ", None), (str(c.count), "COUNT_NO"), (" THE DEFENDANT IS FOUND ", None),
                        ("NOT GUILTY", "DISPOSITION"), (".", None)])
        elif c.disposition == "diverted":
            out.append([("DEFENDANT IS FOUND ELIGIBLE AND ", None),
                        (rng.choice(("DIVERSION IS GRANTED", "DEFERRED ENTRY OF JUDGMENT IS GRANTED")), "DISPOSITION"),
                        (" PURSUANT TO SECTION 1000 PC AS TO COUNT ", None), (str(c.count), "COUNT_NO"), (".", None)])
    dismissed = [c for c in cs if c.disposition == "dismissed"]
    if dismissed:
        if convicted and len(dismissed) + len(convicted) == len(cs) and rng.random() < 0.4:
            out.append([("REMAINING COUNTS ", None), ("DISMISSED", "DISPOSITION"),
                        (" ON MOTION OF THE PEOPLE IN VIEW OF PLEA.", None)])
        else:
            nums: Parts = []
            for i, c in enumerate(dismissed):
                if i:
                    nums.append((" AND " if i == len(dismissed) - 1 else ", ", None))
                nums.append((str(c.count), "COUNT_NO"))
            word = "COUNTS " if len(dismissed) > 1 else "COUNT "
            verb = rng.choice(("ORDERED DISMISSED", "DISMISSED"))
            why = rng.choice((" IN FURTHERANCE OF JUSTICE PURSUANT TO SECTION 1385 PC.", " ON MOTION OF THE PEOPLE.",
                              " FOR LACK OF EVIDENCE."))
            out.append([("ON MOTION OF THE COURT, " if "1385" in why else "", None), (word, None), *nums,
                        (" ", None), (verb, "DISPOSITION"), (why, None)])
    return out


def _hearings(case: Case, sp: Speller, rng: random.Random):
    """(date, paragraphs) per hearing, in date order."""
    by: dict = {}
    for e in case.events:
        by.setdefault(e.date, []).append(_event_prose(e, case, sp, rng))
    dd: dict = {}
    for c in case.counts:
        if c.disposition_date:
            dd.setdefault(c.disposition_date, []).append(c)
    for d, cs in dd.items():
        terse = rng.random() < 0.3
        by.setdefault(d, [])[:0] = _dispo_sentences(d, cs, sp, rng, terse)
    return sorted(by.items())


def _event_prose(e, case: Case, sp: Speller, rng: random.Random) -> Parts:
    if e.kind == "arraign":
        return [("DEFENDANT IS ARRAIGNED, WAIVES READING AND PLEADS NOT GUILTY TO ALL COUNTS. BAIL SET AT ", None),
                (money(case.bail or 5000), "BAIL"), (".", None)]
    if e.kind == "sentence":
        parts: Parts = [("PROBATION IS GRANTED FOR A PERIOD OF ", None), (rng.choice(("THREE", "FIVE", "TWO")), None),
                        (" YEARS. DEFENDANT TO SERVE ", None), (str(rng.choice((30, 60, 90, 180, 365))), None),
                        (" DAYS IN COUNTY JAIL. OBEY ALL LAWS.", None)]
        return parts
    return event_parts(e, case, sp, rng)


def _notes(case: Case, sp: Speller, rng: random.Random) -> list[Parts]:
    out = [prior_parts(p, sp, rng) for p in case.priors]
    if case.pc290:
        a, core, b = registration_text(rng)
        out.append([(a, None), (core, "REGISTRATION"), (b, None)])
    if case.hs11590:
        out.append([(hs11590_text(rng, sp) + ".", None)])
    return out
