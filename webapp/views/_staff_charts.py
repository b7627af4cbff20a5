"""Server-rendered SVG charts (pygal) for the staff pages.

Each chart is embedded as `<img src="data:image/svg+xml;base64,…">`: the page's CSP allows
data: images, and an SVG shown as an image runs no script, so pygal's own `<script>` and
`<style>` elements stay inert and nothing inline reaches the page. Every chart on a page sits
beside a table with the same figures, which is what screen readers and keyboard users get.
"""

from __future__ import annotations

import base64
import math
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence

import pygal
from pygal.style import Style

# pygal appends a legacy `sys.meta_path` finder (for its world-map plugins, unused here) that
# lacks `find_spec`, so every later failed import anywhere in the process raises ImportWarning —
# an error under the test suite's `filterwarnings = error`. Take it back out.
sys.meta_path[:] = [f for f in sys.meta_path if type(f).__name__ != "PluginImportFixer"]

PALETTE = ("#0c4a5a", "#c2780a", "#0d5c86", "#6b4c9a", "#0b6b3a")
STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#1d2733",
    foreground_strong="#1d2733",
    foreground_subtle="#4a5665",
    font_family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
    label_font_size=13,
    major_label_font_size=13,
    value_font_size=12,
    title_font_size=16,
    legend_font_size=13,
    colors=PALETTE,
)
Formatter = Callable[[float], str]


def _data_uri(chart: pygal.graph.graph.Graph) -> str:
    svg: bytes = chart.render()
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


def _config(height: int, formatter: Formatter | None, legend: bool) -> dict[str, object]:
    return {
        "style": STYLE,
        "js": [],  # no tooltip script: an image can't run it anyway
        "width": 760,
        "height": height,
        "show_legend": legend,
        "legend_at_bottom": True,
        "print_values": True,
        "value_formatter": formatter or (lambda v: f"{v:,.0f}"),
        "margin": 16,
        "truncate_label": 40,
    }


def _round_steps() -> Iterator[int]:
    """1, 2, 5, 10, 20, 50, 100, …"""
    power = 1
    while True:
        for factor in (1, 2, 5):
            yield factor * power
        power *= 10


def whole_ticks(largest: float, most: int = 8) -> list[int]:
    """Axis ticks for counts: whole numbers from 0 past `largest` in round steps (1, 2, 5, 10,
    20, 50, …), at most `most` of them."""
    top = max(1, math.ceil(largest))
    step = next(s for s in _round_steps() if math.ceil(top / s) <= most - 1)
    return list(range(0, step * math.ceil(top / step) + 1, step))


def round_ticks(largest: float, most: int = 7) -> list[float]:
    """Axis ticks for shares and other fractions: 0 up past `largest` in steps of 1, 2, 2.5 or 5
    times a power of ten, at most `most` of them, so a share axis always starts at zero."""
    if largest <= 0:
        return [0.0, 1.0]
    magnitude = 10 ** math.floor(math.log10(largest / (most - 1)))
    for factor in (1, 2, 2.5, 5, 10):
        step = factor * magnitude
        if math.ceil(largest / step) <= most - 1:
            break
    count = math.ceil(largest / step - 1e-9)
    return [round(i * step, 10) for i in range(count + 1)]


def bar_chart(
    title: str,
    labels: Sequence[str],
    series: Mapping[str, Sequence[float | None]],
    *,
    formatter: Formatter | None = None,
    ticks: Sequence[float] | None = None,
) -> str:
    """A horizontal bar chart, first label at the top, as a data: URI; counts get whole ticks.

    Pass `ticks` (e.g. `round_ticks`) for any other axis, so it too starts at zero.
    """
    height = 90 + 34 * max(1, len(labels)) * max(1, len(series))
    chart = pygal.HorizontalBar(**_config(min(height, 1400), formatter, len(series) > 1))
    chart.title = title
    # pygal draws the first label at the bottom; people read a funnel from the top.
    chart.x_labels = list(reversed(labels))
    for name, values in series.items():
        chart.add(name, list(reversed(values)))
    if ticks is not None:
        chart.y_labels = list(ticks)
        chart.range = (ticks[0], ticks[-1])
    elif formatter is None:
        present = [v for values in series.values() for v in values if v is not None]
        chart.y_labels = whole_ticks(max(present, default=0))
    return _data_uri(chart)


def line_chart(
    title: str,
    periods: Sequence[str],
    series: Mapping[str, Sequence[float | None]],
    *,
    formatter: Formatter | None = None,
    ticks: Sequence[float] | None = None,
) -> str:
    """A line chart over periods (gaps where a value is missing) as a data: URI.

    `ticks` fixes the value axis (shares should start at zero: pass `round_ticks`).
    """
    chart = pygal.Line(**_config(380, formatter, True), allow_interruptions=True, dots_size=4)
    chart.title = title
    chart.x_labels = list(periods)
    if ticks is not None:
        chart.y_labels = list(ticks)
        chart.range = (ticks[0], ticks[-1])
    for name, values in series.items():
        chart.add(name, list(values))
    return _data_uri(chart)


def percent(value: float | None) -> str:
    """0.4567 → 45.7%."""
    return "—" if value is None else f"{value * 100:.1f}%"
