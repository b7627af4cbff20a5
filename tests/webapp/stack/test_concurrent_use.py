"""A minute of concurrent use of a real `make run` stack answers without one server error.

Founders edit their published ventures (each save makes the worker rescore), staff export the
deal CSV and the audit log through the API and the pages while reading the audit trail, an
investor pages through matches (whose impressions are written on read) and an admin starts full
refreshes. Exports write an audit row from a GET: on SQLite that once failed with "database is
locked" and left pooled connections pinned to an old snapshot, so that later saves failed
instantly and the WAL could not be checkpointed. Afterwards every connection must still work.
"""

from __future__ import annotations

import collections
import http.cookiejar
import json
import os
import re
import sqlite3
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest

from tests.live_stack import LiveStack, live_stack

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

LOAD_SECONDS = float(os.environ.get("CONCURRENCY_TEST_SECONDS", "60"))
FOUNDERS = 4
STAFF = ("staff@demo.venturematch.example", "humber-estuary-staff-2025")
ADMIN = ("admin@demo.venturematch.example", "mersey-ferry-admin-2025")
INVESTOR = ("investor@demo.venturematch.example", "pennine-way-investor-2025")
_CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


class LoopbackCookies(http.cookiejar.DefaultCookiePolicy):
    """Send Secure cookies to http://127.0.0.1 as browsers do (loopback is a secure context)."""

    def return_ok_secure(self, cookie: http.cookiejar.Cookie, request: object) -> bool:
        return True


@dataclass
class Client:
    """One person's HTTP client: a bearer token for the API, or cookies for the pages."""

    base: str
    token: str | None = None
    opener: urllib.request.OpenerDirector = field(
        default_factory=lambda: urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar(LoopbackCookies()))
        )
    )

    def call(
        self, method: str, path: str, body: object = None, form: dict[str, str] | None = None
    ) -> tuple[int, bytes]:
        """Send one request; return the status and the whole body."""
        data, headers = None, {}
        if body is not None:
            data, headers["Content-Type"] = json.dumps(body).encode(), "application/json"
        if form is not None:
            data = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(self.base + path, data, headers, method=method)
        try:
            with self.opener.open(request, timeout=120) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()


def _api_client(base: str, email: str, password: str) -> Client:
    client = Client(base)
    credentials = {"email": email, "password": password}
    status, body = client.call("POST", "/api/v1/auth/tokens", credentials)
    assert status == 201, body
    client.token = json.loads(body)["token"]
    return client


def _page_client(base: str, email: str, password: str) -> Client:
    client = Client(base)
    _status, page = client.call("GET", "/sign-in")
    found = _CSRF.search(page.decode())
    assert found, "the sign-in page carries a CSRF token"
    form = {"email": email, "password": password, "csrf_token": found.group(1), "next": ""}
    status, body = client.call("POST", "/sign-in", form=form)
    assert status == 200, body[:500]  # redirected to the signed-in home page
    return client


def _founder_with_venture(base: str, number: int) -> tuple[Client, int]:
    email, password = f"load-founder-{number}@example.org", "a-long-load-test-password-1"
    status, body = Client(base).call(
        "POST",
        "/api/v1/auth/register",
        {"email": email, "password": password, "name": f"Load Founder {number}", "role": "founder"},
    )
    assert status == 201, body
    founder = _api_client(base, email, password)
    venture = {
        "name": f"Load Test Venture {number}",
        "summary": "Sensors that tell a factory when its motors need care, before they fail.",
        "sectors": ["ai"],
        "stage": "seed",
        "raise_amount_gbp": 500_000,
        "instruments": ["equity"],
        "region": "west_yorkshire_ca",
        "spinout": False,
        "visibility": "published",
    }
    status, body = founder.call("POST", "/api/v1/ventures", venture)
    assert status == 201, body
    return founder, int(json.loads(body)["id"])


