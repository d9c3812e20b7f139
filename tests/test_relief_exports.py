"""Court outputs (motion CSV, orders PDF) and the explain/export commands, on made-up records."""
from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
from pathlib import Path

import pdfplumber
import pytest
import typer
from typer.testing import CliRunner

from ocr_service.cli_relief import register
from ocr_service.exports import MOTION_COLUMNS, county_of, write_motion_csv, write_orders_pdf
from relief import annotate_record


def _charge(count, code, section, disposition="convicted", date="1988-06-01", **kw):
    c = {"count": count, "code": code, "section": section, "subdivision": None, "attempt": False,
         "level": "felony", "disposition": disposition, "disposition_date": date, "confidence": 0.95,
         "relief": {"outcome": "not_applicable", "rule": "x"}}
    c.update(kw)
    return c


def _record(case_number, name, charges, *, court="Municipal Court of the Sample Judicial District, County of Los Angeles",
            flags=None):
    return {"schema_version": "1", "source": {"file": f"{case_number}.pdf"}, "case_number": case_number,
            "court": court, "defendant": {"name": name, "dob": "1960-02-03"}, "filing_date": "1988-03-01",
            "charges": charges, "flags": flags or {"pc290_registrant": False, "super_strike_prior": False},
            "relief": {"policy": "la-county", "outcome": "not_applicable"},
            "review": {"required": False, "reasons": []}, "confidence": 0.9}


@pytest.fixture
def records() -> list[dict]:
    return [
        _record("A100001", "SAMPLE, ALEX Q", [
            _charge(1, "HS", "11359"),
            _charge(2, "HS", "11357", subdivision="b", level="misdemeanor"),
            _charge(3, "PC", "459"),
        ]),
        _record("B200002", "TESTCASE, JORDAN", [_charge(1, "PC", "211")]),  # nothing to relieve
        _record("C300003", "EXEMPLAR, RIVER", [_charge(2, "HS", "11360", attempt=True, date="1991-09-09")]),
        {"schema_version": "1", "source": {"file": "bad.pdf"}, "error": {"code": "corrupt_file", "message": "m"}},
    ]


def _decided(records, policy="la-county"):
    return [annotate_record(r, policy) for r in records]


# --------------------------------------------------------------------------- motion CSV

def test_motion_csv_has_one_row_per_conviction_with_relief(records) -> None:
    buf = io.StringIO()
    n = write_motion_csv(_decided(records, "ca-statute"), buf)
    rows = list(csv.DictReader(io.StringIO(buf.getvalue())))
    assert n == 3 and len(rows) == 3
    assert tuple(rows[0]) == MOTION_COLUMNS
    got = [(r["case_number"], r["count"], r["statute"], r["outcome"], r["citation"]) for r in rows]
    assert got == [
        ("A100001", "1", "HS 11359", "redesignate", "HS 11361.8(f)"),
        ("A100001", "2", "HS 11357(b)", "dismiss_and_seal", "HS 11361.8(e)"),
        ("C300003", "2", "PC 664/HS 11360", "redesignate", "HS 11361.8(f)"),
    ]
    assert rows[0]["defendant"] == "SAMPLE, ALEX Q" and rows[0]["dob"] == "1960-02-03"
    assert rows[0]["conviction_date"] == "1988-06-01"


def test_motion_csv_does_not_let_a_cell_become_a_formula() -> None:
    rec = _decided([_record("=HYPERLINK(1)", "-SAMPLE", [_charge(1, "HS", "11357")])])
    buf = io.StringIO()
    write_motion_csv(rec, buf)
    row = next(csv.DictReader(io.StringIO(buf.getvalue())))
    assert row["case_number"] == "'=HYPERLINK(1)" and row["defendant"] == "'-SAMPLE"


# --------------------------------------------------------------------------- orders PDF

def test_orders_pdf_has_one_order_per_case_with_relief(records, tmp_path: Path) -> None:
    out = tmp_path / "orders.pdf"
    assert write_orders_pdf(_decided(records, "ca-statute"), out) == 2
    with pdfplumber.open(out) as pdf:
        pages = [p.extract_text() or "" for p in pdf.pages]
    assert len(pages) == 2  # each order fits on its own page
    first, second = pages
    for text in pages:
        assert "SUPERIOR COURT OF THE STATE OF CALIFORNIA" in text
        assert "FOR THE COUNTY OF LOS ANGELES" in text
        assert "THE PEOPLE OF THE STATE OF" in text and "Plaintiff," in text and "Defendant." in text
        assert "11361.8" in text and "Judge of the Superior Court" in text and "Dated:" in text
    assert "Case No. A100001" in first and "SAMPLE, ALEX Q" in first
    assert "HS 11359" in first and "HS 11357(b)" in first and "PC 459" not in first
    assert "DISMISSED" in first and "REDESIGNATED" in first and "1988-06-01" in first
    assert "Case No. C300003" in second and "PC 664/HS 11360" in second and "DISMISSED" not in second
    assert "TESTCASE" not in "".join(pages)


