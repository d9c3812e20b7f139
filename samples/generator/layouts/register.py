"""Layout 4: a multi-page register of actions (criminal docket continued over several sheets).

Each page repeats the case number and defendant; a date column runs down the left. The charge
schedule is placed so that it often breaks across a page ('CHARGES (CONT'D)'), and a long run of
continuances and post-judgment entries pushes the record to two or three pages.
"""
from __future__ import annotations

import datetime as dt
import random

from ..canvas import LETTER, Font, PageCanvas, Paper, Style
from ..content import Case
from ..spellings import Speller, money
from .common import Entry, Flow, Parts, court_text, docket_entries, hs11590_text, name_text, prior_parts, \
    registration_text, wrap

L, R = 200, 2350

FILLERS_BEFORE = (
    "DEFT PRESENT WITH COUNSEL. PEOPLE REPRESENTED BY THE DEPUTY DISTRICT ATTORNEY. ON MOTION OF THE DEFENSE THE "
    "MATTER IS CONTINUED FOR PRETRIAL CONFERENCE. DEFT ORDERED TO RETURN. BAIL TO STAND.",
    "PRETRIAL CONFERENCE HELD IN CHAMBERS. NO DISPOSITION REACHED. DISCOVERY TO BE EXCHANGED BY COUNSEL.",
    "DEFT PRESENT, COUNSEL PRESENT. BY STIPULATION OF COUNSEL THE MATTER IS CONTINUED. TIME WAIVED.",
    "PEOPLE NOT READY, ARRESTING OFFICER UNAVAILABLE. CONTINUED OVER DEFENSE OBJECTION.",
    "READINESS CONFERENCE. BOTH SIDES ANNOUNCE NOT READY. CONTINUED. SUBPOENAED WITNESSES ORDERED TO RETURN.",
    "DEFENSE MOTION FOR CONTINUANCE GRANTED. DEFT REMAINS ON SAME BAIL AND SAME TERMS.",
    "PROBATION OFFICER'S PRE-PLEA REPORT ORDERED. MATTER CONTINUED.",
)
FILLERS_AFTER = ("PROBATION PROGRESS REPORT RECEIVED AND FILED.", "FINE PAID IN FULL. RECEIPT ON FILE.",
                 "PROOF OF ENROLLMENT FILED.", "ABSTRACT OF JUDGMENT FORWARDED TO DOJ.",
                 "PROGRESS REPORT: DEFT IN COMPLIANCE.", "MINUTE ORDER MAILED TO COUNSEL.",
                 "PROBATION REPORT REVIEWED. NO ACTION.", "CUSTODY CREDITS CALCULATED.")


