"""The dashboard: backlog, outcomes by year and by statute, review reasons, pages per hour, as pictures."""
from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from ocr_service.api.deps import ServicesDep
from ocr_service.storage import repo
from ocr_service.web import charts, dashboard
from ocr_service.web.deps import DashboardUser, render

router = APIRouter(include_in_schema=False)


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard_page(request: Request, services: ServicesDep, user: DashboardUser) -> Response:
    """Charts of the backlog and of the decisions made so far (counts only, no case data)."""
    now = dt.datetime.now(dt.timezone.utc)
    with services.db.read() as s:
        status = repo.status_counts(s)
        waiting = repo.review_queue_size(s)
        reason_counts = repo.review_reason_counts(s)
        finished = repo.pages_finished_since(s, since=now - dt.timedelta(hours=25))
        by_year, by_statute = dashboard.outcome_tables(c.record for c in repo.iter_cases(s))
    series = [charts.Series(k, label, charts.OUTCOME_COLOURS[k]) for k, label in dashboard.outcome_series_labels()]
    hourly = dashboard.pages_per_hour(finished, now)
    figures = {
        "backlog": charts.hbar_chart("backlog", "Backlog by status", dashboard.backlog(status, waiting),
                                     colours=charts.STATUS_COLOURS),
        "by_year": charts.stacked_columns("by-year", "Outcomes by year of conviction", list(by_year), series,
                                          by_year, empty="No convictions yet."),
        "by_statute": charts.stacked_hbars("by-statute", "Outcomes by statute (charges)", list(by_statute), series,
                                           by_statute, empty="No charges yet."),
        "reasons": charts.hbar_chart("reasons", "Why cases wait for review", dashboard.reasons(reason_counts),
                                     empty="No case is waiting for review."),
        "pages": charts.columns("pages", "Pages processed per hour (last 24 hours, UTC)", hourly, unit="pages"),
    }
    totals = {"documents": sum(status.values()), "waiting": waiting, "pages_24h": sum(n for _, n in hourly)}
    return render(request, "dashboard.html", {"figures": figures, "totals": totals, "by_year": by_year,
                                              "by_statute": by_statute, "series": series}, user=user)
