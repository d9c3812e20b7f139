"""Relief commands: `explain` (why each count got its outcome) and `export` (court outputs).

`register(app)` adds them to the main `cleardocket` app. Both read results written by
`cleardocket process` (JSON lines, or one JSON record) and recompute decisions under a policy.
"""
from __future__ import annotations

import datetime as dt
import enum
import json
import re
import sys
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from relief import CaseDecision, Policy, PolicyError, annotate_record, decide_record, load_policy


class ExportFormat(str, enum.Enum):
    motion_csv = "motion-csv"
    orders_pdf = "orders-pdf"


# --------------------------------------------------------------------------- input

def read_results(path: Path) -> list[dict[str, Any]]:
    """Records from a results file: JSON lines, a single JSON object, or a JSON array of objects."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise typer.BadParameter(f"{path}: cannot read: {e}") from e
    try:
        whole = json.loads(text)
    except json.JSONDecodeError:
        whole = None
    if isinstance(whole, dict):
        return [whole]
    if isinstance(whole, list):
        return [r for r in whole if isinstance(r, dict)]
    records = []
    for i, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as e:
            raise typer.BadParameter(f"{path}:{i}: not a JSON record: {e.msg}") from e
        if isinstance(rec, dict):
            records.append(rec)
    return records


def _norm_case(value: Any) -> str:
    return re.sub(r"[^A-Z0-9]", "", str(value or "").upper())


def _policy(name: str | None, record: dict[str, Any] | None = None) -> Policy:
    """The policy asked for; else the one the record was decided under; else the configured default."""
    if name is None and record is not None:
        name = (record.get("relief") or {}).get("policy")
        try:
            return load_policy(name) if name else _default_policy()
        except PolicyError:
            return _default_policy()
    try:
        return load_policy(name) if name else _default_policy()
    except PolicyError as e:
        raise typer.BadParameter(str(e), param_hint="--policy") from e


def _default_policy() -> Policy:
    from ocr_service.settings import get_settings

    return load_policy(get_settings().policy)


# --------------------------------------------------------------------------- explain

def _charge_head(ch: dict[str, Any]) -> str:
    from ocr_service.exports import statute_text

    parts = [f"Count {ch.get('count') if ch.get('count') is not None else '?'}", statute_text(ch)]
    parts += [p for p in (ch.get("level"), ch.get("disposition"), ch.get("disposition_date")) if p]
    return "  ".join(parts)


def explain_text(record: dict[str, Any], decision: CaseDecision, policy: Policy) -> str:
    """The decision for one case as a person reads it: per count, the outcome, the reason, every rule checked."""
    dfd = record.get("defendant") or {}
    src = (record.get("source") or {}).get("file") or "?"
    out = [f"Case {record.get('case_number') or '(no case number)'}  People v. {dfd.get('name') or '(name not read)'}"
           f"  DOB {dfd.get('dob') or 'not shown'}  [{src}]",
           f"Policy {policy.policy}: {policy.title}; rules as in force on {decision.as_of}",
           f"Case outcome: {decision.outcome}"]
    out += [f"  {line}" for line in decision.trace]
    charges = [c for c in record.get("charges") or [] if isinstance(c, dict)]
    for ch, d in zip(charges, decision.charges):
        out += ["", _charge_head(ch),
                f"  Outcome:  {d.outcome}   rule {d.rule}   citation {d.citation or '-'}",
                f"  Reason:   {d.reason}",
                "  Rules checked, in order:"]
        for i, t in enumerate(d.trace, 1):
            verdict = ("not in effect" if not t.in_effect else
                       "NOTE" if t.noted else
                       f"DECIDES -> {d.outcome}" if t.matched else "no")
            out.append(f"    {i:>2}. {t.rule:<48} {verdict}")
            out += [f"          - {f}" for f in t.findings if t.in_effect]
    return "\n".join(out)


def explain_json(record: dict[str, Any], decision: CaseDecision) -> dict[str, Any]:
    """The decision for one case with its full trace, as plain JSON data."""
    data = decision.as_dict()
    data["source"] = record.get("source")
    return data


def explain(
    target: Annotated[str, typer.Argument(help="A results file (JSONL from `process`, or one JSON record), "
                                                "or a case number to pick from --results.")],
    results: Annotated[Optional[Path], typer.Option(help="Results file to pick the case number from.")] = None,
    policy: Annotated[Optional[str], typer.Option(help="Policy name or file (default: the record's own).")] = None,
    as_of: Annotated[Optional[dt.datetime], typer.Option(formats=["%Y-%m-%d"],
                                                         help="Apply the rules in force on this day.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output, one JSON object per case.")] = False,
) -> None:
    """Explain why each count of a case got its relief outcome: the deciding rule, its citation, every rule checked."""
    if results is not None:
        records = [r for r in read_results(results) if _norm_case(r.get("case_number")) == _norm_case(target)]
        if not records:
            raise typer.BadParameter(f"no case {target!r} in {results}", param_hint="TARGET")
    elif Path(target).is_file():
        records = read_results(Path(target))
    else:
        raise typer.BadParameter(f"{target!r} is not a file; to pick a case by number give --results FILE",
                                 param_hint="TARGET")
    day = as_of.date() if as_of else None
    first = True
    for rec in records:
        if rec.get("error"):
            err = rec["error"]
            msg = f"{(rec.get('source') or {}).get('file')}: not read ({err.get('code')}: {err.get('message')})"
            typer.echo(json.dumps({"source": rec.get("source"), "error": err}) if as_json else msg)
            continue
        pol = _policy(policy, rec)
        decision = decide_record(rec, pol, as_of=day)
        if as_json:
            typer.echo(json.dumps(explain_json(rec, decision), ensure_ascii=False))
        else:
            typer.echo(("" if first else "\n" + "=" * 78 + "\n") + explain_text(rec, decision, pol))
        first = False


# --------------------------------------------------------------------------- export

def export(
    fmt: Annotated[ExportFormat, typer.Option("--format", help="motion-csv or orders-pdf.")],
    results: Annotated[Path, typer.Option(exists=True, dir_okay=False, help="Results JSONL from `process`.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output file ('-' for standard output, CSV only).")],
    policy: Annotated[Optional[str], typer.Option(help="Policy name or file (default: configured policy).")] = None,
    as_of: Annotated[Optional[dt.datetime], typer.Option(formats=["%Y-%m-%d"],
                                                         help="Apply the rules in force on this day.")] = None,
    county: Annotated[Optional[str], typer.Option(help="County for the orders' caption (default: from each record).")] = None,
) -> None:
    """Court outputs: the bulk-motion CSV (one row per conviction with relief) or a PDF of orders (one per case)."""
    from ocr_service.exports import write_motion_csv, write_orders_pdf

    pol = _policy(policy)
    day = as_of.date() if as_of else None
    records = [annotate_record(r, pol, as_of=day) for r in read_results(results)]
    if fmt is ExportFormat.motion_csv:
        if str(out) == "-":
            n = write_motion_csv(records, sys.stdout)
        else:
            with open(out, "w", encoding="utf-8", newline="") as fh:
                n = write_motion_csv(records, fh)
        typer.echo(f"{n} convictions with relief under {pol.policy} written to {out}", err=True)
    else:
        if str(out) == "-":
            raise typer.BadParameter("orders-pdf needs a file path", param_hint="--out")
        n = write_orders_pdf(records, out, county=county)
        typer.echo(f"{n} orders under {pol.policy} written to {out}" if n else
                   f"no case qualifies for relief under {pol.policy}; {out} not written", err=True)


def register(app: typer.Typer) -> None:
    """Add `explain` and `export` to the cleardocket app."""
    app.command("explain")(explain)
    app.command("export")(export)
