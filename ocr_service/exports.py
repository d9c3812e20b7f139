"""Court outputs from decided case records: the bulk-motion CSV and a printable PDF of orders.

Both read contract case records (dicts) whose charges carry `relief` (see `relief.annotate_record`).
Only convictions granted relief (dismiss_and_seal, redesignate) appear; error records are skipped.
"""
from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, TextIO

from fpdf import FPDF
from fpdf.enums import XPos, YPos

RELIEF_OUTCOMES = ("dismiss_and_seal", "redesignate")
RELIEF_WORDS = {"dismiss_and_seal": "Dismiss and seal", "redesignate": "Redesignate as misdemeanor"}

MOTION_COLUMNS = (
    "case_number", "defendant", "dob", "count", "statute", "level", "conviction_date",
    "outcome", "relief", "citation", "rule", "court", "source_file",
)


# --------------------------------------------------------------------------- shared helpers

def statute_text(charge: Mapping[str, Any]) -> str:
    """"HS 11359(b)", or "PC 664/HS 11359" for an attempt."""
    code, section = charge.get("code") or "?", charge.get("section") or "?"
    sub = f"({charge['subdivision']})" if charge.get("subdivision") else ""
    return f"{'PC 664/' if charge.get('attempt') else ''}{code} {section}{sub}"


