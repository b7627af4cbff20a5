"""Evidence exports (per deal, and suppressed aggregates) and the audit log, for staff."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, jsonify, render_template, request

from webapp.models.bounds import whole_number
from webapp.services.common.errors import ValidationFailed
from webapp.services.reports.audit_labels import OBJECT_LABELS, action_label
from webapp.services.reports.audit_queries import (
    AUDIT_COLUMNS,
    AuditFilters,
    audit_actions,
    audit_csv_rows,
    audit_entries,
)
from webapp.services.reports.evidence import (
    DEAL_COLUMNS,
    EVIDENCE_COLUMNS,
    SUPPRESSED,
    SUPPRESSION_THRESHOLD,
    deal_rows,
    evidence_cells,
    evidence_csv_rows,
    record_export,
)
from webapp.views._staff_common import STAFF_ROLES, filter_state, page_context
from webapp.web.auth import require_user, roles_required
from webapp.web.csv_download import csv_response
from webapp.web.db_session import get_session
from webapp.web.limits import client_ip

bp = Blueprint("staff_evidence", __name__, url_prefix="/staff")
bp.context_processor(page_context)
AUDIT_PAGE = 50
PREVIEW_CELLS = 40


@bp.get("/evidence")
@roles_required(*STAFF_ROLES)
def evidence() -> Any:
    """The exports, their columns, and a preview of the publishable table."""
    state = filter_state(require_user())
    cells = evidence_cells(session=get_session(), filters=state.filters)
    return render_template(
        "staff/evidence.html",
        state=state,
        cells=cells[:PREVIEW_CELLS],
        total_cells=len(cells),
        deal_columns=DEAL_COLUMNS,
        evidence_columns=EVIDENCE_COLUMNS,
        threshold=SUPPRESSION_THRESHOLD,
        marker=SUPPRESSED,
    ), (200 if state.valid else 422)


@bp.get("/evidence/deals.csv")
@roles_required(*STAFF_ROLES)
def deals_csv() -> Any:
    """One row per introduction and its deal, for the filtered cohort."""
    state = filter_state(require_user())
    if not state.valid:
        raise ValidationFailed([], "Fix the filters on the evidence page first")
    session, user = get_session(), require_user()
    record_export(session=session, actor=user, kind="deals", query=state.query, ip=client_ip())
    rows = deal_rows(session=session, filters=state.filters)
    return csv_response("venturematch-deals", [n for n, _ in DEAL_COLUMNS], rows)


@bp.get("/evidence/aggregate.csv")
@roles_required(*STAFF_ROLES)
def aggregate_csv() -> Any:
    """The publishable table as CSV (withheld cells hold [c])."""
    state = filter_state(require_user())
    cells = evidence_cells(session=get_session(), filters=state.filters)
    header = [n for n, _ in EVIDENCE_COLUMNS]
    return csv_response("venturematch-evidence", header, evidence_csv_rows(cells))


@bp.get("/evidence/aggregate.json")
@roles_required(*STAFF_ROLES)
def aggregate_json() -> Any:
    """The publishable table as JSON, with its column guide."""
    state = filter_state(require_user())
    cells = evidence_cells(session=get_session(), filters=state.filters)
    return jsonify(
        {
            "columns": [{"name": n, "description": d} for n, d in EVIDENCE_COLUMNS],
            "suppression": {"threshold": SUPPRESSION_THRESHOLD, "marker": None},
            "cells": cells,
        }
    )


def _audit_filters() -> tuple[AuditFilters, list[str]]:
    args, errors = request.args, []
    dates: dict[str, date | None] = {"from": None, "to": None}
    for key in dates:
        raw = args.get(key, "").strip()
        if raw:
            try:
                dates[key] = date.fromisoformat(raw)
            except ValueError:
                errors.append(f"{key.capitalize()}: write the date as YYYY-MM-DD")
    filters = AuditFilters(
        actor=(args.get("actor") or "").strip()[:254] or None,
        action=(args.get("action") or "").strip()[:60] or None,
        object_type=(args.get("object_type") or "").strip()[:40] or None,
        object_id=(args.get("object_id") or "").strip()[:40] or None,
        date_from=dates["from"],
        date_to=dates["to"],
    )
    return filters, errors


@bp.get("/audit")
@roles_required(*STAFF_ROLES)
def audit() -> Any:
    """Who did what, when: filterable, newest first, with a CSV of the same selection."""
    filters, errors = _audit_filters()
    offset = whole_number(request.args.get("offset", "0")) or 0
    session, user = get_session(), require_user()
    try:
        page = audit_entries(
            session=session, viewer=user, filters=filters, limit=AUDIT_PAGE, offset=offset
        )
    except ValidationFailed as exc:
        errors += [f"{e.field.capitalize()}: {e.message}" for e in exc.errors]
        filters = AuditFilters()
        page = audit_entries(session=session, viewer=user, filters=filters, limit=AUDIT_PAGE)
    return render_template(
        "staff/audit.html",
        page=page,
        filters=filters,
        errors=errors,
        actions=audit_actions(session=session),
        action_label=action_label,
        object_labels=OBJECT_LABELS,
    ), (422 if errors else 200)


@bp.get("/audit.csv")
@roles_required(*STAFF_ROLES)
def audit_csv() -> Any:
    """The selected entries as CSV, oldest first."""
    filters, errors = _audit_filters()
    if errors:
        raise ValidationFailed([], "; ".join(errors))
    session, user = get_session(), require_user()
    record_export(
        session=session, actor=user, kind="audit", query=filters.as_query(), ip=client_ip()
    )
    rows = audit_csv_rows(session=session, viewer=user, filters=filters)
    return csv_response("venturematch-audit", list(AUDIT_COLUMNS), rows)
