"""The regional charts: the North's share of spin-off investment starts at zero."""

from __future__ import annotations

import base64

from webapp.services.reports.regional.statistics import NorthShare
from webapp.views._regional_charts import north_share_chart


def test_the_north_share_chart_runs_from_zero_past_its_best_year() -> None:
    shares = [
        NorthShare(2017, north_gbp=154, uk_gbp=1000),
        NorthShare(2018, north_gbp=101, uk_gbp=1000),
    ]
    svg = base64.b64decode(north_share_chart(shares).split(",", 1)[1]).decode()
    assert ">0%<" in svg
    assert ">20%<" in svg  # the best year, 15.4 %, on an axis from 0 to 20 %
    assert ">100%<" not in svg
