"""`make bench`: cleardocket end to end against bare tesseract and OCRmyPDF, same pages, same cores.

    python -m bench.pipeline [--pages 40] [--seed 2024] [--jobs N] [--rounds 1] [--out docs/benchmarks.md]

One run measures, on the same generated pages (one PNG per page, and the same pages as one PDF):
- bare tesseract: the Debian `tesseract` program, one process per page, `xargs -P N`, the product's
  tessdata, language, page segmentation mode and variables, TSV output (words and boxes);
- bare tesserocr: the libtesseract build the product links, one API object per worker process, with
  N workers and with 1 (the engine's own N-against-1 scaling: what the machine's cores give);
- `cleardocket process` end to end, N workers and 1 worker (stage times from its `--timings`);
- OCRmyPDF with --rotate-pages --deskew --clean --jobs N on the PDF.
Runners are interleaved (rounds rotate the order) and ratios are taken within a round, so load from
other users of the machine falls on every runner alike. CPU seconds per page (the whole process
tree, from the kernel's accounting) are printed beside pages per second: they depend much less on
that load. The table goes to standard output and to `--out`.
"""
from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bench import corpus as corpus_mod
from bench import measure
from bench.report import Figures, Targets, render_markdown, service_section, stage_table

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent


@dataclass(frozen=True)
class Runner:
    """One way of reading the pages, as a command line."""

    key: str
    label: str
    jobs: int
    argv: Callable[[Path], list[str]]  # scratch folder -> command
    worker_names: tuple[str, ...] | None = None  # process names that count as workers


def ocr_settings() -> tuple[str, str, int]:
    """The product's tessdata folder, language and page segmentation mode."""
    from ocr_service.ocr import find_tessdata
    from ocr_service.settings import get_settings

    s = get_settings()
    return str(find_tessdata(s.tessdata_dir, s.ocr_lang)), s.ocr_lang, s.ocr_psm


def runners(corpus: corpus_mod.Corpus, jobs: int) -> list[Runner]:
    tessdata, lang, psm = ocr_settings()
    pngs = [str(p) for p in corpus.pngs]

    def tesseract(n: int) -> Callable[[Path], list[str]]:
        def argv(scratch: Path) -> list[str]:
            # xargs hands each process "<page.png> <outputbase>"; -c tessedit_create_tsv = the tsv config
            pairs = "\n".join(f"{p}\n{scratch / Path(p).stem}" for p in pngs) + "\n"
            (scratch / "pairs.txt").write_text(pairs)
            return ["xargs", "-a", str(scratch / "pairs.txt"), "-P", str(n), "-n", "2",
                    "tesseract", "--tessdata-dir", tessdata, "-l", lang, "--psm", str(psm),
                    "-c", "preserve_interword_spaces=1", "-c", "tessedit_create_tsv=1",
                    "-c", "tessedit_create_txt=0"]
        return argv

    def tesserocr(n: int) -> Callable[[Path], list[str]]:
        return lambda scratch: [sys.executable, "-m", "bench.bare_tesserocr", "--jobs", str(n),
                                "--tessdata", tessdata, "--lang", lang, "--psm", str(psm), *pngs]

    def cleardocket(n: int) -> Callable[[Path], list[str]]:
        return lambda scratch: [str(VENV_BIN / "cleardocket"), "process", str(corpus.png_folder),
                                "--jobs", str(n), "--out", str(scratch / "results.jsonl"),
                                "--timings", str(scratch / "timings.json")]

    def ocrmypdf(n: int) -> Callable[[Path], list[str]]:
        # --output-type pdf and -O 0: no PDF/A conversion and no image optimisation, which cleardocket
        # does not do either; psm as the product's so every engine does the same recognition work
        return lambda scratch: [str(VENV_BIN / "ocrmypdf"), "--rotate-pages", "--deskew", "--clean",
                                "--jobs", str(n), "-l", lang, "--tesseract-pagesegmode", str(psm),
                                "--output-type", "pdf", "--optimize", "0",
                                str(corpus.pdf), str(scratch / "out.pdf")]

    # in this order, the runs whose ratios matter most are next to each other in time
    out = [
        Runner("tesseract", f"bare tesseract CLI, {jobs} proc", jobs, tesseract(jobs), ("tesseract",)),
        Runner("cleardocket", f"cleardocket process, {jobs} workers", jobs, cleardocket(jobs)),
        Runner("cleardocket_1", "cleardocket process, 1 worker", 1, cleardocket(1)),
        Runner("tesserocr", f"bare tesserocr, {jobs} workers", jobs, tesserocr(jobs)),
        Runner("tesserocr_1", "bare tesserocr, 1 worker", 1, tesserocr(1)),
        Runner("ocrmypdf", f"OCRmyPDF, --jobs {jobs}", jobs, ocrmypdf(jobs)),
    ]
    return out if jobs > 1 else [r for r in out if r.key not in ("cleardocket_1", "tesserocr_1")]


