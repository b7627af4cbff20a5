"""The open regional observatory: the pipeline by region, sector and stage, for anyone."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template

from matching.wording import money as format_gbp
from reference.regional import academic_year
from webapp.services.reports.evidence import SUPPRESSED, SUPPRESSION_THRESHOLD
from webapp.services.reports.regional.observatory import (
    PLATFORM_COLUMNS,
    SUPPRESSION_RULE,
    Observatory,
    observatory,
)
from webapp.services.reports.regional.statistics import PUBLIC_COLUMNS
from webapp.views._regional_charts import north_share_chart
from webapp.views._staff_charts import bar_chart
from webapp.web.db_session import get_session

bp = Blueprint("observatory", __name__)


def _charts(found: Observatory) -> dict[str, str]:
    regions = found.by_region
    return {
        "north_share": north_share_chart(found.north_shares),
        "regions": bar_chart(
            "Ventures seeking finance on the platform, by region",
            [row.label for row in regions],
            {"Ventures": [row.values["ventures"] for row in regions]},
        ),
    }


@bp.get("/observatory")
def index() -> Any:
    """Read without an account: the same figures as `GET /api/v1/observatory`."""
    found = observatory(session=get_session())
    latest = found.north_shares[-1] if found.north_shares else None
    return render_template(
        "observatory/index.html",
        found=found,
        latest=latest,
        charts=_charts(found),
        columns=PLATFORM_COLUMNS,
        public_columns=PUBLIC_COLUMNS,
        rule=SUPPRESSION_RULE,
        threshold=SUPPRESSION_THRESHOLD,
        marker=SUPPRESSED,
        academic_year=academic_year,
        short_gbp=format_gbp,
    )
