"""The dashboard's figures, computed from case records and document counts. Pure functions."""
from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from ocr_service.web.views import OUTCOME_LABELS, reason_label

OUTCOME_ORDER = ("dismiss_and_seal", "redesignate", "needs_review", "not_eligible", "not_applicable")
NO_DATE = "no date"


def backlog(status_counts: Mapping[str, int], review_size: int) -> list[tuple[str, int]]:
    """Documents by status, and the cases waiting for a person."""
    return [(st, int(status_counts.get(st, 0))) for st in ("queued", "processing", "failed", "done")] + \
        [("awaiting review", review_size)]


def _statute(ch: Mapping[str, Any]) -> str | None:
    if not ch.get("code") or not ch.get("section"):
        return None
    return f"{ch['code']} {ch['section']}"


def outcome_tables(records: Iterable[Mapping[str, Any]], *, top_statutes: int = 12
                   ) -> tuple[dict[str, Counter], dict[str, Counter]]:
    """Charge outcomes by year of conviction (convictions only) and by statute (every charge).

    Years sort in time with undated convictions last; statutes by how many charges cite them (top N).
    """
    by_year: dict[str, Counter] = defaultdict(Counter)
    by_statute: dict[str, Counter] = defaultdict(Counter)
    for rec in records:
        for ch in rec.get("charges") or []:
            outcome = (ch.get("relief") or {}).get("outcome") or "needs_review"
            st = _statute(ch)
            if st:
                by_statute[st][outcome] += 1
            if ch.get("disposition") == "convicted":
                date = ch.get("disposition_date")
                by_year[date[:4] if date else NO_DATE][outcome] += 1
    dated = sorted(int(y) for y in by_year if y.isdigit())
    if dated and dated[-1] - dated[0] <= 80:  # a continuous time axis: years without convictions show as gaps
        for y in range(dated[0], dated[-1] + 1):
            by_year.setdefault(str(y), Counter())
    years = sorted(by_year, key=lambda y: (y == NO_DATE, y))
    statutes = sorted(by_statute, key=lambda k: (-sum(by_statute[k].values()), k))[:top_statutes]
    return {y: by_year[y] for y in years}, {k: by_statute[k] for k in statutes}


def reasons(counts: Mapping[str, int]) -> list[tuple[str, int]]:
    return [(reason_label(code), n) for code, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def pages_per_hour(finished: Iterable[tuple[dt.datetime, int]], now: dt.datetime,
                   hours: int = 24) -> list[tuple[str, int]]:
    """Pages finished in each of the last `hours` hours (UTC), oldest first, labelled by the hour."""
    end = now.replace(minute=0, second=0, microsecond=0) + dt.timedelta(hours=1)
    start = end - dt.timedelta(hours=hours)
    buckets = [0] * hours
    for at, pages in finished:
        if start <= at < end:
            buckets[int((at - start).total_seconds() // 3600)] += pages
    return [((start + dt.timedelta(hours=i)).strftime("%H:00"), n) for i, n in enumerate(buckets)]


def outcome_series_labels() -> list[tuple[str, str]]:
    return [(o, OUTCOME_LABELS[o]) for o in OUTCOME_ORDER]
