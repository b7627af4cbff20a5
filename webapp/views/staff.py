"""The staff dashboard: the whole pipeline at a glance, and the full-refresh button."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, jsonify, redirect, render_template, url_for

from webapp.models import JobRun
from webapp.models.enums import JobKind
from webapp.services.outbox import jobs
from webapp.services.ranking.refresh import request_full_refresh
from webapp.services.reports.pipeline import PipelineSummary, pipeline_summary
from webapp.views._staff_charts import bar_chart
from webapp.views._staff_common import STAFF_ROLES, filter_state, page_context
from webapp.views._taxonomy_choices import labels
from webapp.web.auth import require_user, roles_required
from webapp.web.db_session import get_session
from webapp.web.navigation import add_nav_item, set_dashboard

bp = Blueprint("staff", __name__, url_prefix="/staff")
bp.context_processor(page_context)
add_nav_item("staff.dashboard", "Pipeline", roles=set(STAFF_ROLES), order=10)
set_dashboard("staff", "staff.dashboard")

STAGE_WORDS = {
    "published": "Published",
    "matched": "Matched",
    "introduction_requested": "Introduction requested",
    "accepted": "Accepted",
    "in_conversation": "In conversation",
    "due_diligence": "Due diligence",
    "term_sheet": "Term sheet",
    "invested": "Invested",
}


def _charts(summary: PipelineSummary) -> dict[str, str]:
    names = [STAGE_WORDS[s] for s, _ in summary.funnel]
    days = summary.median_days_in_stage
    sectors = summary.by_sector[:8]
    return {
        "funnel": bar_chart(
            "Ventures reaching each stage", names, {"Ventures": [n for _, n in summary.funnel]}
        ),
        "days": bar_chart(
            "Median days in each stage",
            [STAGE_WORDS[s] for s in days],
            {"Days": list(days.values())},
            formatter=lambda v: f"{v:,.1f}",
        ),
        "sectors": bar_chart(
            "Ventures by growth sector",
            [t.label for t in sectors],
            {"Published": [t.ventures for t in sectors], "Invested": [t.invested for t in sectors]},
        ),
    }


def job_view(job: JobRun | None) -> dict[str, Any] | None:
    """A refresh run as the page and its status poll show it."""
    if job is None:
        return None
    return {
        "id": job.id,
        "status": job.status,
        "done": job.done,
        "total": job.total,
        "percent": round(jobs.progress(job) * 100),
        "message": job.message or "",
        "created_at": job.created_at.strftime("%d %b %Y %H:%M UTC"),
        "finished": job.status in {"succeeded", "failed"},
    }


@bp.get("/")
@roles_required(*STAFF_ROLES)
def dashboard() -> Any:
    """Funnel, conversion, days per stage, capital and breakdowns, filtered."""
    user = require_user()
    state = filter_state(user)
    summary = pipeline_summary(session=get_session(), filters=state.filters)
    latest = jobs.latest(session=get_session(), kind=JobKind.FULL_REFRESH)
    return render_template(
        "staff/dashboard.html",
        state=state,
        summary=summary,
        charts=_charts(summary),
        stage_words=STAGE_WORDS,
        refresh=job_view(latest),
        labels=labels(),
    ), (200 if state.valid else 422)


@bp.post("/refresh")
@roles_required(*STAFF_ROLES)
def refresh() -> Any:
    """Ask the workers to recompute every match list; the dashboard shows its progress."""
    job = request_full_refresh(session=get_session(), actor=require_user(), reason="staff button")
    flash(f"Full refresh {job.id} is {job.status}: progress shows on the dashboard.", "success")
    return redirect(url_for("staff.dashboard") + "#refresh")


@bp.get("/refresh/status")
@roles_required(*STAFF_ROLES)
def refresh_status() -> Any:
    """The newest refresh's progress as JSON, polled by the dashboard's script."""
    latest = jobs.latest(session=get_session(), kind=JobKind.FULL_REFRESH)
    return jsonify({"job": job_view(latest)})
