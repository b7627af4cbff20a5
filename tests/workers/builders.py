"""Test data for the ranking: a varied market of ventures and investors, and what changes it.

Built on `tests.factories`; every code is a real taxonomy code. `stored_lists` and
`expected_lists` return {(venture, investor): (venture_rank, investor_rank)} to compare.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from sqlmodel import Session

from matching.blocks import block_logits
from tests.factories import (
    InvestorProfileFactory,
    InvestorUserFactory,
    OrganisationFactory,
    VentureFactory,
)
from tests.webapp.ventures.factories import FeedbackFactory
from webapp.config import Settings
from webapp.models import InvestorProfile, User, Venture, utcnow
from webapp.models.enums import EmailFrequency, FeedbackAction, PassReason
from webapp.services.common.locks import take_write_lock
from webapp.services.outbox.outbox import INVESTOR_CHANGED, VENTURE_CHANGED, record_event
from webapp.services.ranking import scoring_data
from webapp.services.ranking.scoring_cache import scoring_context
from webapp.services.ranking.scoring_full import (
    ChunkResult,
    FullRefreshStats,
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


def chunk_parts(
    session: Session, settings: Settings, chunk_size: int | None = None
) -> list[ChunkResult]:
    """Every chunk of a full refresh computed now, in this process, as a worker would."""
    plan = plan_chunks(session=session, **({"chunk_size": chunk_size} if chunk_size else {}))
    return [
        compute_chunk(session=session, settings=settings, venture_ids=ids, index=i)
        for i, ids in enumerate(plan)
    ]


def write_parts(session: Session, settings: Settings, parts: list[ChunkResult]) -> FullRefreshStats:
    """Merge the parts and store the lists, as the finishing task does (parts read once)."""
    return write_full_refresh(session=session, settings=settings, parts=iter(parts),
                              snapshot_at=utcnow())  # fmt: skip


def refresh_everything(
    session: Session, settings: Settings, chunk_size: int | None = None
) -> FullRefreshStats:
    """Store the full-refresh lists now, in this process (the starting point of a test)."""
    return write_parts(session, settings, chunk_parts(session, settings, chunk_size))


Lists = dict[tuple[int, int], tuple[int | None, int | None]]


def stored_lists(session: Session) -> Lists:
    """The lists in the database now (a fresh snapshot), each investor list numbered in the
    order people see it (score descending, then venture id), after checking what its stored
    `investor_rank` values promise: the numbers 1..n, the lowest member holding n; and that
    its `list_floor` row names that member, its stored score and n (no row: no list)."""
    session.rollback()
    run = session.connection().exec_driver_sql
    rows = list(
        run("SELECT venture_id, investor_id, venture_rank, investor_rank, score FROM match")
    )
    floors = {
        i: (v, score, n)
        for i, v, score, n in run("SELECT investor_id, venture_id, score, size FROM list_floor")
    }
    members: dict[int, list[tuple[float, int, int]]] = {}
    for v, i, _vr, ir, score in rows:
        if ir is not None:
            members.setdefault(i, []).append((-score, v, ir))
    place: dict[tuple[int, int], int] = {}
    for i, listed in members.items():
        listed.sort()
        values = sorted(ir for _, _, ir in listed)
        assert values == list(range(1, len(listed) + 1)), f"investor {i} holds ranks {values}"
        assert listed[-1][2] == len(listed), f"investor {i}'s lowest member is not {len(listed)}"
        lowest = (listed[-1][1], -listed[-1][0], len(listed))
        assert floors.get(i) == lowest, f"investor {i}'s floor is {floors.get(i)}, not {lowest}"
        place.update({(v, i): at for at, (_, v, _) in enumerate(listed, 1)})
    assert floors.keys() == members.keys(), "a list without its floor or a floor without a list"
    return {(v, i): (vr, place.get((v, i))) for v, i, vr, _ir, _score in rows}


def unlisted_venture(
    session: Session, ventures: list[Venture], investor: InvestorProfile
) -> Venture:
    """A venture missing from the investor's stored list (a change can bring it in)."""
    lists = stored_lists(session)
    return next(v for v in ventures if lists.get((v.id, investor.id), (None, None))[1] is None)  # type: ignore[arg-type]


def outsider_pair(
    session: Session, settings: Settings, seed: int, *, ventures: int, investors: int
) -> tuple[InvestorProfile, Venture]:
    """A market with every list stored, and an investor with a venture missing from its list."""
    venture_rows, investor_rows, _ = market(
        random.Random(seed), ventures=ventures, investors=investors
    )
    refresh_everything(session, settings)
    chosen = investor_rows[0]
    return chosen, unlisted_venture(session, venture_rows, chosen)


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


