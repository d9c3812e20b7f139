"""`make eval`: run the product on a generated set and on the shared dev set, print the scorer's tables.

    python -m samples.evaluate [--shared ../shared] [--n 40] [--seed 2026] [--jobs N]

The generated set is made fresh by the project's own generator (synthetic, with ground truth);
the shared dev set was made by someone else and is never used for training or tuning.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "samples" / "out" / "eval"


def run_product(inputs: Path, results: Path, jobs: int, policy: str = "la-county") -> None:
    cli = Path(sys.executable).with_name("cleardocket")
    subprocess.run([str(cli), "process", str(inputs), "--out", str(results), "--jobs", str(jobs),
                    "--policy", policy], check=True)


def score(shared: Path, truth: Path, results: Path, as_json: bool = False) -> str:
    cmd = [sys.executable, str(shared / "eval" / "score.py"), "--truth", str(truth), "--results", str(results)]
    if as_json:
        cmd.append("--json")
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--n", type=int, default=40)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = ap.parse_args(argv)

    from samples.generator import generate

    gen_dir = OUT / f"generated-{args.seed}-{args.n}"
    if not (gen_dir / "truth.jsonl").exists():
        print(f"generating {args.n} synthetic dockets (seed {args.seed}) in {gen_dir}", file=sys.stderr)
        generate(args.n, args.seed, gen_dir)
    sets = [("generated (project's own generator)", gen_dir)]
    dev = args.shared / "eval" / "dev"
    if dev.is_dir():
        sets.append(("shared dev set (not designed by the project)", dev))
    summary = {}
    for title, folder in sets:
        results = OUT / f"{folder.name}.results.jsonl"
        run_product(folder, results, args.jobs)
        print(f"\n===== {title}: {folder}")
        print(score(args.shared, folder / "truth.jsonl", results))
        summary[folder.name] = json.loads(score(args.shared, folder / "truth.jsonl", results, as_json=True))
    (OUT / "summary.json").write_text(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
