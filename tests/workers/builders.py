"""Test data for the ranking: a varied market of ventures and investors, and what changes it.

Built on `tests.factories`; every code is a real taxonomy code. `stored_lists` and
`expected_lists` return {(venture, investor): (venture_rank, investor_rank)} to compare.
"""

from __future__ import annotations

import random
from typing import Any

from sqlmodel import Session

from tests.factories import (
    InvestorProfileFactory,
    InvestorUserFactory,
    OrganisationFactory,
    VentureFactory,
)
from webapp.config import Settings
from webapp.models import InvestorProfile, User, Venture, utcnow
from webapp.models.enums import EmailFrequency
from webapp.services.locks import take_write_lock
from webapp.services.outbox import INVESTOR_CHANGED, VENTURE_CHANGED, record_event
from webapp.services.scoring_full import (
    compute_chunk,
    expected_rows,
    plan_chunks,
    write_full_refresh,
)

SECTORS = [
    "diagnostics", "medtech", "digital_health", "ai", "cyber_security", "fintech", "agritech",
    "offshore_wind", "hydrogen", "games",
]  # fmt: skip
STAGES = ["pre_seed", "seed", "series_a", "series_b"]
REGIONS = ["north_east_ca", "greater_manchester_ca", "liverpool_city_region_ca",
           "west_yorkshire_ca", "south_yorkshire_mca"]  # fmt: skip
PARENT_REGIONS = ["north_east", "north_west", "yorkshire_humber"]
INSTRUMENTS = ["equity", "convertible", "grant", "loan"]
RAISES = [80_000, 150_000, 400_000, 750_000, 1_500_000, 3_000_000, 8_000_000]
WORDS = [
    "sepsis", "imaging", "battery", "turbine", "payments", "fraud", "crop", "sensor",
    "robotics", "genomics", "learning", "hydrogen", "wind", "clinic", "game", "security",
]  # fmt: skip


def _summary(rng: random.Random) -> str:
    words = " ".join(rng.sample(WORDS, 5))
    return f"Northern venture building {words} products for customers."


def venture_values(rng: random.Random) -> dict[str, Any]:
    return {
        "sectors": rng.sample(SECTORS, rng.choice([1, 1, 2])),
        "stage": rng.choice(STAGES),
        "raise_amount_gbp": rng.choice(RAISES),
        "instruments": rng.sample(INSTRUMENTS, rng.choice([1, 2])),
        "region": rng.choice(REGIONS),
        "summary": _summary(rng),
        "seis": rng.random() < 0.3,
        "eis": rng.random() < 0.5,
    }


def investor_values(rng: random.Random) -> dict[str, Any]:
    low = rng.choice([25_000, 100_000, 250_000, 500_000])
    return {
        "sectors": rng.sample(SECTORS, rng.choice([1, 2, 3])),
        "stages": rng.sample(STAGES, rng.choice([1, 2])),
        "ticket_min_gbp": low,
        "ticket_max_gbp": low * rng.choice([4, 10, 20]),
        "regions": rng.sample(PARENT_REGIONS, rng.choice([1, 2, 3])),
        "instruments": rng.sample(INSTRUMENTS, rng.choice([1, 2, 3])),
        "thesis": "We back " + " ".join(rng.sample(WORDS, 4)),
        "excluded_sectors": [],
    }


def matching_values(investor: InvestorProfile) -> dict[str, Any]:
    """Venture fields that fit this investor's mandate exactly (it will rank near the top)."""
    region = {"north_east": "north_east_ca", "north_west": "greater_manchester_ca",
              "yorkshire_humber": "west_yorkshire_ca"}[investor.regions[0]]  # fmt: skip
    return {
        "sectors": investor.sectors[:1],
        "stage": investor.stages[0],
        "region": region,
        "raise_amount_gbp": investor.ticket_min_gbp * 2,
        "instruments": investor.instruments[:1],
        "summary": f"{investor.thesis} for Northern customers and partners.",
    }


def market(
    rng: random.Random, ventures: int, investors: int, *, frequency: str = "instant"
) -> tuple[list[Venture], list[InvestorProfile], list[User]]:
    """Published ventures and active investors, each investor with one member who gets email."""
    made_ventures = [VentureFactory(**venture_values(rng)) for _ in range(ventures)]
    made_investors, users = [], []
    for _ in range(investors):
        organisation = OrganisationFactory()
        made_investors.append(
            InvestorProfileFactory(organisation_id=organisation.id, **investor_values(rng))
        )
        users.append(
            InvestorUserFactory(organisation_id=organisation.id, email_frequency=frequency)
        )
    return made_ventures, made_investors, users


def change_venture(session: Session, venture_id: int, values: dict[str, Any]) -> None:
    """What the ventures service does: the change and its outbox event in one transaction."""
    # Take the write lock before reading: on SQLite a transaction that read an older snapshot
    # cannot write once a worker has committed (SQLITE_BUSY_SNAPSHOT, reported as "locked").
    session.rollback()
    take_write_lock(session=session, name="test-change")
    venture = session.get(Venture, venture_id)
    assert venture is not None
    for name, value in values.items():
        setattr(venture, name, value)
    venture.updated_at = utcnow()
    session.add(venture)
    record_event(session=session, kind=VENTURE_CHANGED, payload={"venture_id": venture_id})
    session.commit()


def change_investor(session: Session, investor_id: int, values: dict[str, Any]) -> None:
    """What the investors service does when a mandate changes."""
    session.rollback()
    take_write_lock(session=session, name="test-change")
    profile = session.get(InvestorProfile, investor_id)
    assert profile is not None
    for name, value in values.items():
        setattr(profile, name, value)
    profile.updated_at = utcnow()
    session.add(profile)
    record_event(session=session, kind=INVESTOR_CHANGED, payload={"investor_id": investor_id})
    session.commit()


def refresh_everything(session: Session, settings: Settings) -> None:
    """Store the full-refresh lists now, in this process (the starting point of a test)."""
    parts = [
        compute_chunk(session=session, settings=settings, venture_ids=ids, index=i)
        for i, ids in enumerate(plan_chunks(session=session))
    ]
    write_full_refresh(session=session, settings=settings, parts=parts, snapshot_at=utcnow())


Lists = dict[tuple[int, int], tuple[int | None, int | None]]


def stored_lists(session: Session) -> Lists:
    """The lists in the database now (a fresh snapshot)."""
    session.rollback()
    rows = session.connection().exec_driver_sql(
        "SELECT venture_id, investor_id, venture_rank, investor_rank FROM match"
    )
    return {(v, i): (vr, ir) for v, i, vr, ir in rows}


def expected_lists(session: Session, settings: Settings) -> Lists:
    """The lists a full refresh would store now (a fresh snapshot)."""
    session.rollback()
    rows = expected_rows(session=session, settings=settings)
    session.rollback()
    return {
        (v, i): (vr if vr > 0 else None, ir if ir > 0 else None)
        for v, i, vr, ir in zip(
            rows["venture_id"].tolist(), rows["investor_id"].tolist(),
            rows["venture_rank"].tolist(), rows["investor_rank"].tolist(), strict=True,
        )
    }  # fmt: skip


def frequency_values() -> list[str]:
    return [f.value for f in EmailFrequency]
