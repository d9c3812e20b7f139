"""Write or check SHA-256 sums of corpus files (the committed corpus is a checked asset).

    python scripts/checksums.py write corpus/SHA256SUMS corpus/train.jsonl.gz corpus/dev.jsonl.gz
    python scripts/checksums.py check corpus/SHA256SUMS
"""
from __future__ import annotations

import hashlib
import sys
from pathlib import Path


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def write(sums: Path, files: list[Path]) -> None:
    base = sums.parent
    sums.write_text("".join(f"{sha256(f)}  {f.resolve().relative_to(base.resolve())}\n" for f in files))


def check(sums: Path) -> list[str]:
    """Names of files that are missing or differ from their recorded sum."""
    bad = []
    for line in sums.read_text().splitlines():
        if not line.strip():
            continue
        digest, name = line.split(maxsplit=1)
        f = sums.parent / name
        if not f.is_file() or sha256(f) != digest:
            bad.append(name)
    return bad


def main(argv: list[str]) -> int:
    if len(argv) >= 2 and argv[0] == "write":
        write(Path(argv[1]), [Path(a) for a in argv[2:]])
        return 0
    if len(argv) == 2 and argv[0] == "check":
        bad = check(Path(argv[1]))
        if bad:
            print(f"corpus files missing or changed: {bad}; rebuild with `make train-corpus`", file=sys.stderr)
            return 1
        print("corpus checksums OK", file=sys.stderr)
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
