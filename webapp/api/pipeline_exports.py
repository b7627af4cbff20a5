"""`/api/v1/pipeline/export.csv` and the evidence exports (staff and admins only).

`export.csv` has one row per introduction and the deal it opened, for the programme's own
evidence; `evidence` / `evidence.csv` aggregate by growth sector × region × quarter with
cells under 5 withheld, safe to publish. Columns are documented in
`webapp.services.reports.evidence` and repeated in the JSON body.
"""

from __future__ import annotations

from typing import Any

from flask import Response
from flask_openapi3 import APIBlueprint, Tag

from webapp.api._common import READ_ERRORS, problems, validated
from webapp.api._pipeline_models import STAFF, EvidenceOut, PipelineQuery, client_ip
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
from webapp.web.auth import SECURITY, api_auth, require_user
from webapp.web.csv_download import CSV_RESPONSE, csv_response
from webapp.web.db_session import get_session

api = APIBlueprint(
    "pipeline_exports_api",
    __name__,
    url_prefix="/api/v1/pipeline",
    abp_tags=[Tag(name="pipeline")],
)

SUPPRESSION_RULE = (
    f"A count from 1 to {SUPPRESSION_THRESHOLD - 1} is withheld, and so is any sum of money "
    f"resting on fewer than {SUPPRESSION_THRESHOLD} ventures; withheld values are null in JSON "
    f"and {SUPPRESSED} in CSV. No totals are published, so withheld cells cannot be derived."
)


@api.get("/export.csv", security=SECURITY, responses={200: CSV_RESPONSE, **problems(*READ_ERRORS)})
@api_auth(*STAFF)
@validated
def export_csv(query: PipelineQuery) -> Response:
    """One row per introduction of the cohort, with the deal it opened (for evidence)."""
    user, session = require_user(), get_session()
    filters = query.filters(user)
    record_export(
        session=session, actor=user, kind="deals", query=filters.as_query(), ip=client_ip()
    )
    rows = deal_rows(session=session, filters=filters)
    return csv_response("venturematch-deals", [name for name, _ in DEAL_COLUMNS], rows)


def _evidence(query: PipelineQuery) -> list[dict[str, Any]]:
    return evidence_cells(session=get_session(), filters=query.filters(require_user()))


@api.get("/evidence", security=SECURITY, responses={200: EvidenceOut, **problems(*READ_ERRORS)})
@api_auth(*STAFF)
@validated
def evidence(query: PipelineQuery) -> tuple[dict[str, Any], int]:
    """Counts by growth sector × region × quarter of publication, small cells withheld."""
    body = {
        "columns": [{"name": n, "description": d} for n, d in EVIDENCE_COLUMNS],
        "suppression": {"threshold": SUPPRESSION_THRESHOLD, "rule": SUPPRESSION_RULE},
        "cells": _evidence(query),
    }
    return body, 200


@api.get(
    "/evidence.csv", security=SECURITY, responses={200: CSV_RESPONSE, **problems(*READ_ERRORS)}
)
@api_auth(*STAFF)
@validated
def evidence_csv(query: PipelineQuery) -> Response:
    """The evidence table as CSV; withheld cells hold [c]."""
    cells = _evidence(query)
    header = [name for name, _ in EVIDENCE_COLUMNS]
    return csv_response("venturematch-evidence", header, evidence_csv_rows(cells))