def relieved_charges(record: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The record's convictions granted relief, in count order."""
    if record.get("error"):
        return []
    out = [c for c in record.get("charges") or []
           if isinstance(c, Mapping) and (c.get("relief") or {}).get("outcome") in RELIEF_OUTCOMES]
    return sorted(out, key=lambda c: (c.get("count") is None, c.get("count") or 0))


def _safe_cell(value: Any) -> Any:
    """Keep a spreadsheet from running a cell as a formula (=, +, -, @ at the start of text)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


# --------------------------------------------------------------------------- motion CSV

def motion_rows(records: Iterable[Mapping[str, Any]]) -> Iterator[dict[str, Any]]:
    """One row per conviction granted relief, in the order of the records and their counts."""
    for rec in records:
        dfd = rec.get("defendant") or {}
        for c in relieved_charges(rec):
            relief = c.get("relief") or {}
            yield {
                "case_number": rec.get("case_number") or "",
                "defendant": dfd.get("name") or "",
                "dob": dfd.get("dob") or "",
                "count": c.get("count") if c.get("count") is not None else "",
                "statute": statute_text(c),
                "level": c.get("level") or "",
                "conviction_date": c.get("disposition_date") or "",
                "outcome": relief.get("outcome"),
                "relief": RELIEF_WORDS[relief["outcome"]],
                "citation": relief.get("citation") or "",
                "rule": relief.get("rule") or "",
                "court": rec.get("court") or "",
                "source_file": (rec.get("source") or {}).get("file") or "",
            }


def write_motion_csv(records: Iterable[Mapping[str, Any]], out: TextIO) -> int:
    """Write the bulk-motion table (header + one row per relieved conviction); returns the row count."""
    writer = csv.DictWriter(out, fieldnames=list(MOTION_COLUMNS), lineterminator="\r\n")
    writer.writeheader()
    n = 0
    for row in motion_rows(records):
        writer.writerow({k: _safe_cell(v) for k, v in row.items()})
        n += 1
    return n


# --------------------------------------------------------------------------- orders PDF

def _latin1(text: Any) -> str:
    """Text the PDF core fonts can draw: accents kept where Latin-1 has them, others simplified."""
    s = str(text if text is not None else "")
    s = s.replace("\u2014", "-").replace("\u2013", "-").replace("\u2018", "'").replace("\u2019", "'")
    s = s.replace("\u201c", '"').replace("\u201d", '"')
    try:
        s.encode("latin-1")
        return s
    except UnicodeEncodeError:
        plain = unicodedata.normalize("NFKD", s)
        return "".join(ch for ch in plain if not unicodedata.combining(ch)).encode("latin-1", "replace").decode("latin-1")


def county_of(court: str | None) -> str | None:
    """'... County of Los Angeles' -> 'LOS ANGELES'; None when the court text does not say."""
    m = re.search(r"COUNTY\s+OF\s+([A-Z][A-Z .'-]*[A-Z])", court or "", re.IGNORECASE)
    return m.group(1).upper() if m else None


def _counts(charges: list[Mapping[str, Any]]) -> str:
    nums = [str(c.get("count")) for c in charges if c.get("count") is not None]
    if not nums:
        return "the conviction" + ("s" if len(charges) > 1 else "")
    return ("count " if len(nums) == 1 else "counts ") + (", ".join(nums[:-1]) + " and " + nums[-1] if len(nums) > 1 else nums[0])


class _OrderPdf(FPDF):
    def footer(self) -> None:
        self.set_y(-12.7)
        self.set_font("Times", "", 8)
        self.cell(0, 4, _latin1(getattr(self, "footer_text", "")), align="C")


def _caption(pdf: _OrderPdf, rec: Mapping[str, Any], county: str | None, title: str) -> None:
    width = pdf.w - pdf.l_margin - pdf.r_margin
    pdf.set_font("Times", "B", 12)
    pdf.cell(0, 6, "SUPERIOR COURT OF THE STATE OF CALIFORNIA", align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.cell(0, 6, _latin1(f"FOR THE COUNTY OF {county}" if county else "FOR THE COUNTY OF ____________________"),
             align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)
    left_w = width * 0.55
    top = pdf.get_y()
    name = (rec.get("defendant") or {}).get("name") or "____________________"
    pdf.set_font("Times", "", 12)
    pdf.multi_cell(left_w - 4, 6, _latin1(
        f"THE PEOPLE OF THE STATE OF CALIFORNIA,\n        Plaintiff,\n    v.\n{name},\n        Defendant."),
        align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    bottom = pdf.get_y() + 2
    pdf.line(pdf.l_margin + left_w, top, pdf.l_margin + left_w, bottom)
    pdf.line(pdf.l_margin, bottom, pdf.l_margin + left_w, bottom)
    pdf.set_xy(pdf.l_margin + left_w + 4, top)
    pdf.set_font("Times", "B", 12)
    pdf.multi_cell(width - left_w - 4, 6, _latin1(f"Case No. {rec.get('case_number') or '__________'}"),
                   align="L", new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.ln(3)
    pdf.set_x(pdf.l_margin + left_w + 4)
    pdf.multi_cell(width - left_w - 4, 6, _latin1(title), align="L", new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_font("Times", "", 11)
    pdf.set_x(pdf.l_margin + left_w + 4)
    pdf.multi_cell(width - left_w - 4, 5, "(Health and Safety Code section 11361.8)", align="L",
                   new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_xy(pdf.l_margin, max(bottom, pdf.get_y()) + 5)


def _table(pdf: _OrderPdf, charges: list[Mapping[str, Any]]) -> None:
    width = pdf.w - pdf.l_margin - pdf.r_margin
    cols = [("Count", 0.07), ("Statute", 0.18), ("Level", 0.15), ("Convicted", 0.14), ("Relief", 0.28),
            ("Authority", 0.18)]
    pdf.set_font("Times", "B", 10)
    for label, frac in cols:
        pdf.cell(width * frac, 7, label, border=1, align="C")
    pdf.ln()
    pdf.set_font("Times", "", 10)
    for c in charges:
        relief = c.get("relief") or {}
        cells = [str(c.get("count") if c.get("count") is not None else ""), statute_text(c),
                 c.get("level") or "", c.get("disposition_date") or "", RELIEF_WORDS[relief["outcome"]],
                 relief.get("citation") or ""]
        for (_, frac), text in zip(cols, cells):
            pdf.cell(width * frac, 7, _latin1(text), border=1, align="C")
        pdf.ln()
    pdf.ln(4)


def _order_text(rec: Mapping[str, Any], charges: list[Mapping[str, Any]]) -> list[str]:
    dismiss = [c for c in charges if c["relief"]["outcome"] == "dismiss_and_seal"]
    redesig = [c for c in charges if c["relief"]["outcome"] == "redesignate"]
    paras = [
        "The People have reviewed this case as Health and Safety Code section 11361.9 provides and do not "
        "challenge relief. On the record before it, the Court finds that the conviction(s) listed below, "
        "entered before November 9, 2016, qualify for relief under Health and Safety Code section 11361.8, "
        "subdivisions (e) and (f), as amended or added by Proposition 64 (2016).",
        "IT IS ORDERED:",
    ]
    n = 1
    if dismiss:
        paras.append(f"{n}. The conviction(s) in {_counts(dismiss)} are DISMISSED as legally invalid, and the "
                     "records of those convictions are SEALED (Health and Safety Code section 11361.8).")
        n += 1
    if redesig:
        paras.append(f"{n}. The conviction(s) in {_counts(redesig)} are REDESIGNATED as misdemeanors "
                     "(Health and Safety Code section 11361.8) and are misdemeanors for all purposes.")
        n += 1
    paras.append(f"{n}. The clerk shall enter this order in the case file and report it to the Department of "
                 "Justice so that the defendant's criminal history record is updated.")
    return paras


def _title(charges: list[Mapping[str, Any]]) -> str:
    kinds = {c["relief"]["outcome"] for c in charges}
    if kinds == {"dismiss_and_seal"}:
        return "ORDER DISMISSING AND SEALING CANNABIS CONVICTION(S)"
    if kinds == {"redesignate"}:
        return "ORDER REDESIGNATING CANNABIS CONVICTION(S) AS MISDEMEANOR(S)"
    return "ORDER DISMISSING AND SEALING, AND REDESIGNATING, CANNABIS CONVICTIONS"


def _order(pdf: _OrderPdf, rec: Mapping[str, Any], charges: list[Mapping[str, Any]], county: str | None) -> None:
    pdf.add_page()  # draws the previous page's footer, so the footer text changes after it
    pdf.footer_text = f"People v. {(rec.get('defendant') or {}).get('name') or ''}, Case No. {rec.get('case_number') or ''}"
    _caption(pdf, rec, county or county_of(rec.get("court")), _title(charges))
    dfd = rec.get("defendant") or {}
    pdf.set_font("Times", "", 11)
    facts = [f"Defendant: {dfd.get('name') or 'not shown'}    Date of birth: {dfd.get('dob') or 'not shown'}"]
    if rec.get("court"):
        facts.append(f"Court of conviction: {rec['court']}")
    if rec.get("filing_date"):
        facts.append(f"Filed: {rec['filing_date']}")
    for line in facts:
        pdf.multi_cell(0, 5.5, _latin1(line), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)
    paras = _order_text(rec, charges)
    pdf.set_font("Times", "", 12)
    pdf.multi_cell(0, 5.5, _latin1(paras[0]), align="J", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)
    _table(pdf, charges)
    pdf.set_font("Times", "B", 12)
    pdf.multi_cell(0, 5.5, paras[1], new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("Times", "", 12)
    for p in paras[2:]:
        pdf.ln(1.5)
        pdf.multi_cell(0, 5.5, _latin1(p), align="J", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if pdf.get_y() > pdf.h - pdf.b_margin - 42:  # keep the signature block whole, and say whose it is
        pdf.add_page()
        pdf.set_font("Times", "I", 11)
        pdf.multi_cell(0, 6, _latin1(f"(Order continued: People v. {dfd.get('name') or ''}, "
                                     f"Case No. {rec.get('case_number') or ''}.)"),
                       new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font("Times", "", 12)
    pdf.ln(14)
    width = pdf.w - pdf.l_margin - pdf.r_margin
    y = pdf.get_y()
    pdf.cell(width * 0.4, 6, "Dated: ____________________")
    pdf.set_xy(pdf.l_margin + width * 0.45, y)
    pdf.cell(width * 0.55, 6, "_______________________________________", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_x(pdf.l_margin + width * 0.45)
    pdf.cell(width * 0.55, 6, "Judge of the Superior Court", align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def write_orders_pdf(records: Iterable[Mapping[str, Any]], out_path: str | Path, *, county: str | None = None) -> int:
    """One order per case with relief (dismissal and sealing, redesignation), each from a new page.

    `county` names the Superior Court's county in the caption; by default it is read from each record's
    court ("... County of Los Angeles"), and left as a blank line for the clerk when the record does not
    say. Returns the number of orders; when it is 0 no file is written.
    """
    pdf = _OrderPdf(orientation="P", unit="mm", format="Letter")
    pdf.set_margins(25.4, 19, 25.4)
    pdf.set_auto_page_break(True, margin=18)
    pdf.set_title("Orders under Health and Safety Code section 11361.8")
    pdf.set_creator("cleardocket")
    n = 0
    for rec in records:
        charges = relieved_charges(rec)
        if charges:
            _order(pdf, rec, charges, county)
            n += 1
    if n:
        pdf.output(str(out_path))
    return n
