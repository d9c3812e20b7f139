"""Copy a trained pipeline to the directory the product loads, with its held-out metrics.

    python scripts/package_model.py training/model-best cleardocket_ner --metrics training/metrics.json --max-mb 20
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path


def dir_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def package(src: Path, dst: Path, metrics: Path | None, max_mb: float) -> int:
    size = dir_size(src)
    if size > max_mb * 1e6:
        raise SystemExit(f"{src} is {size / 1e6:.1f} MB, over the {max_mb} MB limit")
    tmp = dst.with_name(dst.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.copytree(src, tmp)
    meta_path = tmp / "meta.json"
    meta = json.loads(meta_path.read_text())
    meta["name"] = "cleardocket_ner"
    meta["description"] = "Labels on OCR'd court dockets; trained by models/project.yml on generated data"
    meta.pop("performance", None) if metrics else None
    if metrics and metrics.is_file():
        m = json.loads(metrics.read_text())
        meta["heldout_metrics"] = {k: m[k] for k in ("spans_sc_p", "spans_sc_r", "spans_sc_f", "spans_sc_per_type")
                                   if k in m}
    meta_path.write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n")
    shutil.rmtree(dst, ignore_errors=True)
    tmp.rename(dst)
    return size


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("src", type=Path)
    ap.add_argument("dst", type=Path)
    ap.add_argument("--metrics", type=Path)
    ap.add_argument("--max-mb", type=float, default=20.0)
    a = ap.parse_args(argv)
    size = package(a.src, a.dst, a.metrics, a.max_mb)
    print(f"packaged {a.src} -> {a.dst} ({size / 1e6:.1f} MB)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
