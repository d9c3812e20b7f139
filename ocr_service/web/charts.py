"""Charts drawn on the server as SVG: horizontal bars, stacked bars and columns. Pure functions.

Every chart is an `<svg role="img">` with a title and a description that says what it shows in
words; bars carry their value as text, and stacked series differ by colour *and* by the legend's
order and labels (colours from the Okabe-Ito palette, darkened to at least 3:1 on white).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

#: Outcome colours (each at least 3:1 against white, distinct for the common colour blindnesses).
OUTCOME_COLOURS = {
    "dismiss_and_seal": "#007a5a",
    "redesignate": "#0061a0",
    "needs_review": "#a65e00",
    "not_eligible": "#b8360a",
    "not_applicable": "#6b6b6b",
}
STATUS_COLOURS = {"queued": "#0061a0", "processing": "#a65e00", "done": "#007a5a", "failed": "#b8360a",
                  "awaiting review": "#7a3e9d"}
DEFAULT_COLOUR = "#3d4f7c"
FONT = 'font-family="system-ui, sans-serif"'


@dataclass(frozen=True, slots=True)
class Series:
    key: str
    label: str
    colour: str


def _svg(width: int, height: int, title: str, desc: str, body: list[str], chart_id: str) -> Markup:
    return Markup(
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{chart_id}-t">{escape(title)}</title><desc id="{chart_id}-d">{escape(desc)}</desc>'
        + "".join(body) + "</svg>")


def _text(x: float, y: float, s: str, *, anchor: str = "start", size: int = 14, weight: str = "normal",
          fill: str = "#1a1a1a") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" font-weight="{weight}" '
            f'fill="{fill}" {FONT}>{escape(s)}</text>')


def hbar_chart(chart_id: str, title: str, items: Sequence[tuple[str, int]], *,
               colours: Mapping[str, str] | None = None, width: int = 640, empty: str = "Nothing yet.") -> Markup:
    """One horizontal bar per (label, value), value written at the bar's end."""
    if not items:
        return _svg(width, 40, title, empty, [_text(8, 26, empty)], chart_id)
    label_w, row_h, pad = 220, 30, 8
    top = max((v for _, v in items), default=0) or 1
    bar_w = width - label_w - 70
    body = []
    for i, (label, value) in enumerate(items):
        y = pad + i * row_h
        w = max(2.0, bar_w * value / top) if value else 0.0
        colour = (colours or {}).get(label, DEFAULT_COLOUR)
        body.append(_text(label_w - 8, y + 19, label, anchor="end"))
        body.append(f'<rect x="{label_w}" y="{y + 4}" width="{w:.1f}" height="{row_h - 8}" fill="{colour}"/>')
        body.append(_text(label_w + w + 6, y + 19, f"{value:,}", weight="bold"))
    desc = "; ".join(f"{label}: {value:,}" for label, value in items)
    return _svg(width, pad * 2 + row_h * len(items), title, desc, body, chart_id)


def _legend(series: Sequence[Series], y: float, width: int) -> list[str]:
    out, x = [], 8.0
    for s in series:
        est = 28 + 8 * len(s.label)
        if x + est > width:
            x, y = 8.0, y + 22
        out.append(f'<rect x="{x:.1f}" y="{y - 11:.1f}" width="14" height="14" fill="{s.colour}"/>')
        out.append(_text(x + 20, y, s.label, size=13))
        x += est
    return out


