"""`make fuzz`'s runner: it signs in as every demo role, counts what it sends, and reports a
server error (with a way to reproduce it) instead of missing it."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from werkzeug.serving import make_server

from tests.factories import AdminFactory, FounderFactory, InvestorUserFactory, StaffFactory
from tests.fuzz import DEMO_LOGINS, ROLES, fuzz
from webapp import create_app
from webapp.services.accounts.passwords import hash_password

FACTORIES = {
    "founder": FounderFactory,
    "investor": InvestorUserFactory,
    "staff": StaffFactory,
    "admin": AdminFactory,
}
OPERATIONS = {"GET /api/v1/taxonomy", "GET /api/v1/me"}


@pytest.fixture
def served(session, settings) -> Iterator[str]:
    """The app behind a real HTTP server, with the demo accounts the runner signs in as."""
    for role, (email, password) in DEMO_LOGINS.items():
        FACTORIES[role](email=email, password_hash=hash_password(password))
    app = create_app({}, settings=settings)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()
        app.extensions["venturematch.engine"].dispose()


def test_every_role_is_exercised_and_a_clean_api_passes(served):
    tally = fuzz(served, 20, only=OPERATIONS.__contains__, log=lambda _line: None)
    assert tally.total >= 20
    assert set(tally.requests) == set(ROLES)
    assert tally.statuses["founder"][200] >= 1  # signed in: /me answers
    assert tally.statuses["anonymous"][401] >= 1
    assert tally.problems == {}


def test_a_server_error_is_reported_with_a_curl_command(served, monkeypatch):
    def broken() -> None:
        raise RuntimeError("simulated fault")

    monkeypatch.setattr("webapp.api.taxonomy.taxonomy_document", broken)
    tally = fuzz(served, 10, only=OPERATIONS.__contains__, log=lambda _line: None)
    failing = {(p.operation, p.status) for p in tally.problems.values()}
    assert failing == {("GET /api/v1/taxonomy", 500)}
    assert all("curl" in p.curl and "/api/v1/taxonomy" in p.curl for p in tally.problems.values())
