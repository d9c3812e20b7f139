"""`cleardocket corrections export`: reviewers' corrections become NER training documents that the model's
own converter (models/scripts/to_docbin.py) reads. Real pipeline on a sample scan, real corrections."""
from __future__ import annotations

import gzip
import json
import sys

import pytest
import typer
from typer.testing import CliRunner

from extractors.document import DocText
from ocr_service.api import schemas
from ocr_service.api.routes.cases import correct_case
from ocr_service.auth import create_key
from ocr_service.cli_corrections import Labelled, export, label_record, register
from ocr_service.storage import repo
from ocr_service.storage.context import Services, ServiceSettings
from ocr_service.workers.local import drain
from tests.conftest import ROOT, page_from_text

SAMPLE = ROOT / "samples" / "scans" / "sample_00010.pdf"  # a PDF with a text layer: read in well under a second


def _evidence(doc: DocText, needle: str) -> dict:
    ln = next(ln for ln in doc.lines if needle in ln.text)
    ws = ln.line.words
    return {"page": ln.page, "bbox": [min(w.bbox[0] for w in ws), min(w.bbox[1] for w in ws),
                                      max(w.bbox[2] for w in ws), max(w.bbox[3] for w in ws)]}


def test_label_record_places_each_corrected_value_once_and_reports_the_rest():
    page = page_from_text(
        "MUNICIPAL COURT OF EXAMPLE JUDICIAL DISTRICT\n"
        "CASE NO. A123456   FILED 03/01/88\n"
        "DEFENDANT: DOE, JOHN M   DOB 04/02/61\n"
        "01  11359 HS   F  POSS MJ FOR SALE   CONVICTED  06/01/88\n"
        "02  11357(B) HS   M  POSS MJ   DISMISSED  06/01/88\n"
        "PRIORS: PC 459 04/01/80\n"
        "DEFT ADVISED OF DUTY TO REGISTER PER PC 290")
    doc = DocText([page])
    record = {
        "case_number": "A123456", "defendant": {"name": "DOE, JOHN M", "dob": "1961-04-02"},
        "filing_date": "1988-03-01", "flags": {"pc290_registrant": True},
        "priors": [{"code": "PC", "section": "459"}],
        "charges": [
            {"count": 1, "code": "HS", "section": "11359", "attempt": False, "level": "felony",
             "disposition": "convicted", "disposition_date": "1988-06-01", "evidence": _evidence(doc, "11359")},
            {"count": 2, "code": "HS", "section": "11357", "subdivision": "b", "attempt": False, "level": "misdemeanor",
             "disposition": "acquitted", "disposition_date": "1988-06-01", "evidence": _evidence(doc, "11357")}]}
    got = label_record(doc, record)
    text = {label: sorted(doc.text[s:e] for s, e, lab in got.spans if lab == label) for label in
            {lab for _, _, lab in got.spans}}
    assert text["CASE_NUMBER"] == ["A123456"]
    assert text["DEFENDANT"] == ["DOE, JOHN M"]  # the label word stays out
    assert text["DOB"] == ["04/02/61"] and text["FILING_DATE"] == ["03/01/88"]
    assert text["STATUTE"] == ["11357(B) HS", "11359 HS"]
    assert text["COUNT_NO"] == ["01", "02"]
    assert text["LEVEL"] == ["F", "M"]
    assert text["DISPOSITION"] == ["CONVICTED"]  # count 2 reads DISMISSED, not the corrected "acquitted"
    assert text["DISPO_DATE"] == ["06/01/88", "06/01/88"]
    assert text["PRIOR"] == ["PC 459"]
    assert text["REGISTRATION"] == ["REGISTER PER PC 290"]
    assert got.unplaced == ["DISPOSITION"]


def test_labelled_refuses_an_ambiguous_single_value():
    got = Labelled()
    got.add("DISPO_DATE", [(1, 5), (9, 13)], many=False)
    got.add("CASE_NUMBER", [(20, 27), (40, 47)], many=True)
    assert got.unplaced == ["DISPO_DATE"] and len(got.spans) == 2


