"""Share axes start at zero and step in round numbers, whatever the largest share."""

from __future__ import annotations

import base64

import pytest

from webapp.views._staff_charts import line_chart, percent, round_ticks, whole_ticks


@pytest.mark.parametrize(
    ("largest", "ticks"),
    [
        (0.1543, [0.0, 0.05, 0.1, 0.15, 0.2]),  # the North's best year
        (0.5, [0.0, 0.1, 0.2, 0.3, 0.4, 0.5]),
        (1.7, [0.0, 0.5, 1.0, 1.5, 2.0]),
        (0.0, [0.0, 1.0]),
    ],
)
def test_round_ticks_from_zero_past_the_largest(largest, ticks):
    assert round_ticks(largest) == ticks


def test_a_share_chart_draws_the_zero_tick():
    uri = line_chart(
        "Share", ["2017/18", "2018/19"], {"North": [0.1543, 0.1009]},
        formatter=percent, ticks=round_ticks(0.1543),
    )  # fmt: skip
    svg = base64.b64decode(uri.split(",", 1)[1]).decode()
    assert ">0.0%<" in svg
    assert ">20.0%<" in svg


@pytest.mark.parametrize(
    ("largest", "ticks"),
    [(0, [0, 1]), (4, [0, 1, 2, 3, 4]), (13, [0, 2, 4, 6, 8, 10, 12, 14]),
     (109, [0, 20, 40, 60, 80, 100, 120]), (999, [0, 200, 400, 600, 800, 1000])],
)  # fmt: skip
def test_count_axes_step_in_ones_twos_and_fives(largest, ticks):
    assert whole_ticks(largest) == ticks
