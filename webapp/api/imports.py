"""Bulk CSV imports over the API: the CSV text travels inside a JSON body.

- `POST /api/v1/imports/ventures` and `/imports/investors` (staff and admins);
- `POST /api/v1/investors/{investor_id}/portfolio` (members of that investor, or staff).

Every row is checked first. 201 with the report when rows were written; 422 problem+json with
one `errors` entry per bad cell (field `line <n>: <column>`) and the full `report` when nothing
was written. Column lists are in `webapp.services.imports`.
"""

from __future__ import annotations

from typing import Any, Literal

from flask import Response, json
from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, Field

from webapp.api._common import WRITE_ERRORS, Id, problems, validated
from webapp.api._pipeline_models import STAFF, client_ip
from webapp.api.errors import PROBLEM_MEDIA_TYPE
from webapp.services.imports import (
    ImportMode,
    ImportReport,
    import_investors,
    import_portfolio,
    import_ventures,
)
from webapp.web.auth import SECURITY, api_auth, require_user
from webapp.web.db_session import get_session

api = APIBlueprint("imports_api", __name__, url_prefix="/api/v1", abp_tags=[Tag(name="imports")])

MAX_CSV_CHARS = 1_900_000  # inside the 2 MB request limit
Mode = Literal["all_or_nothing", "good_rows"]


class ImportIn(BaseModel):
    """A CSV file's text and what to do if some rows are bad."""

    csv: str = Field(min_length=1, max_length=MAX_CSV_CHARS)
    mode: Mode = "all_or_nothing"


class VentureImportIn(ImportIn):
    """Optionally enrol every venture of the file in a programme."""

    programme_id: Id | None = None


class PortfolioImportIn(ImportIn):
    """Optionally import only the rows naming this investor (ignoring case)."""

    investor_name: str | None = Field(default=None, max_length=200)


class RowErrorOut(BaseModel):
    """One bad cell: the line in the file (header = 1), the column, its text and why."""

    line: int
    field: str
    value: str
    message: str


class ImportReportOut(BaseModel):
    """What the import did."""

    kind: str
    mode: Mode
    rows: int
    good_rows: int
    bad_rows: int
    written: int
    duplicates: int
    skipped: int
    committed: bool
    created_ids: list[int]
    errors: list[RowErrorOut]


class InvestorPath(BaseModel):
    """An investor id."""

    investor_id: Id


def _answer(report: ImportReport) -> tuple[dict[str, Any], int] | Response:
    if report.committed:
        return report.as_dict(), 201
    body = {
        "type": "about:blank",
        "title": "Validation failed",
        "status": 422,
        "detail": f"{len(report.bad_lines)} of {report.rows} rows are bad; nothing was written. "
        "Fix them, or send mode=good_rows to write the others.",
        "errors": [
            {"field": f"line {e.line}: {e.field}", "message": e.message} for e in report.errors
        ],
        "report": report.as_dict(),
    }
    return Response(json.dumps(body), status=422, mimetype=PROBLEM_MEDIA_TYPE)


@api.post(
    "/imports/ventures",
    security=SECURITY,
    responses={201: ImportReportOut, **problems(*WRITE_ERRORS)},
)
@api_auth(*STAFF)
@validated
def ventures(body: VentureImportIn) -> tuple[dict[str, Any], int] | Response:
    """Import a cohort of ventures, each owned by an existing founder account."""
    report = import_ventures(
        session=get_session(),
        actor=require_user(),
        content=body.csv,
        mode=ImportMode(body.mode),
        programme_id=body.programme_id,
        ip=client_ip(),
    )
    return _answer(report)


@api.post(
    "/imports/investors",
    security=SECURITY,
    responses={201: ImportReportOut, **problems(*WRITE_ERRORS)},
)
@api_auth(*STAFF)
@validated
def investors(body: ImportIn) -> tuple[dict[str, Any], int] | Response:
    """Import investors: an organisation and its mandate per row."""
    report = import_investors(
        session=get_session(),
        actor=require_user(),
        content=body.csv,
        mode=ImportMode(body.mode),
        ip=client_ip(),
    )
    return _answer(report)


@api.post(
    "/investors/<int:investor_id>/portfolio",
    security=SECURITY,
    responses={201: ImportReportOut, **problems(*WRITE_ERRORS)},
)
@api_auth("investor", *STAFF)
@validated
def portfolio(path: InvestorPath, body: PortfolioImportIn) -> tuple[dict[str, Any], int] | Response:
    """Import the investor's past deals (Crunchbase 2013 columns); they feed its track record."""
    report = import_portfolio(
        session=get_session(),
        actor=require_user(),
        investor_id=path.investor_id,
        content=body.csv,
        mode=ImportMode(body.mode),
        investor_name=body.investor_name,
        ip=client_ip(),
    )
    return _answer(report)
