"""Lists cost a fixed number of SQL statements, whatever the page size (no N+1).

Each list is fetched with a page of 2 and a page of 40 items; the statements the app sends
to the database (counted by an engine event listener) must be the same number.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from flask import Flask
from sqlalchemy import Engine, event
from sqlmodel import Session

from tests.factories import DealFactory, IntroductionFactory, VentureFactory
from tests.webapp.api.helpers import Caller
from tests.webapp.ventures.factories import FeedbackFactory, MatchFactory, NotificationFactory
from tests.webapp.ventures.parties import Founder, Investor, make_founder, make_investor
from tests.webapp.web_client import sign_in
from webapp.models import User

ITEMS = 45


@contextmanager
def counted(engine: Engine) -> Iterator[list[str]]:
    """Collect every statement sent to the database while the block runs."""
    statements: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def add_activity(founder: Founder, investor: Investor, count: int, start: int = 1) -> None:
    """Matches both ways, feedback, introductions, deals and notifications for the pair."""
    for rank in range(start, start + count):
        venture = VentureFactory(owner_id=founder.user.id)
        MatchFactory(venture_id=venture.id, investor_id=investor.profile.id, investor_rank=rank)
        other = make_investor()
        MatchFactory(venture_id=founder.venture.id, investor_id=other.profile.id, venture_rank=rank)
        if rank % 3 == 0:
            FeedbackFactory(investor_id=investor.profile.id, venture_id=venture.id)
        IntroductionFactory(venture_id=venture.id, investor_id=other.profile.id)
        DealFactory(
            introduction__venture_id=venture.id,
            introduction__investor_id=investor.profile.id,
            introduction__requested_by=investor.user.id,
        )
        NotificationFactory(user_id=founder.user.id)
        NotificationFactory(user_id=investor.user.id)


@pytest.fixture
def busy(session: Session) -> tuple[Founder, Investor]:
    """A founder and an investor with many matches, introductions, deals and notifications."""
    founder, investor = make_founder(), make_investor()
    add_activity(founder, investor, ITEMS)
    return founder, investor


def _api_lists(founder: Founder, investor: Investor) -> list[tuple[str, str, str]]:
    return [
        ("investor", f"/api/v1/investors/{investor.profile.id}/matches", "limit"),
        ("founder", f"/api/v1/ventures/{founder.venture.id}/matches", "limit"),
        ("founder", "/api/v1/ventures", "limit"),
        ("investor", "/api/v1/ventures", "limit"),
        ("founder", "/api/v1/introductions", "limit"),
        ("investor", "/api/v1/deals", "limit"),
        ("founder", "/api/v1/deals", "limit"),
        ("investor", "/api/v1/notifications", "limit"),
    ]


def test_api_lists_use_a_fixed_number_of_queries(
    app: Flask,
    busy: tuple[Founder, Investor],
    as_user: Callable[[User | None], Caller],
) -> None:
    founder, investor = busy
    engine: Engine = app.extensions["venturematch.engine"]
    callers = {"founder": as_user(founder.user), "investor": as_user(investor.user)}
    for role, url, limit in _api_lists(founder, investor):
        counts = []
        for size in (2, 40):
            callers[role].get(f"{url}?{limit}={size}")  # warm: token touch, caches
            with counted(engine) as statements:
                response = callers[role].get(f"{url}?{limit}={size}")
            assert response.status_code == 200, (url, response.get_json())
            assert len(response.get_json()["items"]) == size, url
            counts.append(len(statements))
        assert counts[0] == counts[1], f"{url}: {counts[0]} queries for 2 items, {counts[1]} for 40"
        assert counts[1] <= 8, f"{url}: {counts[1]} queries"


def test_list_pages_cost_the_same_with_ten_times_the_data(app: Flask, session: Session) -> None:
    founder, investor = make_founder(), make_investor()
    add_activity(founder, investor, 4)
    engine: Engine = app.extensions["venturematch.engine"]
    pages = [
        (investor.user, "/investor/matches?limit=50"),
        (investor.user, "/investor/shortlist"),
        (investor.user, "/deals"),
        (founder.user, "/deals"),
        (founder.user, "/introductions"),
        (investor.user, "/introductions"),
        (founder.user, "/notifications"),
        (founder.user, "/founder/ventures"),
        (founder.user, f"/founder/ventures/{founder.venture.id}"),
    ]
    clients = {}
    for user in (founder.user, investor.user):
        clients[user.id] = app.test_client()
        sign_in(clients[user.id], user.email)

    def costs() -> list[int]:
        found = []
        for user, url in pages:
            client = clients[user.id]
            client.get(url)  # warm per-process caches (model, investor pool)
            with counted(engine) as statements:
                response = client.get(url)
            assert response.status_code == 200, url
            found.append(len(statements))
        return found

    few = costs()
    add_activity(founder, investor, 40, start=5)
    many = costs()
    for (_, url), small, large in zip(pages, few, many, strict=True):
        assert small == large, f"{url}: {small} queries with little data, {large} with more"
        assert large <= 16, f"{url}: {large} queries"
