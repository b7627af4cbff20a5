"""Every operation in /api/openapi.json, fuzzed: no 5xx, and every response as documented.

Runs in-process against the WSGI app (no server), authenticated with real bearer tokens; the
caller's role follows the operation's resource, so most requests get past authentication.
One test per operation, each on a fresh database holding a small world of real objects.
`make fuzz` (tests/fuzz.py) runs the same checks against a whole stack, as every role, for
thousands of requests.
"""

from __future__ import annotations

import itertools
import tempfile
from pathlib import Path

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from sqlmodel import Session

from tests.fuzz import CHECKS
from tests.webapp.api.world import World, bearer, build_world
from webapp import create_app
from webapp.config import load_settings
from webapp.models import User

EXAMPLES_PER_OPERATION = 50


def _documented_operations() -> list[tuple[str, str]]:
    """(method, path) of every operation, read from the document at collection time."""
    with tempfile.TemporaryDirectory() as directory:
        settings_ = load_settings(
            {
                "DATABASE_URL": f"sqlite:///{Path(directory) / 'schema.db'}",
                "INSTANCE_DIR": directory,
                "SECRET_KEY": "collection-only-secret-key-0123456789",
            }
        )
        app = create_app({"TESTING": True}, settings=settings_)
        try:
            document = app.test_client().get("/api/openapi.json").get_json()
        finally:
            app.extensions["venturematch.engine"].dispose()
    return [
        (method.upper(), path)
        for path, operations in document["paths"].items()
        for method in operations
        if method in {"get", "post", "put", "patch", "delete"}
    ]


OPERATIONS = _documented_operations()
_rotation = itertools.cycle(["founder", "investor", "staff", "other_founder", "other_investor"])


def _caller(world: World, path: str) -> User:
    """Who sends the request: the role most of the resource's operations are for."""
    users = world.users()
    if path.startswith("/api/v1/ventures"):
        return users["founder"]
    if path.startswith("/api/v1/investors"):
        return users["investor"]
    if path.startswith(("/api/v1/pipeline", "/api/v1/admin", "/api/v1/programmes")):
        return users["staff"]
    return users[next(_rotation)]


def test_the_document_lists_the_resource_operations() -> None:
    labels = {f"{m} {p}" for m, p in OPERATIONS}
    for expected in (
        "POST /api/v1/ventures",
        "GET /api/v1/investors/{investor_id}/matches",
        "POST /api/v1/introductions/{introduction_id}/accept",
        "PATCH /api/v1/deals/{deal_id}",
        "POST /api/v1/notifications/{notification_id}/read",
    ):
        assert expected in labels


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_operation_conforms(method: str, path: str, app: Flask, session: Session) -> None:
    world = build_world(session)
    operation = schemathesis.openapi.from_wsgi("/api/openapi.json", app)[path][method]
    cases = operation.as_strategy(GenerationMode.POSITIVE) | operation.as_strategy(
        GenerationMode.NEGATIVE
    )
    calls: list[int] = []

    @given(case=cases)
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    def fuzz(case: schemathesis.Case) -> None:
        response = case.call_and_validate(
            headers=bearer(session, _caller(world, path)), checks=CHECKS
        )
        calls.append(response.status_code)

    fuzz()
    assert calls  # the operation was exercised, not skipped
