"""A readable table of a results file: one row per document, then totals.

    python -m ocr_service.summary results.jsonl
"""
from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path


def rows(records: list[dict]) -> list[tuple[str, ...]]:
    out = []
    for r in records:
        name = Path(r["source"]["file"]).name
        if "error" in r:
            out.append((name, "-", "-", "-", f"error: {r['error']['code']}"))
            continue
        charges = r.get("charges") or []
        cannabis = [c for c in charges if c["code"] == "HS" and c["section"] in {"11357", "11358", "11359", "11360"}]
        review = ", ".join(r["review"]["reasons"]) if r["review"]["required"] else "no"
        out.append((name, r.get("case_number") or "?", f"{len(charges)} ({len(cannabis)} cannabis)",
                    r["relief"]["outcome"], review))
    return out


def render(records: list[dict]) -> str:
    head = ("file", "case", "counts", "relief", "review")
    body = rows(records)
    widths = [max(len(x) for x in col) for col in zip(head, *body)]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    lines = [fmt.format(*head), fmt.format(*("-" * w for w in widths))]
    lines += [fmt.format(*row) for row in body]
    outcomes = Counter(r["relief"]["outcome"] for r in records if "relief" in r)
    errors = sum("error" in r for r in records)
    review = sum(bool(r.get("review", {}).get("required")) for r in records)
    lines.append("")
    lines.append(f"{len(records)} documents: {errors} errors, {review} sent to review; case outcomes: "
                 + ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items())))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    if len(args) != 1:
        print("usage: python -m ocr_service.summary RESULTS.jsonl", file=sys.stderr)
        return 2
    records = [json.loads(x) for x in Path(args[0]).read_text().splitlines() if x.strip()]
    print(render(records))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
