"""CSV downloads for pages and the API: streamed, dated file names, documented in OpenAPI."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from flask import Response, stream_with_context

from webapp.models import utcnow
from webapp.services.common.csv_out import csv_lines
from webapp.web.db_session import release_session

# The OpenAPI response entry of a CSV download.
CSV_RESPONSE = {
    "description": "A CSV file (UTF-8, a header line, CRLF line ends)",
    "content": {"text/csv": {"schema": {"type": "string"}}},
}


def csv_response(name: str, header: Sequence[str], rows: Iterable[Sequence[object]]) -> Response:
    """A streamed CSV download named `<name>-<date>.csv`; the rows are read from the database
    before this is called, so the connection goes back to the pool before the first byte."""
    release_session()
    stamp = utcnow().date().isoformat()
    response = Response(
        stream_with_context(csv_lines(header, rows)), content_type="text/csv; charset=utf-8"
    )
    response.headers["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.csv"'
    return response
