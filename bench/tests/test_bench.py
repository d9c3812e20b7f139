"""Tests of the benchmark's own machinery: measuring, summarising, report files, synthetic records.

Run with `.venv/bin/python -m pytest -q bench/tests` (the project's testpaths is tests/).
"""
from __future__ import annotations

import json
import os
import random
import sys
from pathlib import Path

import pytest

from bench import measure
from bench.report import (
    SERVICE_END,
    SERVICE_START,
    Figures,
    Targets,
    render_markdown,
    service_section,
    stage_table,
    verdict,
    with_service_section,
)

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = Path(os.environ.get("CLEARDOCKET_SHARED", ROOT.parent / "shared")) / "contract" / "case.schema.json"


def test_measure_sees_a_child_process_peak_memory_and_cpu():
    # a child that holds 150 MB for half a second and burns some CPU: the sampler must see both
    code = ("import subprocess, sys; subprocess.run([sys.executable, '-c', "
            "'import time; b = bytearray(150 * 2**20); b[::4096] = b\"x\" * len(b[::4096]); "
            "t = time.process_time()\\nwhile time.process_time() - t < 0.3: pass\\ntime.sleep(0.5)'])")
    r = measure.run("probe", [sys.executable, "-c", code])
    assert r.returncode == 0
    assert r.cpu_s >= 0.3  # the grandchild's CPU is counted (waited for by its parent)
    workers = r.workers()
    assert workers and all(p.depth >= 1 for p in workers)
    assert 150 <= r.peak_worker_mb() < 400


def test_measure_counts_the_cpu_of_a_process_that_outlives_the_command():
    # the command starts a child and exits without waiting for it (as a fork server's workers outlive
    # the batch's main process): the orphan is adopted by the measuring process and its CPU counted
    burn = "import time\nt = time.process_time()\nwhile time.process_time() - t < 0.4: pass"
    code = f"import subprocess, sys; subprocess.Popen([sys.executable, '-c', {burn!r}])"
    r = measure.run("orphan", [sys.executable, "-c", code])
    assert r.returncode == 0
    assert r.cpu_s >= 0.4


def test_measure_reports_a_failing_command():
    r = measure.run("fail", [sys.executable, "-c", "raise SystemExit(3)"])
    assert r.returncode == 3


def _timings(wall: dict[str, float], jobs: int = 2, wall_s: float = 10.0) -> dict:
    return {"documents": 4, "pages": 4, "wall_s": wall_s, "jobs": jobs,
            "stages": {"wall": wall, "cpu": {k: v / 2 for k, v in wall.items()}}}


def test_stage_table_shares_and_time_outside_the_timers():
    t = _timings({"ingest": 1.0, "cleanup": 4.0, "ocr": 4.0, "extraction": 0.6, "decision": 0.4, "output": 0.0})
    st = stage_table([t], pages=4)
    assert st["cleanup"]["wall_per_page"] == pytest.approx(1.0)
    assert st["cleanup"]["cpu_per_page"] == pytest.approx(0.5)
    assert st["extraction"]["share"] + st["decision"]["share"] == pytest.approx(0.1)
    assert sum(st[s]["share"] for s in ("ingest", "cleanup", "ocr", "extraction", "decision", "output")) \
        == pytest.approx(1.0)
    # 2 workers x 10 s = 20 worker-seconds, 10 inside the timers
    assert st["_outside"]["wall_per_page"] == pytest.approx(2.5)
    assert st["_outside"]["share_of_worker_time"] == pytest.approx(0.5)


def test_verdicts():
    assert verdict(0.95, 0.9) == "met"
    assert verdict(0.85, 0.9) == "**missed**"
    assert verdict(600.0, 500.0, at_most=True) == "**missed**"
    assert verdict(None, 1.0) == "not measured"
    assert verdict(float("nan"), 1.0) == "not measured"


