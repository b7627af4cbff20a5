"""`/api/v1/pipeline/*`: the staff view of the whole pipeline (staff and admins only).

Staff assigned to programmes see only those programmes' ventures; `?programme=` narrows any
view to one programme. Definitions of every figure are in `webapp.services.reports.pipeline`.
"""

from __future__ import annotations

from typing import Any

from flask_openapi3 import APIBlueprint, Tag

from webapp.api._common import READ_ERRORS, WRITE_ERRORS, problems, validated
from webapp.api._pipeline_models import (
    STAFF,
    GapCellOut,
    GapList,
    JobOut,
    PagedPipelineQuery,
    PipelineQuery,
    RefreshOut,
    RetentionOut,
    RetentionQuery,
    StalledList,
    StalledQuery,
    SummaryOut,
    TimelineOut,
    UnservedList,
    VenturePath,
)
from webapp.models import JobRun, utcnow
from webapp.models.enums import JobKind
from webapp.services.access.staff_scope import require_staff, resolve_programmes
from webapp.services.common.ids import saved_id
from webapp.services.outbox import jobs
from webapp.services.ranking.refresh import request_full_refresh
from webapp.services.reports.gaps import supply_gaps
from webapp.services.reports.pipeline import pipeline_summary
from webapp.services.reports.retention import north_retention
from webapp.services.reports.stalled import stalled_deals
from webapp.services.reports.timeline import venture_timeline
from webapp.web.auth import SECURITY, api_auth, require_user
from webapp.web.db_session import get_session

api = APIBlueprint(
    "pipeline_api", __name__, url_prefix="/api/v1/pipeline", abp_tags=[Tag(name="pipeline")]
)


def _window(items: list[Any], limit: int, offset: int) -> dict[str, Any]:
    return {
        "items": items[offset : offset + limit],
        "total": len(items),
        "limit": limit,
        "offset": offset,
    }


@api.get("/summary", security=SECURITY, responses={200: SummaryOut, **problems(*READ_ERRORS)})
@api_auth(*STAFF)
@validated
def summary(query: PipelineQuery) -> tuple[dict[str, Any], int]:
    """Funnel, conversion, median days per stage, capital and breakdowns for the cohort."""
    filters = query.filters(require_user())
    return pipeline_summary(session=get_session(), filters=filters).as_dict(), 200


@api.get("/gaps", security=SECURITY, responses={200: GapList, **problems(*READ_ERRORS)})
@api_auth(*STAFF)
@validated
def gaps(query: PagedPipelineQuery) -> tuple[dict[str, Any], int]:
    """Sector × stage × region cells of published ventures against the investors in mandate."""
    report = supply_gaps(session=get_session(), filters=query.filters(require_user()))
    cells = [GapCellOut.model_validate(c.as_dict()).model_dump() for c in report.cells]
    return _window(cells, query.limit, query.offset), 200


@api.get("/unserved", security=SECURITY, responses={200: UnservedList, **problems(*READ_ERRORS)})
@api_auth(*STAFF)
@validated
def unserved(query: PagedPipelineQuery) -> tuple[dict[str, Any], int]:
    """Published ventures no mandate covers, with the nearest investors and why they miss."""
    report = supply_gaps(session=get_session(), filters=query.filters(require_user()))
    return _window([u.as_dict() for u in report.unserved], query.limit, query.offset), 200


@api.get("/stalled", security=SECURITY, responses={200: StalledList, **problems(*READ_ERRORS)})
@api_auth(*STAFF)
@validated
def stalled(query: StalledQuery) -> tuple[dict[str, Any], int]:
    """Open deals with no event for `days` days, quietest first, with their last event."""
    session, user = get_session(), require_user()
    scope = resolve_programmes(session=session, user=user, programme=query.programme)
    found = stalled_deals(session=session, days=query.days, now=utcnow(), programme_ids=scope)
    items = [
        {
            "deal_id": d.deal_id,
            "venture": {"id": d.venture_id, "name": d.venture_name},
            "investor": {"id": d.investor_id, "name": d.investor_name},
            "stage": d.stage,
            "amount_gbp": d.amount_gbp,
            "last_event": {
                "stage": d.last_event_stage,
                "at": d.last_event_at.isoformat(),
                "actor_id": d.last_event_actor_id,
                "note": d.last_event_note,
            },
            "days_quiet": d.days_quiet,
        }
        for d in found
    ]
    return _window(items, query.limit, query.offset), 200


@api.get("/retention", security=SECURITY, responses={200: RetentionOut, **problems(*READ_ERRORS)})
@api_auth(*STAFF)
@validated
def retention(query: RetentionQuery) -> tuple[dict[str, Any], int]:
    """Share of matched, introduced and invested pairs with Northern investors, and its trend."""
    report = north_retention(
        session=get_session(), filters=query.filters(require_user()), grain=query.grain
    )
    return report.as_dict(), 200


@api.get(
    "/ventures/<int:venture_id>/timeline",
    security=SECURITY,
    responses={200: TimelineOut, **problems(*READ_ERRORS)},
)
@api_auth(*STAFF)
@validated
def timeline(path: VenturePath) -> tuple[dict[str, Any], int]:
    """Everything that happened to one venture, oldest first (404 outside your programmes)."""
    found = venture_timeline(
        session=get_session(), viewer=require_user(), venture_id=path.venture_id
    )
    venture = found.venture
    body = {
        "venture": {
            "id": venture.id,
            "name": venture.name,
            "stage": venture.stage,
            "region": venture.region,
            "visibility": venture.visibility,
        },
        "matches": found.matches,
        "open_deals": found.open_deals,
        "entries": [
            {
                "at": e.at.isoformat(),
                "kind": e.kind,
                "title": e.title,
                "investor": (
                    {"id": e.investor_id, "name": e.investor_name} if e.investor_id else None
                ),
                "detail": e.detail,
                "deal_id": e.deal_id,
            }
            for e in found.entries
        ],
    }
    return body, 200


def _job(job: JobRun | None) -> dict[str, Any] | None:
    if job is None:
        return None
    return JobOut(
        id=saved_id(job),
        kind=job.kind,
        status=job.status,
        total=job.total,
        done=job.done,
        progress=jobs.progress(job),
        message=job.message,
        created_at=job.created_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
    ).model_dump(mode="json")


@api.get("/refresh", security=SECURITY, responses={200: RefreshOut, **problems(*READ_ERRORS)})
@api_auth(*STAFF)
def refresh_status() -> tuple[dict[str, Any], int]:
    """The newest full refresh of every match list and its progress."""
    require_staff(require_user())
    return {"job": _job(jobs.latest(session=get_session(), kind=JobKind.FULL_REFRESH))}, 200


@api.post("/refresh", security=SECURITY, responses={202: RefreshOut, **problems(*WRITE_ERRORS)})
@api_auth(*STAFF)
def refresh() -> tuple[dict[str, Any], int]:
    """Ask the workers to recompute every match list (joins a refresh already under way)."""
    user = require_user()
    require_staff(user)
    job = request_full_refresh(session=get_session(), actor=user, reason="staff request")
    return {"job": _job(job)}, 202
