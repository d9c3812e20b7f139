"""Layout 1: a typewritten docket on a printed court form (or a plain typed ledger sheet).

Variants: `form` (printed labels, ruled count table, ruled proceedings) and `ledger` (everything
typed, counts as typed lines, a date column with a single printed rule).
"""
from __future__ import annotations

import random

from ..canvas import LETTER, Font, PageCanvas, Paper, Style
from ..content import Case
from ..spellings import Speller, labels, money
from .common import (Flow, court_text, docket_entries, filed_stamp, hs11590_text, name_text, prior_parts,
                     registration_text, wrap)

L, R = 190, 2360


def render(case: Case, rng: random.Random, style: Style) -> tuple[list[PageCanvas], str]:
    variant = rng.choice(("form", "form", "ledger"))
    years = [case.filing_date.year] + [c.disposition_date.year for c in case.counts if c.disposition_date]
    sp = Speller.draw(rng, years, compact=True)
    lab = labels(rng)
    typed = Font(rng.choice(("freemono", "libmono", "freemono-bold", "libmono")), rng.choice((44, 46, 48)))
    form = Font(rng.choice(("sans", "narrow", "dejasans", "serif")), rng.choice((28, 30, 32)))
    bold = Font(rng.choice(("serif-bold", "freeserif-bold", "sans-bold")), 56)
    if not style.digital:
        style.inks["form"] = rng.choice(((30, 30, 30), (40, 60, 120), (35, 90, 60), (60, 40, 30)))
        style.inks["type"] = rng.choice(((25, 25, 25), (40, 40, 55), (20, 20, 80)))
        style.ribbon = rng.uniform(0.85, 1.0)
        style.stroke = 1 if typed.name.startswith("freemono") or rng.random() < 0.4 else 0
    paper = Paper(color=rng.choice(((250, 249, 244), (247, 243, 230), (244, 240, 225))) if not style.digital
                  else (255, 255, 255), texture=0 if style.digital else 1.0)
    tp = not style.digital

    def new_page(n: int) -> tuple[PageCanvas, float]:
        page = PageCanvas(*LETTER, number=n, paper=paper)
        if n == 1:
            return page, (_form_header if variant == "form" else _ledger_header)(
                page, case, sp, lab, rng, typed, form, bold, tp)
        page.text(L, 200, "DOCKET CONTINUATION", Font(form.name, 40), layer="form")
        page.text(L + 1200, 200, [(lab["case"] + " ", None), (case.case_number, "CASE_NUMBER")], typed, typed=tp)
        page.text_right(R, 200, f"PAGE {n}", form, layer="form")
        page.line(L, 230, R, 230, 3)
        return page, 270

    flow = Flow(new_page, bottom=3300 - 330)
    _counts(flow, case, sp, lab, rng, typed, form, tp, ruled=variant == "form")
    _proceedings(flow, case, sp, lab, rng, typed, form, tp, ruled=variant == "form")
    _remarks(flow, case, sp, rng, typed, form, tp)
    last = flow.pages[-1]
    last.text(R - 760, 3300 - 230, "CLERK", form, layer="form")
    last.line(R - 640, 3300 - 220, R, 3300 - 220, 2)
    if not style.digital:
        last.scribble(R - 600, 3300 - 300, R - 200, 3300 - 230, rng.randrange(1 << 30))
        filed_stamp(flow.pages[0], case, sp, rng, x=R - 330, y=rng.uniform(300, 520))
    flow.pages[0].text(L, 3300 - 160, rng.choice(("LAMC FORM 12-4 (REV 6/79)", "76M210 (R 2/81)",
                                                   "MC CRIM 5 (REV. 1-84)")), Font(form.name, 24), layer="form")
    return flow.pages, variant


def _field(page: PageCanvas, x: float, y: float, x_end: float, label: str, value: str, span: str | None,
           form: Font, typed: Font, tp: bool) -> None:
    page.text(x, y, label, form, layer="form")
    vx = x + form.width(label) + 24
    page.line(vx - 6, y + 10, x_end, y + 10, 2)
    if value:
        page.text(vx + 10, y - 4, value, typed, label=span, typed=tp)


