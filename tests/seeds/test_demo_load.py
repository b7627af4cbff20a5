"""Loading demo data writes every record once, keeps what is there and queues one refresh."""

from __future__ import annotations

import time
from datetime import date
from functools import cache

import pytest
from sqlalchemy import Engine, func, select
from sqlmodel import Session

from seeds.demo import DEMO_ACCOUNTS, DemoDataset, generate
from seeds.demo.load import LoadReport, load_dataset, table_counts
from webapp.db import session_scope
from webapp.models import (
    InvestorProfile,
    InvestorProfileCreate,
    OutboxEvent,
    User,
    Venture,
    VentureCreate,
)
from webapp.services.accounts.passwords import password_problems, verify_password
from webapp.services.outbox.outbox import FULL_REFRESH_REQUESTED

AS_OF = date(2026, 6, 30)
SERVER_SET_VENTURE_FIELDS = {
    "id", "owner_id", "created_at", "updated_at", "published_at", "visibility",
}  # fmt: skip


@cache
def demo(ventures: int = 300, investors: int = 80) -> DemoDataset:
    return generate(ventures, investors, 7, as_of=AS_OF)


def load(engine: Engine, dataset: DemoDataset) -> LoadReport:
    with session_scope(engine) as session:
        return load_dataset(session=session, dataset=dataset)


def counts(engine: Engine) -> dict[str, int]:
    with Session(engine) as session:
        found = table_counts(session)
        found["outbox_event"] = session.execute(
            select(func.count()).select_from(OutboxEvent)
        ).scalar_one()
        return found


def expected_counts(dataset: DemoDataset) -> dict[str, int]:
    deals = [i.deal for i in dataset.introductions if i.deal is not None]
    return {
        "organisation": len(dataset.organisations),
        "user": len(dataset.users),
        "platform_staff": sum(1 for u in dataset.users if u.role == "staff"),
        "investor_profile": len(dataset.investors),
        "venture": len(dataset.ventures),
        "portfolio_deal": len(dataset.portfolio),
        "feedback": len(dataset.feedback),
        "introduction": len(dataset.introductions),
        "deal": len(deals),
        "deal_event": sum(len(d.events) for d in deals),
        "outbox_event": 1,
    }


def test_default_demo_dataset_loads_every_record(db: Engine) -> None:
    report = load(db, demo())
    assert counts(db) == expected_counts(demo())
    assert report.total == sum(expected_counts(demo()).values()) - 1
    assert report.refresh_requested


def test_loading_twice_adds_nothing(db: Engine) -> None:
    load(db, demo())
    first = counts(db)
    again = load(db, demo())
    assert counts(db) == first
    assert again.total == 0
    assert not again.refresh_requested


def test_one_full_refresh_is_queued_for_the_workers(db: Engine) -> None:
    load(db, demo())
    with Session(db) as session:
        events = session.execute(select(OutboxEvent)).scalars().all()
    assert [e.kind for e in events] == [FULL_REFRESH_REQUESTED]
    assert events[0].dispatched_at is None


def test_growing_the_dataset_adds_only_new_records(db: Engine) -> None:
    load(db, demo(100, 20))
    load(db, demo())
    found = counts(db)
    assert found["venture"] == 300
    assert found["organisation"] == found["investor_profile"] == 80
    with Session(db) as session:
        pairs = session.execute(select(Venture.owner_id, Venture.name)).all()
    assert len(pairs) == len(set(pairs))


def test_demo_logins_work_and_generated_people_cannot_sign_in(db: Engine) -> None:
    load(db, demo())
    with Session(db) as session:
        users = {u.email: u for u in session.execute(select(User)).scalars()}
    for account in DEMO_ACCOUNTS:
        user = users[account.email]
        assert user.role == account.role
        assert user.password_hash.startswith("$argon2id$")
        assert verify_password(user.password_hash, account.password)
    generated = [u for e, u in users.items() if e not in {a.email for a in DEMO_ACCOUNTS}]
    assert len({u.password_hash for u in generated}) == 1  # one hash, computed once
    assert not verify_password(generated[0].password_hash, "")


def test_demo_passwords_meet_the_platforms_own_rules() -> None:
    for account in DEMO_ACCOUNTS:
        assert password_problems(account.password, email=account.email) == []


def test_demo_investor_belongs_to_an_organisation_with_a_mandate(db: Engine) -> None:
    load(db, demo())
    with Session(db) as session:
        investor = session.execute(
            select(User).where(User.email == "investor@demo.venturematch.example")
        ).scalar_one()
        profile = session.execute(
            select(InvestorProfile).where(
                InvestorProfile.organisation_id == investor.organisation_id
            )
        ).scalar_one()
        founder = session.execute(
            select(User).where(User.email == "founder@demo.venturematch.example")
        ).scalar_one()
        owned = session.execute(select(Venture).where(Venture.owner_id == founder.id)).all()
    assert profile.active
    assert profile.sectors
    assert len(owned) >= 2


def test_an_existing_user_is_left_alone(db: Engine) -> None:
    with session_scope(db) as session:
        session.add(
            User(
                email="founder@demo.venturematch.example",
                name="Already Here",
                password_hash="$argon2id$kept",
                role="founder",
            )
        )
    load(db, demo())
    with Session(db) as session:
        user = session.execute(
            select(User).where(User.email == "founder@demo.venturematch.example")
        ).scalar_one()
        owned = session.execute(select(Venture).where(Venture.owner_id == user.id)).all()
    assert (user.name, user.password_hash) == ("Already Here", "$argon2id$kept")
    assert len(owned) >= 2


def test_loaded_rows_pass_the_apis_own_validation(db: Engine) -> None:
    load(db, demo())
    with Session(db) as session:
        ventures = session.execute(select(Venture)).scalars().all()
        profiles = session.execute(select(InvestorProfile)).scalars().all()
    for venture in ventures:
        VentureCreate.model_validate(venture.model_dump(exclude=SERVER_SET_VENTURE_FIELDS))
    for profile in profiles:
        InvestorProfileCreate.model_validate(
            profile.model_dump(exclude={"id", "organisation_id", "created_at", "updated_at"})
        )


@pytest.mark.slow
def test_benchmark_sized_dataset_generates_and_loads_within_two_minutes(db: Engine) -> None:
    started = time.perf_counter()
    dataset = generate(10_000, 2_000, 7, as_of=AS_OF)
    report = load(db, dataset)
    elapsed = time.perf_counter() - started
    assert report.inserted["venture"] == 10_000
    assert report.inserted["investor_profile"] == 2_000
    assert elapsed < 120, f"took {elapsed:.0f} s"
