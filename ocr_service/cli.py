"""The command line: the one boundary that turns errors into exit codes.

Exit 0 when the batch ran (bad documents are error records in the output), 2 for usage errors.
"""
from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Annotated, Optional

import typer
from tqdm import tqdm

from ocr_service import batch
from ocr_service.timing import StageTimer

app = typer.Typer(help="cleardocket: scanned court dockets in, Prop 64 relief decisions out.",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)

POLICIES = ("la-county", "ca-statute")


def _check_policy(value: str) -> str:
    from relief import load_policy

    try:
        load_policy(value)
    except Exception as e:  # noqa: BLE001 - any failure to load is a usage error here
        raise typer.BadParameter(f"unknown or invalid policy {value!r}: {e}") from e
    return value


Paths = Annotated[list[Path], typer.Argument(exists=True, readable=True, resolve_path=False,
                                             help="Files or folders (walked recursively).")]


@app.command()
def process(
    paths: Paths,
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="Results JSONL (default: standard output).")] = None,
    policy: Annotated[str, typer.Option(help="Relief policy: la-county, ca-statute or a policy file.",
                                        callback=_check_policy)] = "la-county",
    jobs: Annotated[Optional[int], typer.Option("--jobs", "-j", min=1,
                                                help="Worker processes (default: all cores).")] = None,
    timings: Annotated[Optional[Path], typer.Option(help="Write per-stage timings (JSON) here.")] = None,
) -> None:
    """Read scanned dockets and write one case record per document (JSON lines)."""
    files = batch.expand_inputs(paths)
    jobs = jobs or os.cpu_count() or 1
    sink = open(out, "w", encoding="utf-8") if out else sys.stdout
    total = StageTimer()
    pages = errors = review = 0
    t0 = time.perf_counter()
    try:
        with tqdm(total=len(files), unit="doc", file=sys.stderr, dynamic_ncols=True,
                  disable=False) as bar:
            for o in batch.run(files, policy=policy, jobs=jobs):
                sink.write(json.dumps(o.record, ensure_ascii=False) + "\n")
                sink.flush()
                pages += o.pages
                total.add(o.timer)
                errors += "error" in o.record
                review += bool(o.record.get("review", {}).get("required"))
                bar.update(1)
                bar.set_postfix(pages=pages, errors=errors, review=review, refresh=False)
    finally:
        if out:
            sink.close()
    wall = time.perf_counter() - t0
    typer.echo(f"{len(files)} documents, {pages} pages in {wall:.1f} s ({pages / wall if wall else 0:.2f} pages/s); "
               f"{errors} errors, {review} to review", err=True)
    if timings:
        timings.write_text(json.dumps({"documents": len(files), "pages": pages, "wall_s": wall, "jobs": jobs,
                                       "stages": total.as_dict()}, indent=2))


@app.command()
def ocr(
    paths: Paths,
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for one <stem>.txt per input.")],
) -> None:
    """Write the text the product reads (after cleanup) per input, pages separated by a form feed."""
    from ocr_service.errors import CleardocketError
    from ocr_service.pipeline import read_pages

    out.mkdir(parents=True, exist_ok=True)
    files = batch.expand_inputs(paths)
    for f in tqdm(files, unit="doc", file=sys.stderr):
        try:
            text = "\f".join(p.text for p in read_pages(f))
        except CleardocketError as e:
            typer.echo(f"{f}: {e.code}: {e.message}", err=True)
            continue
        (out / f"{f.stem}.txt").write_text(text + "\n", encoding="utf-8")


def _register_optional() -> None:
    """Commands that live beside their feature (relief, service) register themselves here."""
    from ocr_service import cli_corrections, cli_relief, cli_service

    cli_relief.register(app)
    cli_service.register(app)
    cli_corrections.register(app)


_register_optional()


if __name__ == "__main__":
    app()
