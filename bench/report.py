"""Turning measurements into the benchmark table (pure functions, no I/O)."""
from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field

STAGES = ("ingest", "cleanup", "ocr", "extraction", "decision", "output")

# docs/benchmarks.md holds both benchmarks; each writer replaces only its own part.
SERVICE_START = "<!-- bench.service: start -->"
SERVICE_END = "<!-- bench.service: end -->"


@dataclass(frozen=True)
class Targets:
    """The issue's targets."""

    vs_tesseract: float = 0.9  # end-to-end pages/s over bare tesseract's
    vs_ocrmypdf: float = 2.0  # end-to-end pages/s over OCRmyPDF's
    scaling: float = 1.8  # N workers over 1
    worker_mb: float = 500.0  # peak resident memory per worker
    extract_decide_share: float = 0.05  # extraction + decision, share of a page's stage time


@dataclass(frozen=True)
class Figures:
    rows: dict[str, dict]  # runner key -> pages_per_s, cpu_s_per_page, wall_s, peak_worker_mb, ...
    ratios: dict[str, float | None]
    stages: dict[str, dict] = field(default_factory=dict)  # runner key -> stage_table()
    profile: str = ""  # pyinstrument's call tree of a few pages (bench.profile)


def stage_table(timings: list[dict], pages: int) -> dict:
    """Per stage: wall and CPU seconds per page and share of the timed wall time (medians over runs),
    and the worker time outside every stage timer (process start, model loading, waiting)."""
    def med(xs: list[float]) -> float:
        return statistics.median(xs) if xs else 0.0

    out: dict[str, dict[str, float]] = {}
    totals = [sum(t["stages"]["wall"].values()) for t in timings]
    for stage in STAGES:
        walls = [t["stages"]["wall"].get(stage, 0.0) for t in timings]
        cpus = [t["stages"]["cpu"].get(stage, 0.0) for t in timings]
        out[stage] = {"wall_per_page": med(walls) / pages, "cpu_per_page": med(cpus) / pages,
                      "share": med([w / tot if tot else 0.0 for w, tot in zip(walls, totals)])}
    outside = [t["wall_s"] * t["jobs"] - tot for t, tot in zip(timings, totals)]
    out["_outside"] = {"wall_per_page": med(outside) / pages,
                       "share_of_worker_time": med([o / (t["wall_s"] * t["jobs"]) for o, t in zip(outside, timings)])}
    return out


def extract_decide_share(stages: dict) -> float:
    return stages["extraction"]["share"] + stages["decision"]["share"]


def verdict(value: float | None, target: float, *, at_most: bool = False) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "not measured"
    ok = value <= target if at_most else value >= target
    return "met" if ok else "**missed**"


def _f(x: float | None, fmt: str = ".2f") -> str:
    return "—" if x is None or (isinstance(x, float) and math.isnan(x)) else format(x, fmt)


