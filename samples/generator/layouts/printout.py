"""Layout 3: a mainframe case printout in fixed-width columns.

Variants: `greenbar` (dot-matrix on fan-fold green-bar paper with tractor holes), `bluebar`
(the same on blue-striped stock, strips torn off), `blocks` (one block of fields per count) and
`laser` (a plain fixed-width print, also used for born-digital PDFs).
"""
from __future__ import annotations

import datetime as dt
import random

from ..canvas import Font, PageCanvas, Paper, Style
from ..content import Case
from ..spellings import Speller, money
from .common import Flow, Parts, court_text, hs11590_text, merge, name_text, registration_text

SYSTEMS = (("MCIS", "CMX410"), ("CJIS/LA", "DKT200"), ("TRACS", "TR-CH1"), ("LACRIS", "CRS-07"),
           ("CCMS", "CR311"))
TITLES = ("CRIMINAL CASE HISTORY INQUIRY", "CASE INDEX - DEFENDANT HISTORY", "DOCKET ABSTRACT",
          "CASE DISPOSITION REPORT", "CRIMINAL INDEX PRINT")


def cell(text: str, width: int, label: str | None = None, right: bool = False) -> Parts:
    """A fixed-width field: the text (labelled) padded with spaces to `width` characters (one kept blank)."""
    text = text[:max(0, width - 1)] if width else text
    pad = " " * (width - len(text))
    return [(pad, None), (text, label)] if right else [(text, label), (pad, None)]