def _form_header(page: PageCanvas, case: Case, sp: Speller, lab: dict, rng: random.Random, typed: Font,
                 form: Font, bold: Font, tp: bool) -> float:
    court = court_text(case, rng)
    size = 56 if len(court) < 44 else 44
    page.text_center(1275, 260, court, Font(bold.name, size), layer="form", label="COURT")
    if "COUNTY" not in court:
        page.text_center(1275, 320, "COUNTY OF LOS ANGELES, STATE OF CALIFORNIA", Font(form.name, 34), layer="form")
    title = rng.choice(("CRIMINAL DOCKET", "DOCKET AND MINUTES", "CRIMINAL CASE RECORD", "CRIMINAL DOCKET SHEET"))
    page.text_center(1275, 410, title, Font("sans-bold", 62), layer="form")
    page.line(L, 450, R, 450, 4)
    y = 540
    mid = 1340
    _field(page, L, y, mid - 60, lab["case"], case.case_number, "CASE_NUMBER", form, typed, tp)
    _field(page, mid, y, R, lab["filed"], sp.date(case.filing_date), "FILING_DATE", form, typed, tp)
    y += 90
    page.text(L, y, "THE PEOPLE OF THE STATE OF CALIFORNIA, Plaintiff, vs.", Font("serif-italic", 32), layer="form")
    y += 90
    _field(page, L, y, mid + 250, lab["defendant"], name_text(case, rng), "DEFENDANT", form, typed, tp)
    _field(page, mid + 300, y, R, lab["dob"], sp.date(case.dob) if case.dob else "", "DOB", form, typed, tp)
    y += 90
    _field(page, L, y, mid - 60, lab["booking"], case.booking_no, "BOOKING_NO", form, typed, tp)
    _field(page, mid, y, R, lab["cii"], case.cii_no, "CII_NO", form, typed, tp)
    y += 90
    _field(page, L, y, mid - 60, lab["agency"], case.agency, None, form, typed, tp)
    _field(page, mid, y, R, lab["dr"], case.dr_no, "DR_NO", form, typed, tp)
    y += 90
    _field(page, L, y, mid - 60, lab["arrest"], sp.date(case.arrest_date), "OTHER_DATE", form, typed, tp)
    _field(page, mid, y, R, lab["bail"], money(case.bail) if case.bail else "O.R.", "BAIL" if case.bail else None,
           form, typed, tp)
    y += 90
    _field(page, L, y, mid - 60, "ATTY FOR DEFT", case.defense, None, form, typed, tp)
    _field(page, mid, y, R - 300, "DEP. D.A.", case.prosecutor, None, form, typed, tp)
    _field(page, R - 260, y, R, "DEPT", case.dept, None, form, typed, tp)
    return y + 80


def _ledger_header(page: PageCanvas, case: Case, sp: Speller, lab: dict, rng: random.Random, typed: Font,
                   form: Font, bold: Font, tp: bool) -> float:
    court = court_text(case, rng)
    y = 260
    page.text_center(1275, y, court, typed, label="COURT", typed=tp)
    page.text_center(1275, y + 60, "COUNTY OF LOS ANGELES", typed, typed=tp)
    y += 170
    page.text(L, y, [(lab["case"] + " ", None), (case.case_number, "CASE_NUMBER")], typed, typed=tp)
    page.text(1450, y, [(lab["filed"] + " ", None), (sp.date(case.filing_date), "FILING_DATE")], typed, typed=tp)
    y += 60
    page.text(L, y, [("PEOPLE VS. ", None), (name_text(case, rng), "DEFENDANT")], typed, typed=tp)
    if case.dob:
        page.text(1450, y, [(lab["dob"] + " ", None), (sp.date(case.dob), "DOB")], typed, typed=tp)
    y += 60
    parts = [(lab["booking"] + " ", None), (case.booking_no, "BOOKING_NO"), ("   " + lab["dr"] + " ", None),
             (case.dr_no, "DR_NO")]
    if case.bail:
        parts += [("   BAIL ", None), (money(case.bail), "BAIL")]
    page.text(L, y, parts, typed, typed=tp)
    y += 60
    page.text(L, y, f"ATTY {case.defense}   DDA {case.prosecutor}   DEPT {case.dept}", typed, typed=tp)
    y += 40
    page.line(L, y, R, y, 3)
    return y + 40


