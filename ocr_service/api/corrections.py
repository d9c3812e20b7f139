"""A reviewer's field corrections applied to a case record, and the relief decision made again.

Pure functions: record in, record out. The facts a reviewer corrected become trusted; every other
fact keeps the trust extraction gave it.
"""
from __future__ import annotations

import copy
import datetime as dt
import re
from collections.abc import Callable, Mapping
from typing import Any

from ocr_service.api.errors import InvalidCorrection

CODES = ("HS", "PC", "VC", "BP", "WI")
LEVELS = ("felony", "misdemeanor", "infraction")
DISPOSITIONS = ("convicted", "dismissed", "acquitted", "diverted", "pending", "unknown")
_CHARGE_RE = re.compile(r"^charges\[(\d{1,3})\]\.([a-z_]+)$")


def _text(v: Any) -> str | None:
    if v is None:
        return None
    if not isinstance(v, str) or len(v) > 500:
        raise ValueError("a string of at most 500 characters, or null")
    return v.strip() or None


def _date(v: Any) -> str | None:
    if v is None:
        return None
    if not isinstance(v, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", v):
        raise ValueError("an ISO date YYYY-MM-DD, or null")
    dt.date.fromisoformat(v)
    return v


def _bool(v: Any) -> bool:
    if not isinstance(v, bool):
        raise ValueError("true or false")
    return v


def _one_of(options: tuple[str, ...], nullable: bool = False) -> Callable[[Any], str | None]:
    def check(v: Any) -> str | None:
        if v is None and nullable:
            return None
        if v not in options:
            raise ValueError(f"one of {', '.join(options)}" + (", or null" if nullable else ""))
        return v
    return check


def _pattern(rx: str, what: str, nullable: bool) -> Callable[[Any], str | None]:
    def check(v: Any) -> str | None:
        if v is None and nullable:
            return None
        if not isinstance(v, str) or not re.fullmatch(rx, v):
            raise ValueError(what)
        return v
    return check


def _count(v: Any) -> int | None:
    if v is None:
        return None
    if not isinstance(v, int) or isinstance(v, bool) or not 1 <= v <= 999:
        raise ValueError("an integer from 1 to 999, or null")
    return v


CASE_FIELDS: dict[str, Callable[[Any], Any]] = {
    "case_number": _text, "court": _text, "filing_date": _date,
    "defendant.name": _text, "defendant.dob": _date,
    "flags.pc290_registrant": _bool, "flags.super_strike_prior": _bool,
}
#: Charge fields a reviewer may correct, each with its check and the decision fact it makes trusted.
CHARGE_FIELDS: dict[str, tuple[Callable[[Any], Any], str | None]] = {
    "count": (_count, None),
    "code": (_one_of(CODES), "statute"),
    "section": (_pattern(r"[0-9]{1,6}(\.[0-9]{1,3})?", "digits with an optional decimal part", False), "statute"),
    "subdivision": (_pattern(r"[a-z0-9]{1,4}", "a first-level subdivision in lower case, or null", True), "statute"),
    "attempt": (_bool, "statute"),
    "level": (_one_of(LEVELS, nullable=True), None),
    "disposition": (_one_of(DISPOSITIONS), "disposition"),
    "disposition_date": (_date, "date"),
}


def _get(record: Mapping[str, Any], path: str) -> Any:
    head, _, tail = path.partition(".")
    if not tail:
        return record.get(head)
    return (record.get(head) or {}).get(tail)


def value_at(record: Mapping[str, Any], path: str) -> Any:
    """The value at a correction path (`case_number`, `defendant.dob`, `charges[0].disposition`)."""
    m = _CHARGE_RE.match(path)
    if m:
        charges = record.get("charges") or []
        i = int(m.group(1))
        return charges[i].get(m.group(2)) if i < len(charges) else None
    return _get(record, path)


def _set(record: dict[str, Any], path: str, value: Any) -> None:
    head, _, tail = path.partition(".")
    if not tail:
        record[head] = value
    else:
        record[head] = {**(record.get(head) or {}), tail: value}


def apply(record: dict[str, Any], fields: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any],
                                                                        dict[int, set[str]]]:
    """The corrected record, the old values of the fields, and per charge index the facts now trusted.

    Raises InvalidCorrection naming the first bad field.
    """
    out = copy.deepcopy(record)
    before: dict[str, Any] = {}
    trusted: dict[int, set[str]] = {}
    charges = out.get("charges") or []
    for path, value in fields.items():
        try:
            if path in CASE_FIELDS:
                value = CASE_FIELDS[path](value)
                before[path] = _get(out, path)
                _set(out, path, value)
                continue
            m = _CHARGE_RE.match(path)
            if not m or m.group(2) not in CHARGE_FIELDS:
                raise ValueError("not a field that can be corrected")
            i, name = int(m.group(1)), m.group(2)
            if i >= len(charges):
                raise ValueError(f"the case has {len(charges)} charge(s)")
            check, fact = CHARGE_FIELDS[name]
            value = check(value)
            before[path] = charges[i].get(name)
            charges[i][name] = value
            if fact:
                trusted.setdefault(i, set()).add(fact)
        except ValueError as e:
            raise InvalidCorrection(f"{path}: {e}") from e
    return out, before, trusted


def redecide(record: dict[str, Any], trusted: Mapping[int, set[str]],
             redecide_record: Callable[[dict[str, Any], str | None], dict[str, Any]],
             trust_of: Callable[[dict[str, Any]], list[frozenset[str]]]) -> dict[str, Any]:
    """Mark corrected facts trusted, recompute relief, and set review from the new decision."""
    out = copy.deepcopy(record)
    current = trust_of(out)
    for i, c in enumerate(out.get("charges") or []):
        now_trusted = set(current[i]) | trusted.get(i, set()) if i < len(current) else trusted.get(i, set())
        c["trusted"] = sorted(now_trusted)
        c.pop("untrusted", None)
        c.pop("review_reasons", None)
    out = redecide_record(out, (out.get("relief") or {}).get("policy"))
    needs = (out.get("relief") or {}).get("outcome") == "needs_review" or any(
        (c.get("relief") or {}).get("outcome") == "needs_review" for c in out.get("charges") or [])
    old_reasons = list((record.get("review") or {}).get("reasons") or [])
    out["review"] = {"required": needs, "reasons": (old_reasons or ["needs_review"]) if needs else []}
    return out


def default_redecide(record: dict[str, Any], policy: str | None) -> dict[str, Any]:
    from ocr_service.relief_adapter import redecide_record

    return redecide_record(record, policy)


def default_trust_of(record: dict[str, Any]) -> list[frozenset[str]]:
    from relief import CaseIn

    return [c.trusted for c in CaseIn.from_record(record).charges]
