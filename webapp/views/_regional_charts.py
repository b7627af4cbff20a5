"""Charts shared by the staff's regional context and the public observatory."""

from __future__ import annotations

from collections.abc import Sequence

from reference.regional import academic_year
from webapp.services.reports.regional.statistics import NorthShare
from webapp.views._staff_charts import line_chart


def north_share_chart(shares: Sequence[NorthShare]) -> str:
    """The North's share of UK spin-off investment by academic year, on an axis from zero."""
    values = [s.share for s in shares]
    return line_chart(
        "The North's share of UK spin-off investment",
        [academic_year(s.year) for s in shares],
        {"North East, North West, Yorkshire and The Humber": values},
        shares=True,
    )