def render(case: Case, rng: random.Random, style: Style) -> tuple[list[PageCanvas], str]:
    variant = "printed" if style.digital else rng.choice(("typed", "printed"))
    years = [case.filing_date.year] + [c.disposition_date.year for c in case.counts if c.disposition_date] + \
        [case.filing_date.year + 3]
    sp = Speller.draw(rng, years, compact=True)
    body = Font(rng.choice(("freemono", "libmono")) if variant == "typed" else rng.choice(("dejamono", "libmono")),
                rng.choice((42, 44)))
    head = Font(rng.choice(("sans-bold", "serif-bold", "narrow-bold")), 44)
    small = Font(rng.choice(("sans", "serif", "narrow")), 30)
    tp = variant == "typed" and not style.digital
    if tp:
        style.stroke = 1 if body.name == "freemono" else 0
    paper = Paper(color=(255, 255, 255) if style.digital else rng.choice(((250, 249, 245), (245, 242, 232))),
                  texture=0 if style.digital else 0.8)
    lh = 54.0
    name = name_text(case, rng)
    court = court_text(case, rng)
    state = {"charges": False}
    date_w = body.width("MMMMMMMMMMM")
    col = L + date_w + 30

    def new_page(n: int) -> tuple[PageCanvas, float]:
        page = PageCanvas(*LETTER, number=n, paper=paper)
        y = 200
        page.text(L, y, rng.choice(("REGISTER OF ACTIONS", "CRIMINAL REGISTER OF ACTIONS", "DOCKET - REGISTER")),
                  head, layer="form")
        page.text_right(R, y, court if len(court) < 46 else court_text(case, rng, short=True), small, layer="form",
                        label="COURT")
        y += 70
        page.text(L, y, [("CASE ", None), (case.case_number, "CASE_NUMBER")], body, typed=tp)
        page.text(L + 900, y, [("PEOPLE VS ", None), (name, "DEFENDANT")], body, typed=tp)
        y += 30
        page.line(L, y, R, y, 4)
        y += 20
        if n == 1:
            y += 20
            rows: list[Parts] = [
                [(rng.choice(("FILED ", "DATE FILED ", "COMPLAINT FILED ")), None),
                 (sp.date(case.filing_date), "FILING_DATE"),
                 ("    DOB ", None), (sp.date(case.dob) if case.dob else "UNK", "DOB" if case.dob else None)],
                [("BOOKING ", None), (case.booking_no, "BOOKING_NO"), ("   CII ", None), (case.cii_no, "CII_NO"),
                 ("   DR ", None), (case.dr_no, "DR_NO")],
                [(f"ARRESTING AGENCY {case.agency}   DEPT {case.dept}", None)],
                [(f"DEFENSE {case.defense}   PROSECUTOR {case.prosecutor}", None)],
            ]
            for r in rows:
                page.text(L, y + lh * 0.72, r, body, typed=tp)
                y += lh
            y += 20
            page.line(L, y, R, y, 2)
            y += 10
        page.text(L, y + 40, "DATE", small, layer="form")
        page.text(col, y + 40, rng.choice(("PROCEEDINGS", "ACTIONS", "ENTRIES")), small, layer="form")
        page.line(L, y + 56, R, y + 56, 2)
        y += 70
        if state["charges"]:
            page.text(col, y + lh * 0.72, "CHARGES (CONT'D)", body, typed=tp)
            y += lh
        return page, y

    flow = Flow(new_page, bottom=3300 - 260)

    def entry(d: dt.date | None, parts: Parts, date_label: str | None = "OTHER_DATE") -> None:
        lines = wrap(parts, body, R - col)
        flow.need(lh * len(lines))
        if d is not None:
            flow.page.text(L, flow.y + lh * 0.72, sp.date(d), body, label=date_label, typed=tp)
        for ln in lines:
            flow.line(col, ln, body, lh, typed=tp)

    entries = docket_entries(case, sp, rng, count_form="2d", per_count=rng.random() < 0.6)
    first_dispo = min((e.date for e in entries if e.disposes), default=case.filing_date + dt.timedelta(days=60))
    pre = [e for e in entries if e.date < first_dispo and not e.disposes]
    post = [e for e in entries if e not in pre]
    if case.bail:
        entry(case.arrest_date, [("DEFT BOOKED. BAIL SET ", None), (money(case.bail), "BAIL"), (".", None)])
    entry(case.filing_date, [(rng.choice(("COMPLAINT FILED.", "CASE FILED. COMPLAINT RECEIVED.", "INFORMATION FILED.")),
                              None)], "FILING_DATE")
    block = 2 + 2 * len(case.counts)
    span = max(1, (first_dispo - case.filing_date).days - 1)
    fillers = [Entry(case.filing_date + dt.timedelta(days=rng.randint(1, span)), [(rng.choice(FILLERS_BEFORE), None)])
               for _ in range(40 if len(case.counts) > 1 else 0)]
    filler_ids = {id(f) for f in fillers}
    for e in sorted(pre + fillers, key=lambda e: e.date):
        if id(e) in filler_ids:  # continuances only until the charge schedule must break across the page
            room = (flow.bottom - flow.y) // lh
            if room <= block - 2 or len(wrap(e.parts, body, R - col)) > room - (block - 2):
                continue
        entry(e.date, e.parts, "OTHER_DATE")
    flow.line(col, "CHARGES:", body, lh, typed=tp)
    state["charges"] = True
    for c in case.counts:
        flow.need(lh * 2)
        flow.line(col, [("CT ", None), (f"{c.count:02d}", "COUNT_NO"), ("  ", None),
                        (sp.statute_short(c.statute), "STATUTE"), ("  ", None), (sp.level(c.level), "LEVEL")],
                  body, lh, typed=tp)
        flow.line(col + body.width("CT 01  "), c.description, body, lh, typed=tp)
    state["charges"] = False
    flow.gap(lh * 0.5)
    for e in post:
        entry(e.date, e.parts, "DISPO_DATE" if e.disposes else "OTHER_DATE")
    notes: list[Parts] = [prior_parts(p, sp, rng) for p in case.priors]
    if case.pc290:
        a, core, b = registration_text(rng)
        notes.append([(a, None), (core, "REGISTRATION"), (b, None)])
    if case.hs11590:
        notes.append([(hs11590_text(rng, sp) + ".", None)])
    last = max(e.date for e in entries) if entries else first_dispo
    for p in notes:
        entry(last, p)
    extra = rng.randint(0, 5)
    while len(flow.pages) == 1 or extra > 0:  # a register of actions runs to a second sheet
        if len(flow.pages) > 1:
            extra -= 1
        last = last + dt.timedelta(days=rng.randint(20, 200))
        entry(last, [(rng.choice(FILLERS_AFTER), None)])
    n = len(flow.pages)
    for i, page in enumerate(flow.pages, 1):
        page.text_right(R, 3300 - 150, f"PAGE {i} OF {n}", small, layer="form")
        if i < n:
            page.text(L, 3300 - 150, "CONTINUED ON NEXT PAGE", small, layer="form")
    return flow.pages, variant