def _counts(flow: Flow, case: Case, sp: Speller, lab: dict, rng: random.Random, typed: Font, form: Font,
            tp: bool, ruled: bool) -> None:
    with_dispo = rng.random() < 0.65
    cform = rng.choice(("plain", "2d"))
    rows = []
    for c in case.counts:
        rows.append({
            "ct": (f"{c.count:02d}" if cform == "2d" else str(c.count), "COUNT_NO"),
            "st": (sp.statute_short(c.statute), "STATUTE"),
            "desc": (c.description, None),
            "lv": (sp.level(c.level), "LEVEL"),
            "dispo": (sp.dispo(c, 20) if with_dispo and c.disposition != "pending" else "", "DISPOSITION"),
            "dt": (sp.date(c.disposition_date) if with_dispo and c.disposition_date else "", "DISPO_DATE"),
        })
    cols = ["ct", "st", "desc", "lv"] + (["dispo", "dt"] if with_dispo else [])
    heads = {"ct": lab["count"], "st": lab["statute"], "desc": lab["desc"], "lv": lab["level"],
             "dispo": lab["dispo"], "dt": lab["dispo_date"]}
    widths = {k: max([form.width(heads[k])] + [typed.width(r[k][0]) for r in rows]) + 36 for k in cols}
    widths["desc"] = max(200.0, (R - L) - sum(v for k, v in widths.items() if k != "desc"))
    if ruled:
        flow.gap(30)
        top = flow.y
        flow.line(L + 12, [("CHARGES", None)], Font(form.name, 34), 50, layer="form")
        x = L
        hy = flow.y
        for k in cols:
            flow.page.text(x + 12, hy + 38, heads[k], form, layer="form")
            x += widths[k]
        flow.y += 54
        flow.page.line(L, hy + 54, R, hy + 54, 3)
    else:
        flow.gap(20)
        top = None
    rh = 66 if ruled else 58
    for r in rows:
        if flow.need(rh) and ruled:
            top = flow.y
        x = L
        base = flow.y + rh * 0.7
        for k in cols:
            text, span = r[k]
            if k == "desc":
                while text and typed.width(text) > widths[k] - 30:
                    text = text[:-1]
            if text:
                flow.page.text(x + 14, base, text.strip(), typed, label=span, typed=tp)
            x += widths[k]
        flow.y += rh
        if ruled:
            flow.page.line(L, flow.y, R, flow.y, 2)
    if ruled and top is not None:
        x = L
        for k in cols:
            flow.page.line(x, top + 50, x, flow.y, 2)
            x += widths[k]
        flow.page.line(R, top + 50, R, flow.y, 2)
        flow.page.rect(L, top, R, flow.y, 3)
    else:
        flow.page.line(L, flow.y + 10, R, flow.y + 10, 3)
        flow.gap(20)


def _proceedings(flow: Flow, case: Case, sp: Speller, lab: dict, rng: random.Random, typed: Font, form: Font,
                 tp: bool, ruled: bool) -> None:
    entries = docket_entries(case, sp, rng, count_form=rng.choice(("plain", "2d")))
    flow.gap(40)
    title = rng.choice(("PROCEEDINGS", "DOCKET ENTRIES", "MINUTES", "DATE          PROCEEDINGS"))
    flow.line(L, title, Font("sans-bold", 34) if ruled else typed, 60, layer="form" if ruled else "type",
              typed=tp and not ruled)
    date_w = max(typed.width(sp.date(e.date)) for e in entries) + typed.width("M")
    lh = 58
    col = L + date_w + 20
    for e in entries:
        lines = wrap(e.parts, typed, R - col - 20)
        flow.need(lh * len(lines))
        base = flow.y + lh * 0.72
        flow.page.text(L + 10, base, sp.date(e.date), typed, label="DISPO_DATE" if e.disposes else "OTHER_DATE",
                       typed=tp)
        for i, ln in enumerate(lines):
            if i:
                flow.need(lh)
            flow.page.text(col, flow.y + lh * 0.72, ln, typed, typed=tp)
            if ruled:
                flow.page.line(L, flow.y + lh - 4, R, flow.y + lh - 4, 1)
            flow.page.line(col - 16, flow.y, col - 16, flow.y + lh, 2)
            flow.y += lh
    if ruled:
        for _ in range(rng.randint(2, 6)):
            if flow.y + lh > flow.bottom:
                break
            flow.page.line(L, flow.y + lh - 4, R, flow.y + lh - 4, 1)
            flow.page.line(col - 16, flow.y, col - 16, flow.y + lh, 2)
            flow.y += lh


def _remarks(flow: Flow, case: Case, sp: Speller, rng: random.Random, typed: Font, form: Font, tp: bool) -> None:
    notes = [prior_parts(p, sp, rng) for p in case.priors]
    if case.pc290:
        a, core, b = registration_text(rng)
        notes.append([(a, None), (core, "REGISTRATION"), (b, None)])
    if case.hs11590:
        notes.append([(hs11590_text(rng, sp), None)])
    if not notes:
        return
    flow.gap(30)
    flow.line(L, "REMARKS:", Font(form.name, 32), 56, layer="form")
    for n in notes:
        for ln in wrap(n, typed, R - L - 120):
            flow.line(L + 100, ln, typed, 56, typed=tp)
