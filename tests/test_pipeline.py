"""End to end: the `cleardocket` command on real files with real tesseract.

One batch runs per module: four synthetic samples (PNG, JPEG, TIFF, PDF; made by the project's
generator, truth in samples/scans/truth.jsonl) and broken files beside them.
"""
from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

CLI = Path(sys.executable).with_name("cleardocket")
SCANS = ROOT / "samples" / "scans"
TRUTH = {json.loads(x)["file"]: json.loads(x) for x in (SCANS / "truth.jsonl").read_text().splitlines() if x}


def _pick() -> list[str]:
    """One clean sample per format, so that the check against truth is about reading, not damage."""
    chosen: dict[str, str] = {}
    for name, t in sorted(TRUTH.items()):
        fmt = Path(name).suffix
        if fmt not in chosen and not t["damage"]:
            chosen[fmt] = name
    return sorted(chosen.values())


PICKED = _pick()


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    d = tmp_path_factory.mktemp("batch")
    for name in PICKED:
        shutil.copy(SCANS / name, d / name)
    (d / "a_empty.pdf").write_bytes(b"")
    (d / "b_random.pdf").write_bytes(random.Random(1).randbytes(4000))
    tif = next(SCANS.glob("*.tif")).read_bytes()
    (d / "c_truncated.tif").write_bytes(tif[: len(tif) // 3])
    (d / "d_notes.bin").write_bytes(b"call the clerk about box 14\n" * 10)
    out = d / "results.jsonl"
    proc = subprocess.run([str(CLI), "process", str(d), "--out", str(out), "--jobs", "2"],
                          capture_output=True, text=True, env={**os.environ, "OMP_THREAD_LIMIT": "1"}, timeout=600)
    assert proc.returncode == 0, proc.stderr
    records = [json.loads(x) for x in out.read_text().splitlines()]
    return d, records, proc


def test_one_record_per_file_in_path_order(batch):
    d, records, _ = batch
    expected = sorted(p.name for p in d.iterdir() if p.name != "results.jsonl")
    assert [Path(r["source"]["file"]).name for r in records] == expected


def test_every_record_is_valid_against_the_contract(batch, case_schema):
    _, records, _ = batch
    for r in records:
        errors = sorted(case_schema.iter_errors(r), key=str)
        assert not errors, (r["source"]["file"], [e.message for e in errors])


def test_broken_files_get_coded_errors_and_the_rest_finish(batch):
    _, records, proc = batch
    by_name = {Path(r["source"]["file"]).name: r for r in records}
    assert by_name["a_empty.pdf"]["error"]["code"] == "empty_file"
    assert by_name["b_random.pdf"]["error"]["code"] in ("corrupt_file", "unsupported_type")
    assert by_name["c_truncated.tif"]["error"]["code"] == "corrupt_file"
    assert by_name["d_notes.bin"]["error"]["code"] == "unsupported_type"
    for name in PICKED:
        assert "error" not in by_name[name], by_name[name]
        assert by_name[name]["charges"], name
    assert "4 errors" in proc.stderr


def test_clean_samples_read_as_their_truth(batch):
    """Case number and the set of charged statutes match the generator's truth on clean pages."""
    _, records, _ = batch
    for r in records:
        name = Path(r["source"]["file"]).name
        if name not in TRUTH:
            continue
        t = TRUTH[name]
        assert r["case_number"] == t["case_number"], name
        want = sorted((c["code"], c["section"], c["subdivision"]) for c in t["charges"])
        got = sorted((c["code"], c["section"], c["subdivision"]) for c in r["charges"])
        assert got == want, name


def test_every_charge_carries_relief_with_rule_and_reason(batch):
    _, records, _ = batch
    for r in records:
        for c in r.get("charges", []):
            assert c["relief"]["outcome"] and c["relief"]["rule"] and c["relief"]["reason"]
            assert c["evidence"]["page"] >= 1 and len(c["evidence"]["bbox"]) == 4


def test_results_go_to_stdout_and_progress_to_stderr(tmp_path):
    name = PICKED[0]
    proc = subprocess.run([str(CLI), "process", str(SCANS / name), "--jobs", "1"], capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0
    lines = proc.stdout.splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["source"]["file"].endswith(name)
    assert "documents" in proc.stderr


@pytest.mark.parametrize("args", [["process", "/no/such/path"], ["process", str(SCANS), "--policy", "nowhere-county"],
                                  ["process", str(SCANS), "--jobs", "0"], ["frobnicate"]])
def test_usage_errors_exit_2(args):
    proc = subprocess.run([str(CLI), *args], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2, (args, proc.stdout, proc.stderr)


def test_ocr_command_writes_text_per_input(tmp_path):
    name = PICKED[0]
    proc = subprocess.run([str(CLI), "ocr", str(SCANS / name), "--out", str(tmp_path)], capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    text = (tmp_path / (Path(name).stem + ".txt")).read_text()
    assert TRUTH[name]["case_number"] in text.replace(" ", "")


def _model_came_from() -> tuple[int, int, bool]:
    import extractors
    from ocr_service import worker_preload

    return worker_preload.LOADED_IN, os.getpid(), extractors._TAGGER is not None


def test_batch_workers_are_forked_with_the_model_already_loaded():
    from concurrent.futures import ProcessPoolExecutor

    from ocr_service import batch

    with ProcessPoolExecutor(2, mp_context=batch._pool_context(), initializer=batch._init_worker) as pool:
        seen = [pool.submit(_model_came_from).result() for _ in range(2)]
    for loaded_in, worker, has_model in seen:
        assert has_model and loaded_in != worker  # loaded once, in the server the worker was forked from