def render_markdown(fig: Figures, env: dict, targets: Targets) -> str:
    """The whole docs/benchmarks.md."""
    rows, r = fig.rows, fig.ratios
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`python -m bench.pipeline`); do not edit by hand. Method and caveats at the end.",
        "",
        f"- Run: {env['date']}, `{env['command']}`",
        (f"- Machine: {env['cpu']}; load average before {_load(env.get('load_before'))}, "
        f"after {_load(env.get('load_after'))} (the machine is shared: read the ratios, not the absolute figures)"),
        f"- Pages: {env['corpus']}",
        f"- OCR settings (the product's, used by every runner): {env['settings']}, OMP_THREAD_LIMIT=1",
        (f"- Versions: {env['tesseract_cli']} (CLI, Debian); {env['tesserocr_lib']} (tesserocr wheel, used by "
        f"cleardocket); {env['ocrmypdf']}; unpaper {env['unpaper']}; ghostscript {env['ghostscript']}"),
        "",
        "## Throughput",
        "",
        "| runner | workers | pages/s | wall s | cores obtained | CPU s per page | peak RSS per worker (MB) | problems |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for key, row in rows.items():
        lines.append(f"| {row['label']} | {row['jobs']} | {_f(row['pages_per_s'])} | {_f(row['wall_s'], '.1f')} | "
                     f"{_f(row.get('cores'))} | {_f(row['cpu_s_per_page'])} | {_f(row['peak_worker_mb'], '.0f')} | "
                     f"{'; '.join(row['problems']) or 'none'} |")
    lines += ["", ("Cores obtained = CPU seconds / wall seconds of the run: below the number of workers, the runner "
              "waited for cores that other users of the machine held, and its pages/s understates it.")]
    cd = rows.get("cleardocket", {})
    share = extract_decide_share(fig.stages["cleardocket"]) if "cleardocket" in fig.stages else None
    cpu_scaling = r.get("cpu_cleardocket_scaling")
    scaling_estimate = cd["jobs"] * cpu_scaling if cpu_scaling and cd else None
    engine = rows.get("tesserocr", {})
    engine_cpu_scaling = r.get("cpu_tesserocr_scaling")
    engine_estimate = engine["jobs"] * engine_cpu_scaling if engine_cpu_scaling and engine else None
    lines += [
        "",
        "## Targets",
        "",
        "| what | measured | target | |",
        "|---|---:|---:|---|",
        (f"| end to end / bare tesseract CLI, pages/s | {_x(r.get('cleardocket_vs_tesseract'))} | "
        f">= {targets.vs_tesseract}x | {verdict(r.get('cleardocket_vs_tesseract'), targets.vs_tesseract)} |"),
        (f"| end to end / bare tesserocr (same library), pages/s | {_x(r.get('cleardocket_vs_tesserocr'))} | "
        f">= {targets.vs_tesseract}x | {verdict(r.get('cleardocket_vs_tesserocr'), targets.vs_tesseract)} |"),
        (f"| end to end / OCRmyPDF, pages/s | {_x(r.get('cleardocket_vs_ocrmypdf'))} | >= {targets.vs_ocrmypdf}x | "
        f"{verdict(r.get('cleardocket_vs_ocrmypdf'), targets.vs_ocrmypdf)} |"),
        (f"| cleardocket, {cd.get('jobs', 'N')} workers / 1 worker | {_x(r.get('cleardocket_scaling'))} | "
        f">= {targets.scaling}x | {verdict(r.get('cleardocket_scaling'), targets.scaling)} |"),
        (f"| the same, CPU-bound estimate: {cd.get('jobs', 'N')} x CPU per page at 1 worker / at "
        f"{cd.get('jobs', 'N')} | {_x(scaling_estimate)} | >= {targets.scaling}x | "
        f"{verdict(scaling_estimate, targets.scaling)} (holds when the cores are free) |"),
        (f"| peer: bare tesserocr, {engine.get('jobs', 'N')} workers / 1 worker | {_x(r.get('tesserocr_scaling'))} | "
        f"(none) | what the machine's cores give the engine alone, same window |"),
        (f"| peer, CPU-bound estimate: {engine.get('jobs', 'N')} x CPU per page at 1 worker / at "
        f"{engine.get('jobs', 'N')} | {_x(engine_estimate)} | (none) | the engine alone |"),
        (f"| peak RSS per cleardocket worker | {_f(cd.get('peak_worker_mb'), '.0f')} MB | <= {targets.worker_mb:.0f} MB | "
        f"{verdict(cd.get('peak_worker_mb'), targets.worker_mb, at_most=True)} |"),
        (f"| extraction + decision, share of a page's stage time | {_f(None if share is None else 100 * share, '.1f')} % | "
        f"<= {100 * targets.extract_decide_share:.0f} % | {verdict(share, targets.extract_decide_share, at_most=True)} |"),
        "",
        ("CPU seconds per page (whole process tree; less sensitive to other users of the machine): cleardocket "
        f"costs {_f(_inv(r.get('cpu_cleardocket_vs_tesseract')))}x the CPU of bare tesseract CLI, "
        f"{_f(_inv(r.get('cpu_cleardocket_vs_tesserocr')))}x that of bare tesserocr and "
        f"{_f(_inv(r.get('cpu_cleardocket_vs_ocrmypdf')))}x that of OCRmyPDF."),
    ]
    for key, title in (("cleardocket", "workers"), ("cleardocket_1", "1 worker")):
        st = fig.stages.get(key)
        if not st:
            continue
        jobs = rows[key]["jobs"]
        lines += ["", (f"## Stages: cleardocket, {jobs} {'worker' if jobs == 1 else 'workers'} "
                  "(the pipeline's own timers, summed over workers)"), "",
                  "| stage | wall s per page | CPU s per page | share of timed wall |", "|---|---:|---:|---:|"]
        for stage in STAGES:
            s = st[stage]
            lines.append(f"| {stage} | {s['wall_per_page']:.3f} | {s['cpu_per_page']:.3f} | {100 * s['share']:.1f} % |")
        o = st["_outside"]
        lines.append(f"| (outside the stage timers: start-up, model loading, idle) | {o['wall_per_page']:.3f} | | "
                     f"{100 * o['share_of_worker_time']:.1f} % of worker time |")
    if fig.profile:
        lines += ["", "## Where a page's time goes (pyinstrument, one process, `python -m bench.profile`)", "",
                  "Percent of the profiled wall time; frames under 2 % left out.", "", "```", fig.profile.rstrip(),
                  "```"]
    lines += ["", "## Method", "", *METHOD]
    return "\n".join(lines) + "\n"