def test_orders_pdf_renders_to_a_printed_page(records, tmp_path: Path) -> None:
    assert shutil.which("pdftoppm"), "pdftoppm is missing: `make setup` installs poppler-utils"
    from PIL import Image

    out = tmp_path / "orders.pdf"
    write_orders_pdf(_decided(records), out)
    subprocess.run(["pdftoppm", "-r", "50", "-png", "-f", "1", "-l", "1", str(out), str(tmp_path / "p")], check=True)
    img = Image.open(next(tmp_path.glob("p*.png"))).convert("L")
    assert img.size[0] < img.size[1]  # portrait letter page
    dark = sum(img.histogram()[:128])
    assert 0.005 < dark / (img.size[0] * img.size[1]) < 0.2  # ink, but not a black page


def test_orders_pdf_without_relief_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "none.pdf"
    assert write_orders_pdf(_decided([_record("B1", "TESTCASE, J", [_charge(1, "PC", "211")])]), out) == 0
    assert not out.exists()


def test_orders_pdf_survives_names_outside_latin1_and_unknown_county(tmp_path: Path) -> None:
    rec = _record("D4", "NGUY\u1ec4N, AN \u0141", [_charge(1, "HS", "11357")], court="Justice Court")
    out = tmp_path / "o.pdf"
    assert write_orders_pdf(_decided([rec]), out) == 1
    with pdfplumber.open(out) as pdf:
        text = pdf.pages[0].extract_text()
    assert "NGUYEN, AN" in text and "FOR THE COUNTY OF ____" in text


def test_county_of() -> None:
    assert county_of("Municipal Court of the Sample Judicial District, County of Los Angeles") == "LOS ANGELES"
    assert county_of("SUPERIOR COURT OF CALIFORNIA, COUNTY OF SAN BERNARDINO") == "SAN BERNARDINO"
    assert county_of("Justice Court") is None


# --------------------------------------------------------------------------- commands

@pytest.fixture
def cli() -> typer.Typer:
    app = typer.Typer()
    register(app)
    return app


@pytest.fixture
def results(records, tmp_path: Path) -> Path:
    path = tmp_path / "results.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in _decided(records)))
    return path


def test_explain_a_case_by_number(cli, results) -> None:
    res = CliRunner().invoke(cli, ["explain", "a100001", "--results", str(results)])
    assert res.exit_code == 0, res.output
    out = res.output
    assert "Case A100001" in out and "Case outcome: dismiss_and_seal" in out
    assert "rule la-county/cannabis-conviction" in out and "citation HS 11361.8(e)" in out
    assert "la-county/not-a-conviction" in out and "DECIDES -> dismiss_and_seal" in out
    assert "[yes] convicted before 2016-11-09 (1988-06-01)" in out
    assert "C300003" not in out


def test_explain_a_file_as_json_under_another_policy(cli, results) -> None:
    res = CliRunner().invoke(cli, ["explain", str(results), "--json", "--policy", "ca-statute"])
    assert res.exit_code == 0, res.output
    lines = [json.loads(x) for x in res.output.splitlines()]
    assert len(lines) == 4 and lines[3]["error"]["code"] == "corrupt_file"
    first = lines[0]
    assert first["policy"] == "ca-statute" and first["outcome"] == "dismiss_and_seal"
    c1 = first["charges"][0]
    assert (c1["outcome"], c1["rule"]) == ("redesignate", "ca-statute/sale-transport")
    assert c1["trace"][-1]["matched"] is True and c1["trace"][0]["findings"]


def test_explain_usage_errors_exit_2(cli, results, tmp_path) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["explain", "Z999", "--results", str(results)]).exit_code == 2
    assert runner.invoke(cli, ["explain", str(tmp_path / "missing.jsonl")]).exit_code == 2
    assert runner.invoke(cli, ["explain", str(results), "--policy", "no-such-county"]).exit_code == 2


def test_export_motion_csv_recomputes_under_the_policy(cli, results, tmp_path) -> None:
    out = tmp_path / "motion.csv"
    res = CliRunner().invoke(cli, ["export", "--format", "motion-csv", "--results", str(results), "--out", str(out),
                                   "--policy", "ca-statute"])
    assert res.exit_code == 0, res.output
    rows = list(csv.DictReader(out.open(newline="")))
    assert [r["outcome"] for r in rows] == ["redesignate", "dismiss_and_seal", "redesignate"]


def test_export_with_a_county_policy_file(cli, results, tmp_path) -> None:
    out = tmp_path / "motion.csv"
    policy = Path(__file__).parent / "policies" / "example-county.yaml"
    res = CliRunner().invoke(cli, ["export", "--format", "motion-csv", "--results", str(results), "--out", str(out),
                                   "--policy", str(policy), "--as-of", "2021-01-01"])
    assert res.exit_code == 0, res.output
    rows = list(csv.DictReader(out.open(newline="")))
    # Example County reviews 11359 by hand and excludes 11360 from 2020-07-01: only possession remains.
    assert [(r["case_number"], r["statute"], r["rule"]) for r in rows] == [
        ("A100001", "HS 11357(b)", "example-county/dismiss")]


def test_export_orders_pdf(cli, results, tmp_path) -> None:
    out = tmp_path / "orders.pdf"
    res = CliRunner().invoke(cli, ["export", "--format", "orders-pdf", "--results", str(results), "--out", str(out)])
    assert res.exit_code == 0, res.output
    with pdfplumber.open(out) as pdf:
        assert len(pdf.pages) == 2
    bad = CliRunner().invoke(cli, ["export", "--format", "orders-pdf", "--results", str(results), "--out", "-"])
    assert bad.exit_code == 2
