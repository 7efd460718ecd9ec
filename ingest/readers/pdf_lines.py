"""Engine-neutral: an engine's text runs of one page -> visual lines in reading order.

Engines split a line differently (pdfminer breaks a justified line at wide spaces, PDFium
at a change of text object), so runs that share a baseline are merged here, once, for both.
A page set in two columns is read column by column: the gutter between the columns is
found from the runs themselves, and runs on one baseline are never merged across it.
"""

from __future__ import annotations

from collections import Counter

from ingest.readers.pdf_engine import PageRuns, Run
from ingest.readers.pdf_text import Line, normalise

#: Runs in each column, at least, before a page counts as two-column.
_MIN_COLUMN_RUNS = 6
#: The gutter must be at least this wide (points) and may be crossed by few body runs.
_MIN_GUTTER = 8.0


def page_lines(page: PageRuns) -> list[Line]:
    """The page's visual lines, top to bottom, one column after the other."""
    runs = [r for r in page.runs if r.text.strip()]
    if not runs:
        return []
    found = _gutter(runs)
    if found is None:
        return _merge(runs, page.number)
    gutter, (low, high) = found[:2], found[2:]
    # Runs crossing the gutter (a title, a full-width heading) cut the page into bands, and
    # so do the top and bottom of the columns (a word processor's two-column section in
    # the middle of a page: a short heading under it is no part of the left column);
    # within a band the left column is read before the right one.
    out: list[Line] = []
    band: list[Run] = []
    region = None
    for run in sorted(runs, key=lambda r: -r.y1):
        margin = 0.3 * (run.y1 - run.y0)
        where = 0 if run.y0 > high - margin else 2 if run.y1 < low + margin else 1
        if where != region:
            out += _band(band, gutter, page.number)
            band, region = [], where
        if run.x0 < gutter[0] and run.x1 > gutter[1]:
            out += _band(band, gutter, page.number)
            band = []
            out += _merge([run], page.number)
        else:
            band.append(run)
    out += _band(band, gutter, page.number)
    return out


def _band(runs: list[Run], gutter: tuple[float, float], page: int) -> list[Line]:
    left = [r for r in runs if r.x1 <= gutter[0] + 0.5]
    right = [r for r in runs if r.x1 > gutter[0] + 0.5]
    right_lines = _merge(right, page)
    for line in right_lines:
        line.column = 1
    return _merge(left, page) + right_lines


def _gutter(runs: list[Run]) -> tuple[float, float, float, float] | None:
    """(left x, right x, bottom y, top y) of a column gutter and the columns' extent, or None.

    The widest empty vertical strip in the middle half of the text's x extent that at
    least `_MIN_COLUMN_RUNS` runs end left of and as many start right of; runs that cross
    it beside the columns must be few (headings across both columns are allowed) and
    short of the body. Full-width text above or below the columns (a page that is two
    columns only in part) may cross it freely.
    """
    lo = min(r.x0 for r in runs)
    hi = max(r.x1 for r in runs)
    width = hi - lo
    if width <= 0:
        return None
    mid_lo, mid_hi = lo + 0.25 * width, lo + 0.75 * width
    # Candidate gutter edges: run ends (left side) and run starts (right side) mid-page.
    ends = sorted({round(r.x1, 1) for r in runs if mid_lo <= r.x1 <= mid_hi})
    best: tuple[float, float] | None = None
    for left_edge in ends:
        starts = [r.x0 for r in runs if r.x0 >= left_edge + _MIN_GUTTER and r.x0 <= mid_hi + 0.1 * width]
        if not starts:
            continue
        right_edge = min(starts)
        # Column text is lines of several words; page numbers of a contents list, a name
        # set flush right or margin notes are no column.
        column = [r for r in runs if _wordy(r) and (r.x1 <= left_edge + 0.5 or r.x0 >= right_edge - 0.5)]
        left_runs = sum(1 for r in column if r.x1 <= left_edge + 0.5)
        right_runs = len(column) - left_runs
        if left_runs < _MIN_COLUMN_RUNS or right_runs < _MIN_COLUMN_RUNS:
            continue
        low, high = min(r.y0 for r in column), max(r.y1 for r in column)
        # Anything overlapping the strip beside the columns crosses it: few may (headings
        # over both columns).
        crossing = sum(1 for r in runs if r.x0 < right_edge - 0.5 and r.x1 > left_edge + 0.5
                       and r.y1 > low and r.y0 < high)
        if crossing > 0.25 * (left_runs + right_runs):
            continue
        if best is None or right_edge - left_edge > best[1] - best[0]:
            best = (left_edge, right_edge, low, high)
    if best is None:
        return None
    # A real column layout has its lines' starts on both sides; a ragged paragraph whose
    # short lines all end mid-page has no runs starting right of the gap.
    right_starts = Counter(round(r.x0) for r in runs if r.x0 >= best[1] - 0.5)
    if right_starts.most_common(1)[0][1] < _MIN_COLUMN_RUNS // 2:
        return None
    return best


def _wordy(run: Run) -> bool:
    return run.text.count(" ") >= 3


def _merge(runs: list[Run], page: int) -> list[Line]:
    """Merge runs that share a baseline into whole lines, top to bottom."""
    runs = sorted(runs, key=lambda r: (-r.y0, r.x0))
    groups: list[list[Run]] = []
    for run in runs:
        if groups:
            ref = groups[-1][0]
            height = max(min(ref.y1 - ref.y0, run.y1 - run.y0), 1.0)
            # Same baseline, or boxes that nearly coincide (a smaller bullet glyph, whose
            # font's descent the engines take differently).
            overlap = min(ref.y1, run.y1) - max(ref.y0, run.y0)
            if abs(ref.y0 - run.y0) <= 0.3 * height or overlap >= 0.8 * height:
                groups[-1].append(run)
                continue
        groups.append([run])
    return [line for group in groups if (line := _make_line(group, page)) is not None]


def _make_line(group: list[Run], page: int) -> Line | None:
    if len(group) == 1 and len(group[0].faces) == 1:  # most lines: one run in one face
        run = group[0]
        text = normalise(run.text)
        ((size, is_bold), total), = run.faces.items()
        if not text or not total:
            return None
        return Line(page=page, x0=run.x0, x1=run.x1, y0=run.y0, y1=run.y1, size=size,
                    bold=is_bold, text=text, chars=total)
    group.sort(key=lambda r: r.x0)
    text = normalise(" ".join(r.text for r in group))
    if not text:
        return None
    sizes: Counter[float] = Counter()
    bold = total = 0
    for run in group:
        for (size, is_bold), n in run.faces.items():
            sizes[size] += n
            total += n
            bold += n if is_bold else 0
    if not total:
        return None
    return Line(
        page=page,
        x0=min(r.x0 for r in group),
        x1=max(r.x1 for r in group),
        y0=min(r.y0 for r in group),
        y1=max(r.y1 for r in group),
        size=sizes.most_common(1)[0][0],
        bold=bold >= 0.8 * total,
        text=text,
        chars=total,
    )