def render(case: Case, rng: random.Random, style: Style) -> tuple[list[PageCanvas], str]:
    variant = "laser" if style.digital else rng.choice(("greenbar", "greenbar", "bluebar", "blocks", "laser"))
    years = [case.filing_date.year] + [c.disposition_date.year for c in case.counts if c.disposition_date]
    sp = Speller.draw(rng, years, compact=True)
    sp.statute_shape = rng.choice(("sec_code", "code_sec", "code_nospace", "code_dash"))
    cpi, lpi = rng.choice(((10, 6), (12, 6), (12, 8), (15, 8)))
    lh = 300 / lpi
    dotm = variant in ("greenbar", "bluebar") or (variant == "blocks" and rng.random() < 0.6)
    fname = "dejamono-bold" if dotm else rng.choice(("dejamono", "libmono"))
    font = Font(fname, int(round(min(300 / cpi / 0.602, lh * 0.86))))
    adv = font.char_width()
    strips = variant == "greenbar" or (variant == "blocks" and rng.random() < 0.5)
    width = 2850 if strips else 2550
    height = 3300
    left = (150 if strips else 0) + rng.choice((120, 150, 180))
    ncols = int((width - (150 if strips else 0) - left - 90) // adv)
    if dotm and not style.digital:
        style.dot_matrix = True
        style.dot_pitch = max(2.6, adv / 8.5)
        style.inks["type"] = rng.choice(((40, 40, 45), (60, 60, 70), (30, 30, 60)))
    bands: tuple = ()
    band_color = (214, 236, 214) if variant != "bluebar" else (212, 226, 244)
    if variant in ("greenbar", "bluebar") or (variant == "blocks" and strips):
        top0 = rng.choice((0, 75, 150))
        bands = tuple((y, y + 150) for y in range(top0, height, 300))
    holes = tuple((75, y, 24) for y in range(75, height, 150)) + \
        tuple((width - 75, y, 24) for y in range(75, height, 150)) if strips else ()
    paper = Paper(color=(255, 255, 255) if style.digital else (249, 250, 246), bands=bands, band_color=band_color,
                  holes=holes, perforations=(150.0, width - 150.0) if strips else (),
                  texture=0 if style.digital else 0.5)
    system, pgm = rng.choice(SYSTEMS)
    title = rng.choice(TITLES)
    last = max([c.disposition_date for c in case.counts if c.disposition_date] + [e.date for e in case.events])
    run = last + dt.timedelta(days=rng.randint(30, 3000))
    run_txt = sp.date(run)
    court = court_text(case, rng, short=rng.random() < 0.6)
    tp = False

    def new_page(n: int) -> tuple[PageCanvas, float]:
        page = PageCanvas(width, height, number=n, paper=paper)
        y = rng.choice((150, 200)) + lh * 0.72
        head = cell(f"{system} {pgm}", 18) + cell("COUNTY OF LOS ANGELES", ncols - 18 - 16) + \
            cell(f"PAGE {n:04d}", 16, right=True)
        page.text(left, y, merge(head), font)
        y += lh
        page.text(left, y, merge(cell("RUN", 4) + cell(run_txt, 14, "OTHER_DATE") +
                                  cell(court, ncols - 18, "COURT")), font)
        y += lh
        page.text(left, y, " " * 18 + title, font)
        y += lh
        page.text(left, y, "=" * ncols, font)
        return page, y + lh * 0.28

    flow = Flow(new_page, bottom=height - 200)
    def put(parts: Parts | str) -> None:
        flow.line(left, merge([(parts, None)] if isinstance(parts, str) else parts), font, lh, typed=tp)

    name = name_text(case, rng)
    case_lab = rng.choice(("CASE:", "CASE NO:", "CASE#", "DKT:"))
    put(cell(case_lab, len(case_lab) + 1) + cell(case.case_number, 12, "CASE_NUMBER") +
        cell(rng.choice(("FILED:", "FILE DT:", "FILING:")), 10) + cell(sp.date(case.filing_date), 12, "FILING_DATE") +
        cell("DEPT:", 6) + cell(case.dept, 4))
    dob = [] if not case.dob else cell(rng.choice(("DOB:", "BIRTH:", "BD:")), 7) + cell(sp.date(case.dob), 12, "DOB")
    put(cell(rng.choice(("DEFT:", "NAME:", "DEFENDANT:")), 11) + cell(name, 32, "DEFENDANT") + dob)
    row = cell("BKG:", 5) + cell(case.booking_no, 10, "BOOKING_NO") + cell("CII:", 5) + cell(case.cii_no, 11, "CII_NO")
    row += cell("DR:", 4) + cell(case.dr_no, 13, "DR_NO")
    put(row)
    row = cell("AGCY:", 6) + cell(case.agency, 18)
    if case.bail:
        row += cell("BAIL:", 6) + cell(money(case.bail), 10, "BAIL")
    row += cell("ARREST:", 8) + cell(sp.date(case.arrest_date), 12, "OTHER_DATE")
    put(row)
    put("-" * ncols)
    if variant == "blocks":
        _blocks(case, sp, rng, put)
    else:
        _table(case, sp, rng, put, ncols)
    put("-" * ncols)
    _events(case, sp, rng, put, ncols)
    _notes(case, sp, rng, put, ncols)
    flow.gap(lh)
    put(" " * max(0, ncols // 2 - 12) + rng.choice(("*** END OF DISPLAY ***", "** END OF REPORT **", "*** END ***")))
    return flow.pages, variant


def _table(case: Case, sp: Speller, rng: random.Random, put, ncols: int) -> None:
    w_ct, w_st, w_lv, w_dp, w_dt = 4, 19, 5, 17, 12
    w_desc = max(8, ncols - (w_ct + w_st + w_lv + w_dp + w_dt))
    heads = rng.choice((("CT", "VIOLATION", "LV", "DESCRIPTION", "DISPOSITION", "DISP-DT"),
                        ("CNT", "STATUTE", "F/M", "LITERAL", "DISPO", "DATE"),
                        ("SEQ", "CHARGE", "GR", "OFFENSE DESC", "DISP CODE", "DISP DATE")))
    put(cell(heads[0], w_ct) + cell(heads[1], w_st) + cell(heads[2], w_lv) + cell(heads[3], w_desc) +
        cell(heads[4], w_dp) + cell(heads[5], w_dt))
    put(cell("-" * (w_ct - 1), w_ct) + cell("-" * (w_st - 1), w_st) + cell("-" * (w_lv - 1), w_lv) +
        cell("-" * (w_desc - 1), w_desc) + cell("-" * (w_dp - 1), w_dp) + cell("-" * (w_dt - 1), w_dt))
    fmt = rng.choice(("{:02d}", "{:03d}", "{}"))
    for c in case.counts:
        dp = sp.dispo(c, w_dp - 1) if c.disposition != "pending" or rng.random() < 0.5 else ""
        dt_txt = sp.date(c.disposition_date) if c.disposition_date else ""
        put(cell(fmt.format(c.count), w_ct, "COUNT_NO") + cell(sp.statute_short(c.statute), w_st, "STATUTE") +
            cell(sp.level(c.level), w_lv, "LEVEL") + cell(c.description, w_desc) +
            cell(dp, w_dp, "DISPOSITION") + cell(dt_txt, w_dt, "DISPO_DATE"))


def _blocks(case: Case, sp: Speller, rng: random.Random, put) -> None:
    for c in case.counts:
        put(cell("COUNT:", 7) + cell(f"{c.count:02d}", 5, "COUNT_NO") + cell("VIOL:", 6) +
            cell(sp.statute_short(c.statute), 20, "STATUTE") + cell("LEVEL:", 7) + cell(sp.level(c.level), 6, "LEVEL"))
        put(cell("", 4) + cell("DESC:", 6) + cell(c.description, 40))
        dp = sp.dispo(c, 18) if c.disposition != "pending" else "PENDING"
        row = cell("", 4) + cell("DISPO:", 7) + cell(dp, 20, "DISPOSITION")
        if c.disposition_date:
            row += cell("DISPO DT:", 10) + cell(sp.date(c.disposition_date), 12, "DISPO_DATE")
        put(row)


def _events(case: Case, sp: Speller, rng: random.Random, put, ncols: int) -> None:
    if rng.random() < 0.35:
        return
    put("CASE EVENTS:")
    kinds = {"arraign": "ARRAIGNED - NG PLEA", "continue": "CONTINUED", "prelim": "PRELIM - HELD TO ANSWER",
             "bail": "BAIL MODIFIED", "motion": "MOTION DENIED", "sentence": "SENTENCED", "warrant": "BW ISSUED - FTA"}
    for e in case.events:
        put(cell("", 2) + cell(sp.date(e.date), 12, "OTHER_DATE") + cell(kinds.get(e.kind, "MINUTE ENTRY"), 30))


def _notes(case: Case, sp: Speller, rng: random.Random, put, ncols: int) -> None:
    for p in case.priors:
        put(cell("PRIOR:", 7) + cell(sp.statute_short(p.statute), 20, "PRIOR") + cell(sp.date(p.date), 12, "OTHER_DATE")
            + cell(p.case_number, 10))
    if case.pc290:
        a, core, b = registration_text(rng)
        put([("NOTE: ", None), (a, None), (core, "REGISTRATION"), (b, None)])
    if case.hs11590:
        put("NOTE: " + hs11590_text(rng, sp))
