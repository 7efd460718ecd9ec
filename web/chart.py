"""A bar chart of mentions per month as inline SVG, rendered on the server.

No JavaScript and no inline style (the CSP forbids both): bars and labels carry classes that
our stylesheet colours. The chart is accessible: ``role="img"`` with a ``<title>`` and a
``<desc>`` that state the totals and the peak, and each bar has its own ``<title>`` that
browsers show on hover. Every text piece is escaped.
"""

from __future__ import annotations

from typing import Iterable

from markupsafe import Markup, escape

WIDTH, HEIGHT = 900, 190
LEFT, RIGHT, TOP, BOTTOM = 34, 8, 12, 26


def _year_ticks(periods: list[str]) -> list[tuple[int, str]]:
    """Indexes where a new year starts (and the first month), with the year to print."""
    ticks = []
    for i, period in enumerate(periods):
        if i == 0 or period.endswith("-01"):
            ticks.append((i, period[:4]))
    if len(ticks) > 12:  # keep labels readable on long spans: every other year
        ticks = ticks[::2]
    return ticks


def month_bars(per_month: Iterable[tuple[str, int]], subject: str, chart_id: str = "chart") -> Markup:
    """An SVG bar chart of ``(YYYY-MM, count)`` pairs, titled for `subject`."""
    months = [(str(p), int(c)) for p, c in per_month]
    if not months:
        return Markup('<p class="empty">No dated mentions to chart.</p>')
    peak_period, peak = max(months, key=lambda pc: pc[1])
    total = sum(c for _, c in months)
    top = max(peak, 1)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / len(months)
    bar_w = max(slot * 0.78, 1.0)
    title = f"Mentions of {subject} per month, {months[0][0]} to {months[-1][0]}"
    desc = f"{total} mentions in {len(months)} months; peak {peak} in {peak_period}."
    parts = [Markup(
        '<svg class="chart" viewBox="0 0 {w} {h}" role="img" preserveAspectRatio="xMidYMid meet" '
        'aria-labelledby="{id}-title {id}-desc" xmlns="http://www.w3.org/2000/svg">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>'
    ).format(w=WIDTH, h=HEIGHT, id=chart_id, title=title, desc=desc)]
    for value in sorted({top, (top + 1) // 2}):  # gridlines at the peak and at half of it
        y = TOP + plot_h - value / top * plot_h
        parts.append(Markup(
            '<line class="grid" x1="{x1}" x2="{x2}" y1="{y:.1f}" y2="{y:.1f}"></line>'
            '<text class="axis" x="{tx}" y="{ty:.1f}" text-anchor="end">{v}</text>'
        ).format(x1=LEFT, x2=WIDTH - RIGHT, y=y, tx=LEFT - 6, ty=y + 4, v=value))
    for i, (period, count) in enumerate(months):
        height = count / top * plot_h
        x = LEFT + i * slot + (slot - bar_w) / 2
        label = f"{period}: {count} mention{'' if count == 1 else 's'}"
        parts.append(Markup(
            '<rect class="bar{zero}" x="{x:.1f}" y="{y:.1f}" width="{bw:.1f}" height="{bh:.1f}">'
            '<title>{label}</title></rect>'
        ).format(zero=" zero" if count == 0 else "", x=x, y=TOP + plot_h - height, bw=bar_w,
                 bh=max(height, 0.0), label=label))
    base = TOP + plot_h
    parts.append(Markup('<line class="baseline" x1="{x1}" x2="{x2}" y1="{y}" y2="{y}"></line>')
                 .format(x1=LEFT, x2=WIDTH - RIGHT, y=base))
    for i, year in _year_ticks([p for p, _ in months]):
        x = LEFT + i * slot
        parts.append(Markup(
            '<line class="tick" x1="{x:.1f}" x2="{x:.1f}" y1="{y1}" y2="{y2}"></line>'
            '<text class="axis" x="{tx:.1f}" y="{ty}">{year}</text>'
        ).format(x=x, y1=base, y2=base + 6, tx=x + 2, ty=base + 18, year=escape(year)))
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)
