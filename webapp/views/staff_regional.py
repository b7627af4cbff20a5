"""Regional context for staff: the pipeline by region beside public spin-off statistics."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template

from matching.wording import money as format_gbp
from reference.regional import academic_year
from webapp.services.common.errors import ValidationFailed
from webapp.services.reports.regional.context import (
    CONTEXT_COLUMNS,
    RegionalContext,
    context_csv_header,
    context_csv_rows,
    regional_context,
)
from webapp.services.reports.regional.statistics import PUBLIC_COLUMNS
from webapp.views._regional_charts import north_share_chart
from webapp.views._staff_charts import bar_chart
from webapp.views._staff_common import STAFF_ROLES, filter_state, page_context
from webapp.web.auth import require_user, roles_required
from webapp.web.csv_download import csv_response
from webapp.web.db_session import get_session

bp = Blueprint("staff_regional", __name__, url_prefix="/staff")
bp.context_processor(page_context)


def per_pound(ratio: float | None) -> str:
    """Pounds sought for every pound of public spin-off investment: 14.2 → £14.20, 0.014 → 1.4p."""
    if ratio is None:
        return "—"
    return f"£{ratio:,.2f}" if ratio >= 1 else f"{ratio * 100:.1f}p"


def _charts(context: RegionalContext) -> dict[str, str]:
    year = context.latest_year
    ranked = context.demand_ranking()
    ratios = [place.demand_ratio(year) for place in ranked]
    regions = context.regions
    return {
        "north_share": north_share_chart(context.north_shares),
        "demand": bar_chart(
            f"Capital sought for every £1 of {academic_year(year)} spin-off investment",
            [place.label for place in ranked],
            {"Capital sought per £1 of spin-off investment": ratios},
            formatter=per_pound,
        ),
        "ventures": bar_chart(
            "Ventures published on the platform, by region",
            [place.label for place in regions],
            {"Ventures": [place.figures.ventures for place in regions]},
        ),
    }


@bp.get("/regions")
@roles_required(*STAFF_ROLES)
def regions() -> Any:
    """Each region's pipeline next to its public figures, the North's share, and the gaps."""
    state = filter_state(require_user())
    context = regional_context(session=get_session(), filters=state.filters)
    return render_template(
        "staff/regions.html",
        state=state,
        context=context,
        charts=_charts(context),
        columns=CONTEXT_COLUMNS,
        public_columns=PUBLIC_COLUMNS,
        academic_year=academic_year,
        short_gbp=format_gbp,
        per_pound=per_pound,
    ), (200 if state.valid else 422)


@bp.get("/regions.csv")
@roles_required(*STAFF_ROLES)
def regions_csv() -> Any:
    """The same places and figures as CSV, with every year of public figures."""
    state = filter_state(require_user())
    if not state.valid:
        raise ValidationFailed([], "Fix the filters on the regional context page first")
    context = regional_context(session=get_session(), filters=state.filters)
    return csv_response(
        "venturematch-regional-context", context_csv_header(context), context_csv_rows(context)
    )