def _x(x: float | None) -> str:
    """A ratio as '0.62x', or a dash when it was not measured."""
    text = _f(x)
    return text if text == "—" else text + "x"


def _inv(x: float | None) -> float | None:
    return None if x is None or x == 0 else 1.0 / x


def _load(v) -> str:
    return "—" if not v else " / ".join(f"{x:.1f}" for x in v)


METHOD = [
    ("- Pages: made by `samples.generator` from a fixed seed (all layouts, the generator's random scan damage: "
    "skew, 90/180-degree turns, noise, blur, photocopy borders, punch holes, low resolution; scanned formats "
    "only), every page written as one PNG; the same PNGs make one PDF (img2pdf, lossless) for OCRmyPDF."),
    ("- bare tesseract CLI: `xargs -P N -n 2 tesseract --tessdata-dir T -l eng --psm P -c preserve_interword_spaces=1 "
    "-c tessedit_create_tsv=1` (P: the product's page segmentation mode, in the OCR settings above), one process per page, N at a time: recognition with words and boxes and nothing "
    "else (no orientation, no cleanup). Debian's tesseract is an older build than the one in the tesserocr wheel "
    "the product links, so the same pages are also read by bare tesserocr (one API object per worker process, "
    "`SetImageFile`, `Recognize`, `GetTSVText`), with N workers and with 1: its N-against-1 scaling, in the "
    "same window as cleardocket's, is the peer that shows what the machine's cores give the engine alone."),
    ("- cleardocket: `cleardocket process PAGES/ --jobs N --timings FILE`: one document per page, every stage "
    "(ingest, cleanup with orientation and deskew, OCR, extraction, relief decision, review routing, the output "
    "record), process start-up included."),
    ("- OCRmyPDF: `ocrmypdf --rotate-pages --deskew --clean --jobs N -l eng --tesseract-pagesegmode 6 "
    "--output-type pdf --optimize 0 pages.pdf out.pdf`. `--output-type pdf --optimize 0` spare it the PDF/A "
    "conversion and image optimisation, which cleardocket does not do either (so the ratio is the harder one); "
    "the input has no text layer, so neither `--skip-text` nor `--force-ocr` is needed."),
    ("- Each runner is a fresh process tree. Wall time from start to exit; CPU time is user + system of the "
    "tree (kernel accounting of waited-for children; processes that outlive the command, such as cleardocket's "
    "fork server and the workers forked from it, are adopted by the bench as child subreaper and counted too). "
    "Peak memory is each process's VmHWM, sampled every 50 ms; a worker is a descendant of the command (for "
    "tesseract CLI: a tesseract process; for OCRmyPDF the largest of its children, tesseract and unpaper "
    "included; for cleardocket the workers and the fork server they are forked from, which holds the NER model "
    "they share; cleardocket with 1 worker runs in one process)."),
    ("- Runners are interleaved; with `--rounds R` the order rotates each round and each ratio is the median "
    "of the within-round ratios. On a shared machine the wall-clock 1-against-N scaling measures the other "
    "users as much as the product (see cores obtained); the CPU-bound estimate N x CPU(1 worker) / CPU(N workers) "
    "is what N free cores give, as long as nothing outside the workers serialises them (the parent only writes "
    "JSON lines)."),
    ("- Stage shares are of the time inside the pipeline's stage timers (`ocr_service/timing.py`). A page whose "
    "text lines run down it (lying sideways) has its orientation read from a small sample with tesseract in "
    "cleanup, counted there; a page whose lines run across is settled upright or upside down by its first "
    "reading, counted in ocr (a page that reads badly has its sample cut and read there too)."),
]


def service_section(text: str) -> str:
    """The service benchmark's block of a benchmarks file (markers included), or ''."""
    if SERVICE_START in text and SERVICE_END in text:
        return SERVICE_START + text.split(SERVICE_START, 1)[1].split(SERVICE_END, 1)[0] + SERVICE_END + "\n"
    return ""


def with_service_section(old: str, service_text: str) -> str:
    """`old` with its service block replaced by `service_text` (or the block appended)."""
    block = f"{SERVICE_START}\n{service_text}{SERVICE_END}\n"
    current = service_section(old)
    if current:
        return old.replace(current, block)
    return old.rstrip("\n") + "\n\n" + block