@dataclass(frozen=True)
class Measured:
    runner: Runner
    round: int
    result: measure.RunResult
    timings: dict | None  # cleardocket --timings
    problems: tuple[str, ...]


def check_output(r: Runner, scratch: Path, result: measure.RunResult, pages: int) -> tuple[str, ...]:
    """That the run read every page: a fast wrong run must not pass for a fast run."""
    problems = []
    if result.returncode != 0:
        problems.append(f"exit code {result.returncode}")
    if r.key.startswith("cleardocket"):
        rows = [json.loads(line) for line in (scratch / "results.jsonl").read_text().splitlines() if line.strip()]
        errors = [x for x in rows if "error" in x]
        if len(rows) != pages or errors:
            problems.append(f"{len(rows)} records, {len(errors)} errors")
    elif r.key.startswith("tesseract"):
        n = len(list(scratch.glob("*.tsv")))
        if n != pages:
            problems.append(f"{n} TSV files for {pages} pages")
    elif r.key == "ocrmypdf" and not (scratch / "out.pdf").is_file():
        problems.append("no output PDF")
    return tuple(problems)


def run_all(corpus: corpus_mod.Corpus, rs: Sequence[Runner], rounds: int, work: Path,
            keep_logs: Path) -> list[Measured]:
    env = {"OMP_THREAD_LIMIT": "1", "PYTHONPATH": str(ROOT)}
    done: list[Measured] = []
    for rnd in range(rounds):
        order = list(rs[rnd % len(rs):]) + list(rs[:rnd % len(rs)])
        for r in order:
            scratch = Path(tempfile.mkdtemp(prefix=f"{r.key}-", dir=work))
            log = keep_logs / f"{r.key}-round{rnd}.log"
            print(f"[round {rnd + 1}/{rounds}] {r.label} ...", file=sys.stderr, flush=True)
            res = measure.run(r.key, r.argv(scratch), env=env, cwd=ROOT, log=log)
            timings = None
            if (scratch / "timings.json").is_file():
                timings = json.loads((scratch / "timings.json").read_text())
            problems = check_output(r, scratch, res, corpus.pages)
            print(f"    {res.wall_s:6.1f} s wall, {res.cpu_s:6.1f} CPU s, {corpus.pages / res.wall_s:5.2f} pages/s"
                  + (f"  PROBLEM: {'; '.join(problems)} (log: {log})" if problems else ""),
                  file=sys.stderr, flush=True)
            done.append(Measured(r, rnd, res, timings, problems))
            shutil.rmtree(scratch, ignore_errors=True)
    return done


