"""Staff pages that look for trouble: the supply gap, North retention, stalled deals, and one
venture's timeline."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request

from webapp.models import utcnow
from webapp.models.bounds import whole_number
from webapp.services.access.staff_scope import resolve_programmes
from webapp.services.common.errors import Forbidden, ValidationFailed
from webapp.services.reports.gaps import GapCell, supply_gaps
from webapp.services.reports.retention import LEVELS, north_retention
from webapp.services.reports.sql_time import Grain
from webapp.services.reports.stalled import MAX_DAYS, MIN_DAYS, stalled_deals
from webapp.services.reports.timeline import venture_timeline
from webapp.services.ventures.programmes import list_programmes
from webapp.views._staff_charts import line_chart
from webapp.views._staff_common import STAFF_ROLES, filter_state, page_context
from webapp.views._taxonomy_choices import stage_options
from webapp.web.auth import require_user, roles_required
from webapp.web.db_session import get_session

bp = Blueprint("staff_insights", __name__, url_prefix="/staff")
bp.context_processor(page_context)

WORST_CELLS_SHOWN = 50
LEVEL_WORDS = {"matched": "Matches", "introduced": "Introductions", "invested": "Investments"}


def heat_class(cell: GapCell) -> str:
    """A colour band for the heat map: 5 is worst (nobody in mandate), 0 is well covered."""
    if cell.investors_in_mandate == 0:
        return "heat-5"
    for band, limit in ((4, 0.25), (3, 0.5), (2, 1.0), (1, 2.0)):
        if cell.coverage < limit:
            return f"heat-{band}"
    return "heat-0"


@bp.get("/gaps")
@roles_required(*STAFF_ROLES)
def gaps() -> Any:
    """Heat map of growth sector × stage, the worst cells, and the unserved ventures."""
    state = filter_state(require_user(), dated=False)
    report = supply_gaps(session=get_session(), filters=state.filters)
    grid: dict[tuple[str, str], GapCell] = {(c.sector, c.stage): c for c in report.heatmap}
    sectors = sorted({c.sector for c in report.heatmap})
    return render_template(
        "staff/gaps.html",
        state=state,
        report=report,
        grid=grid,
        sectors=sectors,
        worst=report.cells[:WORST_CELLS_SHOWN],
        heat_class=heat_class,
        stages=stage_options(),
    ), (200 if state.valid else 422)


@bp.get("/retention")
@roles_required(*STAFF_ROLES)
def retention() -> Any:
    """Shares of matches, introductions and investments with Northern investors, over time."""
    state = filter_state(require_user())
    grain: Grain = "month" if request.args.get("grain") == "month" else "quarter"
    report = north_retention(session=get_session(), filters=state.filters, grain=grain)
    periods = report.periods()
    by_key = {(f.level, f.period): f for f in report.trend}
    series = {
        LEVEL_WORDS[level]: [
            by_key[(level, p)].share if (level, p) in by_key else None for p in periods
        ]
        for level in LEVELS
    }
    chart = line_chart("Share with Northern investors", periods, series, shares=True)
    return render_template(
        "staff/retention.html",
        state=state,
        report=report,
        periods=periods,
        by_key=by_key,
        levels=LEVELS,
        level_words=LEVEL_WORDS,
        grain=grain,
        chart=chart,
    ), (200 if state.valid else 422)


@bp.get("/stalled")
@roles_required(*STAFF_ROLES)
def stalled() -> Any:
    """Open deals with no event for N days, quietest first, with their last event."""
    user, session = require_user(), get_session()
    errors: list[str] = []
    days = 30
    wanted_days = whole_number(request.args.get("days", "30"), low=MIN_DAYS, high=MAX_DAYS)
    if wanted_days is not None:
        days = wanted_days
    else:
        errors.append(f"Days: write a whole number from {MIN_DAYS} to {MAX_DAYS}, e.g. 30")
    raw_programme = request.args.get("programme", "").strip()
    programme = whole_number(raw_programme, low=1)
    if raw_programme and programme is None:
        errors.append("Programme: choose one from the list")
    try:
        scope = resolve_programmes(session=session, user=user, programme=programme)
    except (Forbidden, ValidationFailed) as exc:
        errors.append(f"Programme: {exc.detail}")
        programme, scope = None, resolve_programmes(session=session, user=user, programme=None)
    found = stalled_deals(session=session, days=days, now=utcnow(), programme_ids=scope)
    return render_template(
        "staff/stalled.html",
        deals=found,
        days=days,
        programme=programme,
        programmes=list_programmes(session=session, viewer=user),
        errors=errors,
    ), (422 if errors else 200)


@bp.get("/ventures/<int:venture_id>")
@roles_required(*STAFF_ROLES)
def timeline(venture_id: int) -> Any:
    """Everything that happened to one venture, oldest first."""
    found = venture_timeline(session=get_session(), viewer=require_user(), venture_id=venture_id)
    return render_template("staff/timeline.html", timeline=found)