class Tally:
    """Statuses per kind of request, and every server error with its body."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.statuses: collections.Counter[tuple[str, int]] = collections.Counter()
        self.server_errors: list[tuple[str, int, bytes]] = []

    def record(self, kind: str, status: int, body: bytes) -> None:
        with self.lock:
            self.statuses[(kind, status)] += 1
            if status >= 500:
                self.server_errors.append((kind, status, body[:300]))

    def count(self, kind: str, status: int) -> int:
        return self.statuses[(kind, status)]

    def summary(self) -> str:
        """Server errors by kind of request, and the first few bodies."""
        kinds = collections.Counter(kind for kind, _status, _body in self.server_errors)
        first = [body for _kind, _status, body in self.server_errors[:3]]
        return f"server errors by request: {dict(kinds)}; first bodies: {first}"


def _loop(until: float, tally: Tally, kind: str, step: Callable[[int], tuple[int, bytes]]) -> None:
    turn = 0
    while time.monotonic() < until:
        turn += 1
        try:
            status, body = step(turn)
        except OSError as error:  # a dropped connection counts as a server failure
            status, body = 599, repr(error).encode()
        tally.record(kind, status, body)


def _run_load(stack: LiveStack, founders: list[tuple[Client, int]]) -> Tally:
    base, tally = stack.url, Tally()
    staff_api = _api_client(base, *STAFF)
    staff_pages = _page_client(base, *STAFF)
    admin = _api_client(base, *ADMIN)
    investor = _api_client(base, *INVESTOR)
    status, body = investor.call("GET", "/api/v1/investors/mine")
    assert status == 200, body
    investor_id = json.loads(body)["id"]
    until = time.monotonic() + LOAD_SECONDS

    def edit(founder: Client, venture_id: int) -> Callable[[int], tuple[int, bytes]]:
        return lambda turn: founder.call(
            "PATCH",
            f"/api/v1/ventures/{venture_id}",
            {"raise_amount_gbp": 400_000 + 1_000 * (turn % 500), "team_size": 1 + turn % 40},
        )

    def refresh(turn: int) -> tuple[int, bytes]:
        time.sleep(0 if turn == 1 else 15)  # a full refresh now and then, as a nightly run
        return admin.call("POST", "/api/v1/pipeline/refresh")

    jobs: list[tuple[str, Callable[[int], tuple[int, bytes]]]] = [
        (f"founder {n} PATCH venture", edit(founder, venture_id))
        for n, (founder, venture_id) in enumerate(founders)
    ]
    jobs += [
        ("staff API export.csv", lambda _t: staff_api.call("GET", "/api/v1/pipeline/export.csv")),
        ("staff API audit.csv", lambda _t: staff_api.call("GET", "/api/v1/audit.csv")),
        ("staff API audit", lambda _t: staff_api.call("GET", "/api/v1/audit?limit=50")),
        ("staff page deals.csv", lambda _t: staff_pages.call("GET", "/staff/evidence/deals.csv")),
        ("staff page audit.csv", lambda _t: staff_pages.call("GET", "/staff/audit.csv")),
        (
            "investor matches",
            lambda t: investor.call(
                "GET", f"/api/v1/investors/{investor_id}/matches?limit=20&offset={20 * (t % 3)}"
            ),
        ),
        ("admin full refresh", refresh),
    ]
    threads = [
        threading.Thread(target=_loop, args=(until, tally, kind, step), daemon=True)
        for kind, step in jobs
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=LOAD_SECONDS + 180)
    return tally


def _eventually(check: Callable[[], object], seconds: float = 60) -> object:
    """The check's first truthy answer, polling; its last answer when time runs out."""
    deadline = time.monotonic() + seconds
    while True:
        answer = check()
        if answer or time.monotonic() > deadline:
            return answer
        time.sleep(1)


def _wal_checkpoints_fully(database: Path) -> Callable[[], tuple[int, int, int] | None]:
    def check() -> tuple[int, int, int] | None:
        with sqlite3.connect(database, timeout=30) as connection:
            busy, frames, done = connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        return (busy, frames, done) if busy == 0 and frames == done else None

    return check


def _no_transaction_left_open(url: str) -> Callable[[], bool]:
    def check() -> bool:
        with psycopg.connect(url) as connection:
            (stuck,) = connection.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND state LIKE 'idle in transaction%' AND now() - state_change > interval '5 s'"
            ).fetchone() or (0,)
        return stuck == 0

    return check


@pytest.fixture
def stack(tmp_path: Path, db: object) -> Iterator[LiveStack]:
    """The stack on the suite's database (emptied first by `db`) or its own SQLite file."""
    with live_stack(tmp_path / "instance") as running:
        yield running


def test_a_minute_of_concurrent_writes_exports_and_refreshes_has_no_server_error(stack):
    started = datetime.now(UTC)
    founders = [_founder_with_venture(stack.url, n) for n in range(FOUNDERS)]

    tally = _run_load(stack, founders)

    assert tally.server_errors == [], tally.summary()
    for kind in ("staff API export.csv", "staff API audit.csv", "staff page deals.csv"):
        assert tally.count(kind, 200) >= 3, dict(tally.statuses)
    for number in range(FOUNDERS):
        assert tally.count(f"founder {number} PATCH venture", 200) >= 10, dict(tally.statuses)
    assert tally.count("admin full refresh", 202) >= 1, dict(tally.statuses)

    # The worker rescored the edited ventures while all that went on.
    def rescored() -> bool:
        for founder, venture_id in founders:
            status, body = founder.call("GET", f"/api/v1/ventures/{venture_id}/matches?limit=1")
            items = json.loads(body)["items"] if status == 200 else []
            if not items or datetime.fromisoformat(items[0]["computed_at"]) < started:
                return False
        return True

    assert _eventually(rescored), "the worker refreshed every edited venture"

    # No connection was left unusable: every web worker saves at once again...
    for founder, venture_id in founders:
        statuses = [
            founder.call("PATCH", f"/api/v1/ventures/{venture_id}", {"team_size": n})[0]
            for n in range(1, 11)
        ]
        assert statuses == [200] * 10
    # ...and nothing holds an old snapshot or an open transaction.
    database_url = os.environ.get("TEST_DATABASE_URL")
    if database_url:
        assert _eventually(_no_transaction_left_open(database_url), 30)
    else:
        assert _eventually(_wal_checkpoints_fully(stack.instance / "venturematch.db"), 30)