# -- a market with a lesson in it: what investors' feedback should teach the ranker ----------
PASSED_SECTOR = "hydrogen"  # same family as offshore wind: it half-fits the group's mandate
KEPT_SECTOR = "offshore_wind"


@dataclass(frozen=True)
class PreferenceMarket:
    """Investors (`group`) who name offshore wind pass hydrogen ventures and shortlist offshore
    wind ones; `fillers` fit the group's sector but not its stage or ticket."""

    group: list[int]
    others: list[int]
    passed: list[int]
    kept: list[int]
    fillers: list[int]


def lesson_venture(sector: str, **values: Any) -> Venture:
    """A seed venture in the North East raising £750k in equity, in `sector`."""
    fields = {"sectors": [sector], "stage": "seed", "raise_amount_gbp": 750_000,
              "instruments": ["equity"], "region": "north_east_ca", "institution": None,
              "summary": "Northern venture building turbine sensor products for customers.",
              **values}  # fmt: skip
    return VentureFactory(**fields)


def preference_market(
    rng: random.Random, now: datetime, *, group: int = 5, others: int = 8, per_sector: int = 20
) -> PreferenceMarket:
    """The market, and the group's feedback dated over the last 600 days (two label windows)."""
    mandate = {"sectors": [KEPT_SECTOR], "stages": ["seed", "series_a"],
               "ticket_min_gbp": 250_000, "ticket_max_gbp": 2_000_000,
               "regions": ["north_east", "north_west", "yorkshire_humber"],
               "instruments": ["equity"], "thesis": "We back turbine sensor robotics"}  # fmt: skip
    members = [InvestorProfileFactory(**mandate) for _ in range(group)]
    rest = [InvestorProfileFactory(**investor_values(rng)) for _ in range(others)]
    passed = [lesson_venture(PASSED_SECTOR) for _ in range(per_sector)]
    kept = [lesson_venture(KEPT_SECTOR) for _ in range(per_sector)]
    # Each misses the group's stage by one step and its ticket by 2.5–4×: under the hand-set
    # weights a hydrogen venture ranks above them, once sector counts for more, below.
    fillers = [lesson_venture(KEPT_SECTOR, stage=stage, raise_amount_gbp=raise_)
               for stage in ("pre_seed", "series_b")
               for raise_ in (5_000_000, 6_000_000, 8_000_000)]  # fmt: skip
    for investor in members:
        for venture in passed + kept:
            at = now - timedelta(days=rng.randint(1, 600))
            kept_one = venture in kept
            FeedbackFactory(
                venture_id=venture.id,
                investor_id=investor.id,
                action=FeedbackAction.SHORTLIST.value if kept_one else FeedbackAction.PASS.value,
                reason=None if kept_one else PassReason.SECTOR.value,
                created_at=at,
                updated_at=at,
            )
    return PreferenceMarket(
        [m.id for m in members], [o.id for o in rest], [v.id for v in passed],
        [v.id for v in kept], [f.id for f in fillers],
    )  # fmt: skip


def brute_force(session: Session, settings: Settings) -> Lists:
    """Every pair scored, then plain sorting: best log-odds first, smaller id on ties."""
    session.rollback()
    k = settings.match_top_k
    ctx = scoring_context(session=session, settings=settings)
    records = scoring_data.venture_rows(session=session)
    passed = scoring_data.passed_pairs(session=session)
    features = ctx.features_for(records)
    logits = block_logits(ctx.model, features, np.arange(len(records)))
    v_ids = [int(v) for v in features.side.frame.ids]
    i_ids = [int(i) for i in ctx.investor_ids]
    score = {
        (v, i): float(logits[r, c])
        for r, v in enumerate(v_ids)
        for c, i in enumerate(i_ids)
        if np.isfinite(logits[r, c]) and (v, i) not in passed
    }
    lists: dict[tuple[int, int], list[int | None]] = {}
    for v in v_ids:
        best = sorted((-s, i) for (vv, i), s in score.items() if vv == v)[:k]
        for rank, (_, i) in enumerate(best, 1):
            lists.setdefault((v, i), [None, None])[0] = rank
    for i in i_ids:
        best = sorted((-s, v) for (v, ii), s in score.items() if ii == i)[:k]
        for rank, (_, v) in enumerate(best, 1):
            lists.setdefault((v, i), [None, None])[1] = rank
    session.rollback()
    return {pair: (ranks[0], ranks[1]) for pair, ranks in lists.items()}
