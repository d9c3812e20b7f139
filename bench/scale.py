"""The scale plan's arithmetic: a backlog in pages, CPU-hours and workers, from measured figures.

    python -m bench.scale --cases 125000 --pages-per-case 3 [--cpu-s-per-page X] [--hours 24]

Without `--cpu-s-per-page` it reads cleardocket's CPU seconds per page (N workers) from the last
`make bench` run (`<work>/last.json`).
"""
from __future__ import annotations

import argparse
import json
import math
import tempfile
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Plan:
    pages: int
    cpu_hours: float
    workers: int  # worker processes (one core each) to finish in the turnaround
    machines: int
    pages_per_s: float  # the rate the fleet must sustain
    documents_per_s: float


def plan(*, cases: int, pages_per_case: float, cpu_s_per_page: float, hours: float, headroom: float = 1.3,
         cores_per_machine: int = 8, reserved_cores: int = 1) -> Plan:
    """Workers = CPU-hours x headroom / turnaround; one worker per core, `reserved_cores` per machine
    left for the operating system, the blob store client and the database connection pool.

    `headroom` covers retries, documents that are re-read after a correction, hours lost to
    deployment, and pages slower than the benchmark's.
    """
    pages = math.ceil(cases * pages_per_case)
    cpu_hours = pages * cpu_s_per_page / 3600
    workers = math.ceil(cpu_hours * headroom / hours)
    per_machine = max(1, cores_per_machine - reserved_cores)
    seconds = hours * 3600
    return Plan(pages, cpu_hours, workers, math.ceil(workers / per_machine), pages / seconds, cases / seconds)


def measured_cpu_s_per_page(work: Path) -> float:
    data = json.loads((work / "last.json").read_text())
    return float(data["rows"]["cleardocket"]["cpu_s_per_page"])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", type=int, default=125_000)
    ap.add_argument("--pages-per-case", type=float, nargs="+", default=[2.0, 3.0, 5.0])
    ap.add_argument("--cpu-s-per-page", type=float)
    ap.add_argument("--hours", type=float, default=24.0)
    ap.add_argument("--headroom", type=float, default=1.3)
    ap.add_argument("--cores-per-machine", type=int, default=8)
    ap.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "cleardocket-bench")
    a = ap.parse_args(argv)
    cpu = a.cpu_s_per_page or measured_cpu_s_per_page(a.work)
    print(f"{a.cases:,} cases, {cpu:.2f} CPU s per page, {a.hours:g} h turnaround, headroom x{a.headroom}, "
          f"{a.cores_per_machine}-core machines")
    print("| pages per case | pages | CPU-hours | workers | machines | pages/s | documents/s |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for ppc in a.pages_per_case:
        p = plan(cases=a.cases, pages_per_case=ppc, cpu_s_per_page=cpu, hours=a.hours, headroom=a.headroom,
                 cores_per_machine=a.cores_per_machine)
        print(f"| {ppc:g} | {p.pages:,} | {p.cpu_hours:,.0f} | {p.workers} | {p.machines} | {p.pages_per_s:.1f} | "
              f"{p.documents_per_s:.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
