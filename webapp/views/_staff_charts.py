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
from collections.abc import Callable, Mapping, Sequence

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


def round_ticks(largest: float, *, whole: bool = True, most: int = 7) -> list[float]:
    """Axis ticks from 0 to the first round number at or above `largest`.

    Steps are 1, 2 or 5 times a power of ten (10, 20, 50, 100…), never 39 or 117; counts get
    whole-number steps. At most `most` ticks.
    """
    # Below one (counts) or a hundredth (days, shares) nothing on a chart needs a finer axis.
    largest = max(float(largest), 1.0 if whole else 0.01)
    power = 10.0 ** math.floor(math.log10(largest / (most - 1)))
    for scale in (1, 2, 5, 10, 20, 50):
        step = scale * power
        if whole and step < 1:
            continue
        if math.ceil(largest / step) + 1 <= most:
            break
    count = math.ceil(round(largest / step, 9))
    return [round(i * step, 9) for i in range(count + 1)]


SHARE_TICKS = [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]


def bar_chart(
    title: str,
    labels: Sequence[str],
    series: Mapping[str, Sequence[float | None]],
    *,
    formatter: Formatter | None = None,
) -> str:
    """A horizontal bar chart, first label at the top, as a data: URI.

    The axis starts at zero and ends on a round tick; counts (no `formatter`) step in whole
    numbers, other figures (days, pounds) in round fractions where they need to.
    """
    height = 90 + 34 * max(1, len(labels)) * max(1, len(series))
    chart = pygal.HorizontalBar(**_config(min(height, 1400), formatter, len(series) > 1))
    chart.title = title
    # pygal draws the first label at the bottom; people read a funnel from the top.
    chart.x_labels = list(reversed(labels))
    for name, values in series.items():
        chart.add(name, list(reversed(values)))
    present = [v for values in series.values() for v in values if v is not None]
    ticks = round_ticks(max(present, default=0), whole=formatter is None)
    chart.y_labels = ticks
    chart.range = (0, ticks[-1])  # bars start at zero and the axis ends on a round number
    return _data_uri(chart)


def line_chart(
    title: str,
    periods: Sequence[str],
    series: Mapping[str, Sequence[float | None]],
    *,
    shares: bool = False,
) -> str:
    """A line chart over periods (gaps where a value is missing) as a data: URI.

    Every axis starts at zero, shares included (0–100 % for a share near the top, 0–20 % for
    one that never passes 15 %), so a change from 97 % to 99 % looks as small as it is. Values
    are not printed on the points (they crowd and get clipped at the edge); the table beside
    every chart carries them.
    """
    config = _config(400, percent if shares else None, True)
    rotate = len(periods) > 6  # long runs of periods would overlap side by side
    config.update(print_values=False, x_label_rotation=30 if rotate else 0, margin_right=48)
    chart = pygal.Line(**config, allow_interruptions=True, dots_size=4)
    chart.title = title
    chart.x_labels = list(periods)
    for name, values in series.items():
        chart.add(name, list(values))
    largest = max((v for values in series.values() for v in values if v is not None), default=0)
    if shares:
        ticks = round_ticks(min(largest, 1.0), whole=False) if largest else SHARE_TICKS
    else:
        ticks = round_ticks(largest, whole=False)
    chart.y_labels = ticks
    chart.range = (0.0, ticks[-1])
    return _data_uri(chart)


def percent(value: float | None) -> str:
    """0.4567 → 45.7%; whole percentages without a decimal (axis ticks: 20%, not 20.0%)."""
    if value is None:
        return "—"
    shown = f"{value * 100:.1f}"
    return f"{shown.removesuffix('.0')}%"