def _figures() -> Figures:
    row = {"label": "x", "jobs": 2, "pages_per_s": 1.0, "cpu_s_per_page": 1.0, "wall_s": 40.0,
           "peak_worker_mb": 420.0, "peak_any_mb": 420.0, "problems": []}
    st = stage_table([_timings({"ingest": 1, "cleanup": 4, "ocr": 4, "extraction": 0.6, "decision": 0.4,
                                "output": 0})], 4)
    return Figures(rows={"cleardocket": dict(row, label="cleardocket process, 2 workers"),
                         "tesseract": dict(row, label="bare tesseract CLI, 2 proc")},
                   ratios={"cleardocket_vs_tesseract": 0.62, "cleardocket_vs_ocrmypdf": 2.5,
                           "cleardocket_scaling": 1.9, "cpu_cleardocket_vs_tesseract": 0.5,
                           "cpu_cleardocket_scaling": 0.85},
                   stages={"cleardocket": st})


def _env() -> dict:
    return {"date": "d", "command": "c", "cpu": "cpu", "load_before": (1.0, 1.0, 1.0), "load_after": (2.0, 2.0, 2.0),
            "corpus": "40 pages", "settings": "s", "tesseract_cli": "t", "tesserocr_lib": "l", "ocrmypdf": "o",
            "unpaper": "u", "ghostscript": "g"}


def test_markdown_names_each_target_with_its_verdict():
    md = render_markdown(_figures(), _env(), Targets())
    lines = {line.split("|")[1].strip(): line for line in md.splitlines() if line.startswith("| ")}
    assert "**missed**" in lines["end to end / bare tesseract CLI, pages/s"]
    assert "met" in lines["end to end / OCRmyPDF, pages/s"]
    assert "met" in lines["cleardocket, 2 workers / 1 worker"]
    estimate = next(v for k, v in lines.items() if k.startswith("the same, CPU-bound estimate"))
    assert "1.70x" in estimate and "**missed**" in estimate  # 2 x 0.85
    assert "10.0 %" in lines["extraction + decision, share of a page's stage time"]
    assert "**missed**" in lines["extraction + decision, share of a page's stage time"]
    assert "420 MB" in lines["peak RSS per cleardocket worker"]
    assert "2.00x the CPU of bare tesseract CLI" in md
    assert "not measured" in lines["end to end / bare tesserocr (same library), pages/s"]


def test_markdown_prints_the_engines_own_scaling_beside_cleardockets():
    fig = _figures()
    fig = Figures(rows={**fig.rows, "tesserocr": dict(fig.rows["tesseract"], label="bare tesserocr, 2 workers")},
                  ratios={**fig.ratios, "tesserocr_scaling": 1.93, "cpu_tesserocr_scaling": 0.96},
                  stages=fig.stages)
    md = render_markdown(fig, _env(), Targets())
    lines = {line.split("|")[1].strip(): line for line in md.splitlines() if line.startswith("| ")}
    assert "1.93x" in lines["peer: bare tesserocr, 2 workers / 1 worker"]
    estimate = next(v for k, v in lines.items() if k.startswith("peer, CPU-bound estimate"))
    assert "1.92x" in estimate  # 2 x 0.96
    # not measured (a run without the 1-worker engine): a dash, no verdict
    plain = render_markdown(_figures(), _env(), Targets())
    peer = next(line for line in plain.splitlines() if line.startswith("| peer: bare tesserocr"))
    assert "| — |" in peer and "met" not in peer and "missed" not in peer


def test_each_writer_keeps_the_other_benchmarks_section():
    pipeline_md = "# Benchmarks\n\nfigures\n"
    with_service = with_service_section(pipeline_md, "service figures 1\n")
    assert with_service.startswith(pipeline_md.rstrip("\n"))
    assert service_section(with_service) == f"{SERVICE_START}\nservice figures 1\n{SERVICE_END}\n"
    again = with_service_section(with_service, "service figures 2\n")
    assert "service figures 1" not in again and again.count(SERVICE_START) == 1
    assert "figures\n" in again
    assert service_section("no section here") == ""


@pytest.mark.skipif(not SCHEMA.is_file(), reason="the shared contract is not here")
def test_synthetic_service_records_follow_the_contract():
    from jsonschema import Draft202012Validator

    from bench.service import synthetic_record

    validator = Draft202012Validator(json.loads(SCHEMA.read_text()))
    rng = random.Random(3)
    records = [synthetic_record(rng, i) for i in range(200)]
    for rec in records:
        errors = list(validator.iter_errors(rec))
        assert not errors, errors[0].message
    outcomes = {r["relief"]["outcome"] for r in records}
    assert {"dismiss_and_seal", "not_applicable", "needs_review"} <= outcomes
    assert any(r["review"]["required"] for r in records) and not all(r["review"]["required"] for r in records)