def summarise(measured: list[Measured], pages: int, rounds: int) -> Figures:
    """Medians over rounds of pages/s, CPU s/page and peak worker memory; ratios paired by round."""
    by_key: dict[str, list[Measured]] = {}
    for m in measured:
        by_key.setdefault(m.runner.key, []).append(m)

    def med(xs: list[float]) -> float:
        return statistics.median(xs) if xs else float("nan")

    rows = {}
    for key, ms in by_key.items():
        r = ms[0].runner
        rows[key] = {
            "label": r.label, "jobs": r.jobs,
            "pages_per_s": med([pages / m.result.wall_s for m in ms]),
            "cpu_s_per_page": med([m.result.cpu_s / pages for m in ms]),
            "wall_s": med([m.result.wall_s for m in ms]),
            "cores": med([m.result.cpu_s / m.result.wall_s for m in ms]),
            "peak_worker_mb": max(m.result.peak_worker_mb(r.worker_names) for m in ms),
            "peak_any_mb": max(max((p.peak_mb for p in m.result.procs), default=0.0) for m in ms),
            "problems": sorted({p for m in ms for p in m.problems}),
        }

    def ratio(a: str, b: str, field: str = "pages_per_s") -> float | None:
        pairs = []
        for rnd in range(rounds):
            ma = [m for m in by_key.get(a, []) if m.round == rnd]
            mb = [m for m in by_key.get(b, []) if m.round == rnd]
            if ma and mb:
                if field == "pages_per_s":
                    pairs.append(mb[0].result.wall_s / ma[0].result.wall_s)
                else:  # cpu per page: how many times less CPU a page costs in a than in b
                    pairs.append(mb[0].result.cpu_s / ma[0].result.cpu_s)
        return med(pairs) if pairs else None

    ratios = {
        "cleardocket_vs_tesseract": ratio("cleardocket", "tesseract"),
        "cleardocket_vs_tesserocr": ratio("cleardocket", "tesserocr"),
        "cleardocket_vs_ocrmypdf": ratio("cleardocket", "ocrmypdf"),
        "cleardocket_scaling": ratio("cleardocket", "cleardocket_1"),
        "cpu_cleardocket_scaling": ratio("cleardocket", "cleardocket_1", "cpu"),
        "tesserocr_scaling": ratio("tesserocr", "tesserocr_1"),
        "cpu_tesserocr_scaling": ratio("tesserocr", "tesserocr_1", "cpu"),
        "cpu_cleardocket_vs_tesseract": ratio("cleardocket", "tesseract", "cpu"),
        "cpu_cleardocket_vs_tesserocr": ratio("cleardocket", "tesserocr", "cpu"),
        "cpu_cleardocket_vs_ocrmypdf": ratio("cleardocket", "ocrmypdf", "cpu"),
    }
    stages = {}
    for key in ("cleardocket", "cleardocket_1"):
        ts = [m.timings for m in by_key.get(key, []) if m.timings]
        if ts:
            stages[key] = stage_table(ts, pages)
    return Figures(rows=rows, ratios=ratios, stages=stages)


def environment(corpus: corpus_mod.Corpus, jobs: int, seed: int, rounds: int) -> dict:
    def version(argv: list[str]) -> str:
        try:
            out = subprocess.run(argv, capture_output=True, text=True, timeout=30, check=False)
            return (out.stdout or out.stderr).strip().splitlines()[0]
        except (OSError, IndexError, subprocess.SubprocessError):
            return "not found"

    import tesserocr

    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    layouts: dict[str, int] = {}
    for m in corpus.manifest:
        layouts[m["layout"]] = layouts.get(m["layout"], 0) + 1
    damaged = sum(bool(m["damage"]) for m in corpus.manifest)
    return {
        "date": dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
        "command": f"python -m bench.pipeline --pages {corpus.pages} --seed {seed} --jobs {jobs} --rounds {rounds}",
        "cpu": f"{cpu}, {os.cpu_count()} cores", "jobs": jobs,
        "load_before": os.getloadavg(),
        "tesseract_cli": version(["tesseract", "--version"]),
        "tesserocr_lib": tesserocr.tesseract_version().splitlines()[0],
        "ocrmypdf": version([str(VENV_BIN / "ocrmypdf"), "--version"]),
        "unpaper": version(["unpaper", "--version"]),
        "ghostscript": version(["gs", "--version"]),
        "corpus": (f"{corpus.pages} pages (seed {seed}): "
                   + ", ".join(f"{n} {k}" for k, n in sorted(layouts.items()))
                   + f"; {damaged} with scan damage; modes "
                   + ", ".join(f"{sum(m['mode'] == x for m in corpus.manifest)} {x}" for x in ("1", "L", "RGB"))),
        "settings": "tessdata {}, lang {}, psm {}".format(*ocr_settings()),
    }