@pytest.fixture(scope="module")
def corrected(tmp_path_factory):
    """Services with the sample processed by the real pipeline and corrected by a reviewer."""
    data = tmp_path_factory.mktemp("export")
    services = Services(ServiceSettings(data_dir=data))
    services.db.migrate()
    from fastapi.testclient import TestClient

    from ocr_service.api.app import create_app

    app = create_app(ServiceSettings(data_dir=data))
    with TestClient(app) as client, services.db.write() as s:
        up = create_key(s, role="uploader", name="unit").token
        reviewer = create_key(s, role="reviewer", name="Export reviewer").principal
    with TestClient(app) as client:
        r = client.post("/v1/batches", files=[("files", (SAMPLE.name, SAMPLE.read_bytes(), "application/pdf"))],
                        headers={"Authorization": f"Bearer {up}"})
        assert r.status_code == 202
    assert drain(services) == 1
    with services.db.read() as s:
        (case,), _ = repo.list_cases(s)
    fields = {"charges[0].disposition": "dismissed", "charges[0].disposition_date": "1978-07-10",
              "charges[1].disposition": "convicted", "charges[1].disposition_date": "1978-07-10"}
    charges = case.record["charges"]
    before = {f"charges[{i}].{k}": charges[i].get(k) for i in (0, 1) for k in ("disposition", "disposition_date")}
    # correct what the pipeline did not already read right (as the pipeline improves, less is left)
    fields = {k: v for k, v in fields.items() if before[k] != v} or fields
    correct_case(case.id, schemas.CorrectionIn(fields=fields, note="read from the printout"), services, reviewer)
    yield services, case.id, (fields, before)
    services.db.dispose()


def test_export_writes_corpus_lines_the_model_converter_reads(corrected, tmp_path):
    services, case_id, (fields, before) = corrected
    out = tmp_path / "corrections.jsonl.gz"
    stats = export(services, out)
    assert stats.cases == stats.written == 1
    (line,) = [json.loads(x) for x in gzip.open(out, "rt")]
    assert line["seed"] == "review" and line["index"] == case_id
    assert {c["field"]: (c["before"], c["after"]) for c in line["corrections"]} == {
        k: (before[k], v) for k, v in fields.items()}
    assert all(c["evidence"]["page"] == 1 and len(c["evidence"]["bbox"]) == 4 for c in line["corrections"])
    doc = DocText([_page(p) for p in line["pages"]])
    labelled = {}
    for s, e, label in line["spans"]:
        labelled.setdefault(label, []).append(doc.text[s:e])
    assert labelled["CASE_NUMBER"] == ["78M67311"]
    assert any("11357" in t for t in labelled["STATUTE"]) and any("4140" in t for t in labelled["STATUTE"])
    assert sorted(t[:4] for t in labelled["DISPOSITION"]) == ["CONV", "DISM"]
    assert labelled["DISPO_DATE"] == ["07-10-78", "07-10-78"]  # one per count, each on its DISPO line
    assert line["missed"] == len(line["unplaced"])

    # the model's own converter turns it into a spaCy doc with the same spans
    sys.path.insert(0, str(ROOT / "models" / "scripts"))
    try:
        from ocr_tokens import blank  # noqa: PLC0415
        from to_docbin import record_to_doc  # noqa: PLC0415
    finally:
        sys.path.remove(str(ROOT / "models" / "scripts"))
    sdoc, _ = record_to_doc(blank(), line)
    assert sdoc.text == doc.text
    assert sorted(s.label_ for s in sdoc.spans["sc"]) == sorted(lab for _, _, lab in line["spans"])
    with services.db.read() as s:
        entries, _ = repo.list_audit(s, action="export")
    assert entries[0].detail == {"format": "ner-corpus", "cases": 1}


def _page(d):
    from extractors.types import OcrPage, Word

    return OcrPage(d["number"], d["width"], d["height"],
                   tuple(Word(t, (x0, y0, x1, y1), c, ln, b) for t, x0, y0, x1, y1, c, ln, b in d["words"]))


def test_corrections_export_command(corrected, tmp_path, monkeypatch):
    services, _, _ = corrected
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """cleardocket"""

    register(app)
    monkeypatch.setenv("CLEARDOCKET_DATA_DIR", str(services.settings.data_dir))
    out = tmp_path / "c.jsonl"
    r = CliRunner().invoke(app, ["corrections", "export", "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert "1 of 1 corrected cases written" in r.output
    assert len(out.read_text().splitlines()) == 1
    r = CliRunner().invoke(app, ["corrections", "export"])
    assert r.exit_code == 2  # --out is required