def stacked_columns(chart_id: str, title: str, categories: Sequence[str], series: Sequence[Series],
                    values: Mapping[str, Mapping[str, int]], *, width: int = 640, height: int = 300,
                    empty: str = "Nothing yet.") -> Markup:
    """One column per category, stacked by series; the column's total above it and a legend below."""
    if not categories:
        return _svg(width, 40, title, empty, [_text(8, 26, empty)], chart_id)
    left, right, top_pad, axis_h, legend_h = 40, 10, 24, 40, 30 + 22 * ((len(series) - 1) // 3)
    plot_h = height - top_pad - axis_h - legend_h
    totals = {c: sum(values.get(c, {}).values()) for c in categories}
    peak = max(totals.values()) or 1
    step = (width - left - right) / len(categories)
    col_w = max(4.0, min(48.0, step * 0.7))
    body = [f'<line x1="{left}" y1="{top_pad + plot_h}" x2="{width - right}" y2="{top_pad + plot_h}" '
            f'stroke="#1a1a1a"/>']
    label_every = max(1, int(len(categories) / ((width - left - right) / 44)) + 1)
    for i, c in enumerate(categories):
        x = left + i * step + (step - col_w) / 2
        y = top_pad + plot_h
        for s in series:
            v = values.get(c, {}).get(s.key, 0)
            if not v:
                continue
            h = plot_h * v / peak
            y -= h
            body.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{col_w:.1f}" height="{h:.1f}" fill="{s.colour}" '
                        f'stroke="#fff" stroke-width="1"><title>{escape(c)}: {escape(s.label)} {v:,}</title></rect>')
        if totals[c]:
            body.append(_text(x + col_w / 2, y - 5, f"{totals[c]:,}", anchor="middle", size=12, weight="bold"))
        if i % label_every == 0:
            body.append(_text(x + col_w / 2, top_pad + plot_h + 18, c, anchor="middle", size=12))
    body += _legend(series, height - legend_h + 20, width)
    desc = "; ".join(f"{c}: " + ", ".join(f"{s.label} {values.get(c, {}).get(s.key, 0):,}" for s in series
                                          if values.get(c, {}).get(s.key, 0)) for c in categories if totals[c])
    return _svg(width, height, title, desc or empty, body, chart_id)


def stacked_hbars(chart_id: str, title: str, categories: Sequence[str], series: Sequence[Series],
                  values: Mapping[str, Mapping[str, int]], *, width: int = 640, empty: str = "Nothing yet.") -> Markup:
    """One horizontal bar per category, stacked by series, total at the end, legend below."""
    if not categories:
        return _svg(width, 40, title, empty, [_text(8, 26, empty)], chart_id)
    label_w, row_h, pad = 120, 30, 8
    legend_h = 30 + 22 * ((len(series) - 1) // 3)
    totals = {c: sum(values.get(c, {}).values()) for c in categories}
    peak = max(totals.values()) or 1
    bar_w = width - label_w - 70
    body = []
    for i, c in enumerate(categories):
        y = pad + i * row_h
        x = float(label_w)
        body.append(_text(label_w - 8, y + 19, c, anchor="end"))
        for s in series:
            v = values.get(c, {}).get(s.key, 0)
            if not v:
                continue
            w = bar_w * v / peak
            body.append(f'<rect x="{x:.1f}" y="{y + 4}" width="{w:.1f}" height="{row_h - 8}" fill="{s.colour}" '
                        f'stroke="#fff" stroke-width="1"><title>{escape(c)}: {escape(s.label)} {v:,}</title></rect>')
            x += w
        body.append(_text(x + 6, y + 19, f"{totals[c]:,}", weight="bold"))
    height = pad * 2 + row_h * len(categories) + legend_h
    body += _legend(series, height - legend_h + 20, width)
    desc = "; ".join(f"{c}: " + ", ".join(f"{s.label} {values.get(c, {}).get(s.key, 0):,}" for s in series
                                          if values.get(c, {}).get(s.key, 0)) for c in categories)
    return _svg(width, height, title, desc, body, chart_id)


def columns(chart_id: str, title: str, points: Sequence[tuple[str, int]], *, width: int = 640, height: int = 220,
            colour: str = DEFAULT_COLOUR, unit: str = "", empty: str = "Nothing yet.") -> Markup:
    """Simple columns over time (e.g. pages per hour); labels thinned to fit."""
    if not points:
        return _svg(width, 40, title, empty, [_text(8, 26, empty)], chart_id)
    series = [Series("v", unit or "value", colour)]
    values = {label: {"v": v} for label, v in points}
    cats = [label for label, _ in points]
    svg = stacked_columns(chart_id, title, cats, series, values, width=width, height=height + 30, empty=empty)
    return svg
