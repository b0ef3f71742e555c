"""Charts as inline SVG strings: no JavaScript, no network, and snapshot-testable.

Both the single-file report and the dashboard draw with these functions, so a chart looks the same
in both. They only draw numbers they are given (from a Figure); they never count anything.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from html import escape

PALETTE = ["#7b2d8e", "#d9822b", "#2b7bb9", "#3a9e5c", "#c2185b", "#6d6d6d"]


@dataclass(frozen=True)
class Marker:
    """A labelled vertical line (e.g. "1,000 uses") at time ``at``."""

    at: datetime
    label: str


def fmt_num(v: float) -> str:
    """Numbers as people read them: 1,234 or 1.5M on axes."""
    if abs(v) >= 1_000_000:
        return f"{v / 1_000_000:.1f}M".replace(".0M", "M")
    if abs(v) >= 10_000:
        return f"{v / 1000:.0f}k"
    if v == int(v):
        return f"{int(v):,}"
    return f"{v:,.1f}"


def nice_ticks(hi: float, n: int = 5) -> list[float]:
    """Round tick values from 0 to at least ``hi``."""
    if hi <= 0:
        return [0.0, 1.0]
    raw = hi / n
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    return [i * step for i in range(math.ceil(hi / step) + 1)]


def _time_label(t: datetime, span: timedelta) -> str:
    if span <= timedelta(days=2):
        return t.strftime("%d %b %H:%M")
    if span <= timedelta(days=400):
        return t.strftime("%d %b %Y")
    return t.strftime("%b %Y")


def _epoch_ms(t: datetime) -> int:
    return int((t - datetime(1970, 1, 1)).total_seconds() * 1000)


def line_chart(
    series: dict[str, list[tuple[datetime, float]]],
    *,
    chart_id: str,
    title: str,
    y_label: str = "posts",
    markers: list[Marker] | None = None,
    width: int = 760,
    height: int = 300,
    legend_prefix: str = "#",
) -> str:
    """Several time series on one axis, with optional labelled markers (series are hashtags unless
    ``legend_prefix`` says otherwise).

    The plot area's pixel bounds and time domain are written as ``data-*`` attributes so a small
    script (the dashboard's brush) can turn a dragged pixel range back into times.
    """
    points = [p for pts in series.values() for p in pts]
    if not points:
        return _empty(chart_id, title, width)
    left, right, top, bottom = 64, 16, 28, 44
    pw, ph = width - left - right, height - top - bottom
    t0 = min(t for t, _ in points)
    t1 = max(t for t, _ in points)
    if t1 == t0:
        t1 = t0 + timedelta(hours=1)
    span = t1 - t0
    ticks = nice_ticks(max(v for _, v in points))
    ymax = ticks[-1] or 1.0

    def x(t: datetime) -> float:
        return left + pw * ((t - t0) / span)

    def y(v: float) -> float:
        return top + ph * (1 - v / ymax)

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart line-chart" id="{escape(chart_id)}" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'aria-label="{escape(title)}" data-left="{left}" data-right="{width - right}" '
        f'data-t0="{_epoch_ms(t0)}" data-t1="{_epoch_ms(t1)}">',
        f"<title>{escape(title)}</title>",
    ]
    for v in ticks:
        out.append(f'<line class="grid" x1="{left}" x2="{width - right}" y1="{y(v):.1f}" y2="{y(v):.1f}"/>')
        out.append(f'<text class="tick" x="{left - 6}" y="{y(v) + 4:.1f}" text-anchor="end">{fmt_num(v)}</text>')
    for i in range(5):
        t = t0 + span * (i / 4)
        anchor = "start" if i == 0 else "end" if i == 4 else "middle"
        out.append(
            f'<text class="tick" x="{x(t):.1f}" y="{height - bottom + 16}" text-anchor="{anchor}">'
            f"{escape(_time_label(t, span))}</text>"
        )
    out.append(
        f'<text class="axis-label" x="14" y="{top + ph / 2:.0f}" transform="rotate(-90 14 {top + ph / 2:.0f})" '
        f'text-anchor="middle">{escape(y_label)}</text>'
    )
    out.append(f'<text class="axis-label" x="{left + pw / 2:.0f}" y="{height - 6}" text-anchor="middle">time (UTC)</text>')
    rows: list[list[float]] = []  # label x positions per text row: close markers stack their labels
    for m in sorted(markers or [], key=lambda m: m.at):
        if t0 <= m.at <= t1:
            mx = x(m.at)
            row = next((i for i, xs in enumerate(rows) if all(abs(mx - o) > 7 * len(m.label) for o in xs)), len(rows))
            if row == len(rows):
                rows.append([])
            rows[row].append(mx)
            out.append(
                f'<g class="marker"><line x1="{mx:.1f}" x2="{mx:.1f}" y1="{top}" y2="{top + ph}"/>'
                f'<text x="{mx + 3:.1f}" y="{top + 10 + 12 * row}">{escape(m.label)}</text></g>'
            )
    for i, (name, pts) in enumerate(series.items()):
        colour = PALETTE[i % len(PALETTE)]
        path = " ".join(f"{'M' if j == 0 else 'L'}{x(t):.1f},{y(v):.1f}" for j, (t, v) in enumerate(sorted(pts)))
        out.append(f'<path class="series" data-series="{escape(name)}" d="{path}" stroke="{colour}"/>')
        if len(pts) == 1:
            (t, v), = pts
            out.append(f'<circle cx="{x(t):.1f}" cy="{y(v):.1f}" r="3" fill="{colour}"/>')
    if len(series) > 1:
        for i, name in enumerate(series):
            lx = left + 8 + 150 * i
            out.append(
                f'<g class="legend"><rect x="{lx}" y="6" width="12" height="12" fill="{PALETTE[i % len(PALETTE)]}"/>'
                f'<text x="{lx + 16}" y="16">{escape(legend_prefix)}{escape(name)}</text></g>'
            )
    out.append(
        f'<rect class="plot-area" x="{left}" y="{top}" width="{pw}" height="{ph}" fill="transparent"/></svg>'
    )
    return "".join(out)


def bar_chart(rows: list[tuple[str, float]], *, chart_id: str, title: str, width: int = 760) -> str:
    """Horizontal bars, one per labelled value, largest first as given."""
    if not rows:
        return _empty(chart_id, title, width)
    bar, gap, label_w, value_w = 18, 6, 220, 70
    height = len(rows) * (bar + gap) + gap
    hi = max(v for _, v in rows) or 1
    pw = width - label_w - value_w
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart bar-chart" id="{escape(chart_id)}" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    for i, (label, v) in enumerate(rows):
        yy = gap + i * (bar + gap)
        short = label if len(label) <= 32 else label[:31] + "…"
        w = max(1.0, pw * v / hi)
        out.append(
            f'<g class="bar"><text x="{label_w - 8}" y="{yy + bar - 5}" text-anchor="end">{escape(short)}</text>'
            f'<rect x="{label_w}" y="{yy}" width="{w:.1f}" height="{bar}" fill="{PALETTE[0]}"/>'
            f'<text x="{label_w + w + 6:.1f}" y="{yy + bar - 5}">{escape(fmt_num(v))}</text></g>'
        )
    out.append("</svg>")
    return "".join(out)


def _empty(chart_id: str, title: str, width: int) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart empty" id="{escape(chart_id)}" viewBox="0 0 {width} 40" '
        f'width="{width}" height="40" role="img" aria-label="{escape(title)}"><text x="8" y="24">No posts in this range.</text></svg>'
    )
