"""Staff charts are honest: axes start at zero, ticks are round, shares run to 100 %."""

from __future__ import annotations

import base64
import itertools
import math
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from webapp.views._staff_charts import bar_chart, line_chart, percent, round_ticks

ROUND_MANTISSAS = {1.0, 2.0, 5.0}


def _svg(uri: str) -> str:
    return base64.b64decode(uri.removeprefix("data:image/svg+xml;base64,")).decode()


def _axis_labels(svg: str, axis: str) -> list[str]:
    """The tick labels pygal writes for one axis ("x" or "y"), in drawing order."""
    start = svg.find(f'<g class="axis {axis}')
    assert start >= 0, f"no {axis} axis in the chart"
    ends = [
        i
        for i in (svg.find('<g class="axis', start + 1), svg.find('<g class="series', start))
        if i > 0
    ]
    return re.findall(r"<text[^>]*>([^<]+)</text>", svg[start : min(ends)])


def _is_round(step: float) -> bool:
    mantissa = step / 10 ** math.floor(math.log10(step))
    return any(math.isclose(mantissa, m) for m in ROUND_MANTISSAS)


@given(st.floats(min_value=0, max_value=1e9, allow_nan=False), st.booleans())
def test_ticks_start_at_zero_cover_the_data_and_step_by_round_numbers(largest, whole):
    ticks = round_ticks(largest, whole=whole)
    assert ticks[0] == 0
    assert ticks[-1] >= largest
    assert 2 <= len(ticks) <= 7
    steps = {round(b - a, 9) for a, b in itertools.pairwise(ticks)}
    assert len(steps) == 1
    (step,) = steps
    assert _is_round(step)
    if whole:
        assert step >= 1
        assert float(step).is_integer()


@pytest.mark.parametrize(
    ("largest", "expected"),
    [
        (273, [0, 50, 100, 150, 200, 250, 300]),  # was 0, 39, 78 … 273
        (9, [0, 2, 4, 6, 8, 10]),
        (0, [0, 1]),
        (1, [0, 1]),
    ],
)
def test_count_axes_use_the_ticks_people_expect(largest, expected):
    assert round_ticks(largest) == expected


def test_bar_chart_axis_starts_at_zero_and_ends_on_a_round_tick():
    uri = bar_chart("Ventures", ["Published", "Invested"], {"Ventures": [273, 9]})
    labels = _axis_labels(_svg(uri), "x")  # a horizontal bar's values run along x
    assert labels[0] == "0"
    assert labels[-1] == "300"
    assert "39" not in labels
    assert "273" not in labels


def test_share_chart_runs_from_zero_to_one_hundred_percent_however_close_the_values():
    periods = [f"2026-Q{q}" for q in range(1, 5)]
    uri = line_chart("Share", periods, {"Investments": [0.964, 1.0, 0.98, None]}, shares=True)
    labels = _axis_labels(_svg(uri), "y")
    assert labels[0] == "0%"
    assert labels[-1] == "100%"
    assert "96.4%" not in labels


def test_share_chart_prints_no_values_on_points_so_none_is_clipped_at_the_edge():
    uri = line_chart("Share", ["2026-Q1", "2026-Q2"], {"Matches": [0.42, 0.97]}, shares=True)
    printed = re.findall(r'<text[^>]*class="value[^"]*"[^>]*>([^<]*)', _svg(uri))
    assert printed == []  # the table beside the chart carries the figures


def test_percent_drops_a_trailing_zero_but_keeps_real_decimals():
    assert percent(0.2) == "20%"
    assert percent(0.4567) == "45.7%"
    assert percent(None) == "—"