def test_multipart_body_round_trips_through_the_parser_the_api_uses(tmp_path):
    from python_multipart import MultipartParser

    from bench.service import make_pngs, multipart

    files = make_pngs(tmp_path, 3, side=64)
    boundary = "b0undary"
    parts: list[dict] = []
    cur: dict = {}

    def on_part_begin():
        cur.clear()
        cur.update(data=bytearray(), headers=b"")

    def on_header_value(data, start, end):
        cur["headers"] += data[start:end]

    def on_part_data(data, start, end):
        cur["data"] += data[start:end]

    def on_part_end():
        parts.append(dict(cur))

    parser = MultipartParser(boundary, {"on_part_begin": on_part_begin, "on_header_value": on_header_value,
                                        "on_part_data": on_part_data, "on_part_end": on_part_end})
    for chunk in multipart(files, boundary, chunk=1000):
        parser.write(chunk)
    parser.finalize()
    assert [bytes(p["data"]) for p in parts] == [f.read_bytes() for f in files]
    assert all(f.name.encode() in p["headers"] for p, f in zip(parts, files))


def test_percentiles_in_milliseconds():
    from bench.loadgen import percentiles

    p = percentiles([i / 1000 for i in range(1, 101)])  # 1..100 ms
    assert p["p50"] == pytest.approx(50.5)
    assert p["p99"] == pytest.approx(99.01)
    assert p["max"] == pytest.approx(100.0)


def test_percentiles_with_unanswered_requests_are_infinite_above_them():
    from bench.loadgen import percentiles

    p = percentiles([0.001] * 95 + [float("inf")] * 5)
    assert p["p50"] == pytest.approx(1.0)
    assert p["p99"] == float("inf") and p["max"] == float("inf")


def test_scale_plan_arithmetic():
    from bench.scale import plan

    p = plan(cases=125_000, pages_per_case=3, cpu_s_per_page=1.5, hours=24, headroom=1.0, cores_per_machine=8)
    assert p.pages == 375_000
    assert p.cpu_hours == pytest.approx(156.25)
    assert p.workers == 7  # 156.25 / 24 = 6.5 -> 7
    assert p.machines == 1  # 7 usable cores on an 8-core machine
    assert p.pages_per_s == pytest.approx(375_000 / 86_400)
    assert plan(cases=125_000, pages_per_case=3, cpu_s_per_page=1.5, hours=24, headroom=1.3).workers == 9


def test_profile_tree_is_cut_at_the_pipeline():
    from bench.profile import trim_tree

    text = """100.0% <module>  bench/profile.py:1
`- 97.8% main  bench/profile.py:132
   `- 97.8% process_document  ocr_service/pipeline.py:68
      |- 50.0% read  ocr_service/ocr/x.py:1
      `- 40.0% clean  ocr_service/cleanup.py:2
         `- 10.0% _analyse  ocr_service/cleanup.py:3
   `- 2.0% other  bench/profile.py:9
"""
    assert trim_tree(text, "process_document").splitlines() == [
        "97.8% process_document  ocr_service/pipeline.py:68",
        "|- 50.0% read  ocr_service/ocr/x.py:1",
        "`- 40.0% clean  ocr_service/cleanup.py:2",
        "   `- 10.0% _analyse  ocr_service/cleanup.py:3",
    ]


def test_a_folder_of_pages_becomes_a_corpus_with_its_pdf(tmp_path):
    from PIL import Image

    from bench.corpus import from_folder

    pages = tmp_path / "scans"
    pages.mkdir()
    for i in range(3):
        Image.new("L", (200, 100), 255 - i).save(pages / f"p{i}.png", dpi=(300, 300))
    (pages / "notes.txt").write_text("not a page")
    c = from_folder(pages, tmp_path / "work")
    assert [p.name for p in c.pngs] == ["p0.png", "p1.png", "p2.png"]
    assert c.png_folder == pages.resolve()
    assert c.pdf.read_bytes().startswith(b"%PDF")
    import pypdfium2

    assert len(pypdfium2.PdfDocument(str(c.pdf))) == 3
