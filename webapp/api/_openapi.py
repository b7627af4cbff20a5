"""OpenAPI response entries for problem+json errors, so the documented schema matches the wire.

Use beside `webapp.web.auth.SECURITY`::

    @api.get("/me", security=SECURITY, responses={200: MeOut, **problem_responses(401)})
"""

from __future__ import annotations

from functools import cache
from http import HTTPStatus
from typing import Any

from pydantic import BaseModel

from webapp.api.errors import PROBLEM_MEDIA_TYPE, Problem

# The shape flask-openapi3 accepts for `responses=`.
ResponseEntries = dict[str | int, type[BaseModel] | dict[Any, Any] | None]

_HEADERS: dict[int, dict[str, Any]] = {
    401: {
        "WWW-Authenticate": {
            "description": "The scheme to use: Bearer",
            "schema": {"type": "string"},
        }
    },
    429: {
        "Retry-After": {
            "description": "Seconds to wait before trying again",
            "schema": {"type": "string"},
        }
    },
}
_DESCRIPTIONS = {
    400: "Malformed JSON",
    401: "No valid bearer token (or wrong credentials)",
    403: "Signed in, but not allowed to do this",
    404: "Not found (or not visible to the caller)",
    409: "Conflicts with the current state",
    413: "Request body too large",
    415: "Body is not JSON",
    422: "Validation failed; `errors` names each field",
    429: "Rate limited; see Retry-After",
}


@cache
def problem_schema() -> dict[str, Any]:
    """The Problem model's JSON schema with its `$defs` inlined (no document-level refs)."""
    schema = Problem.model_json_schema()
    definitions = schema.pop("$defs", {})

    def inline(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                return inline(definitions[ref.removeprefix("#/$defs/")])
            return {key: inline(value) for key, value in node.items()}
        if isinstance(node, list):
            return [inline(item) for item in node]
        return node

    inlined: dict[str, Any] = inline(schema)
    return inlined


def problem_responses(*statuses: int) -> ResponseEntries:
    """`responses=` entries documenting problem+json bodies (and their headers) per status."""
    found: ResponseEntries = {}
    for status in statuses:
        entry: dict[str, Any] = {
            "description": _DESCRIPTIONS.get(status, HTTPStatus(status).phrase),
            "content": {PROBLEM_MEDIA_TYPE: {"schema": problem_schema()}},
        }
        if status in _HEADERS:
            entry["headers"] = _HEADERS[status]
        found[status] = entry
    return found