def profile_tree(a: argparse.Namespace) -> str:
    """bench.profile's call tree, run in its own process after the timed runs."""
    print(f"profiling {a.profile_pages} pages ...", file=sys.stderr, flush=True)
    out = subprocess.run([sys.executable, "-m", "bench.profile", "--pages", str(a.profile_pages),
                          "--corpus-pages", str(a.pages), "--seed", str(a.seed), "--work", str(a.work)],
                         cwd=ROOT, env={**os.environ, "OMP_THREAD_LIMIT": "1", "PYTHONPATH": str(ROOT)},
                         capture_output=True, text=True, check=False)
    if out.returncode != 0:
        return f"(the profile failed: {out.stderr.strip().splitlines()[-1:] or out.returncode})"
    return out.stdout


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.pipeline", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, default=40)
    ap.add_argument("--pages-dir", type=Path, help="use the PNG pages in this folder instead of generated ones")
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--rounds", type=int, default=1, help="interleaved repetitions (median is reported)")
    ap.add_argument("--only", nargs="+", help="run only these runners (keys)")
    ap.add_argument("--profile-pages", type=int, default=6, help="pages profiled with pyinstrument (0: none)")
    ap.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "cleardocket-bench",
                    help="corpus cache and scratch folder")
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks.md", help="markdown report ('-': none)")
    a = ap.parse_args(argv)

    a.work.mkdir(parents=True, exist_ok=True)
    if a.pages_dir:
        corpus = corpus_mod.from_folder(a.pages_dir, a.work)
        a.pages = corpus.pages
        a.profile_pages = 0  # bench.profile reads the generated corpus
        print(f"corpus: {corpus.pages} pages from {a.pages_dir}", file=sys.stderr, flush=True)
    else:
        print(f"corpus: {a.pages} pages, seed {a.seed} (cached in {a.work})", file=sys.stderr, flush=True)
        corpus = corpus_mod.build(a.work, seed=a.seed, pages=a.pages)
    env = environment(corpus, a.jobs, a.seed, a.rounds)
    if a.pages_dir:
        env["corpus"] = f"{corpus.pages} PNG pages from {a.pages_dir}"
        env["command"] = f"python -m bench.pipeline --pages-dir {a.pages_dir} --jobs {a.jobs} --rounds {a.rounds}"
    rs = [r for r in runners(corpus, a.jobs) if not a.only or r.key in a.only]
    logs = a.work / "logs"
    logs.mkdir(exist_ok=True)
    measured = run_all(corpus, rs, a.rounds, a.work, logs)
    env["load_after"] = os.getloadavg()
    figures = summarise(measured, corpus.pages, a.rounds)
    if a.profile_pages:
        figures = dataclasses.replace(figures, profile=profile_tree(a))
    text = render_markdown(figures, env, Targets())
    print(text)
    if str(a.out) != "-":
        a.out.parent.mkdir(parents=True, exist_ok=True)
        kept = service_section(a.out.read_text()) if a.out.is_file() else ""
        a.out.write_text(text + ("\n" + kept if kept else ""))
        (a.work / "last.json").write_text(json.dumps({"env": env, "rows": figures.rows, "ratios": figures.ratios,
                                                      "stages": figures.stages}, indent=1, default=str))
        print(f"written to {a.out}", file=sys.stderr)
    return 1 if any(row["problems"] for row in figures.rows.values()) else 0


if __name__ == "__main__":
    raise SystemExit(main())
