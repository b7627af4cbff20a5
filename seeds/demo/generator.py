"""`generate`: the pure, deterministic demo-data generator (no database, no I/O)."""

from __future__ import annotations

import random
from collections.abc import Iterable
from datetime import UTC, date, datetime

from tqdm import tqdm

from reference.taxonomy import ReferenceData, load_reference_data
from seeds.demo.accounts import DEMO_ACCOUNTS, FOUNDER, INVESTOR, demo_users
from seeds.demo.activity import ActivityFactory
from seeds.demo.clock import Clock
from seeds.demo.investors import InvestorFactory, generate_investors
from seeds.demo.places import Places
from seeds.demo.portfolio import PortfolioFactory, generate_portfolio
from seeds.demo.records import DemoDataset
from seeds.demo.relocation import relocate_after_raising
from seeds.demo.ventures import VentureFactory, generate_ventures

PROGRESS_THRESHOLD = 2_000  # show a progress bar from this many ventures + investors


def generate(
    ventures: int = 300,
    investors: int = 80,
    seed: int = 7,
    *,
    as_of: date | None = None,
    reference: ReferenceData | None = None,
    progress: bool = False,
) -> DemoDataset:
    """Build a fictional dataset; the same arguments always give the same dataset.

    `as_of` is the last day of the demo history (default: today, UTC). Each part draws from its
    own seeded stream, so ventures do not change when only the number of investors does.
    """
    if ventures < 0 or investors < 0:
        raise ValueError(f"ventures={ventures}, investors={investors}: both must be zero or more")
    reference = reference or load_reference_data()
    clock = Clock(as_of or datetime.now(UTC).date())
    places = Places(reference)
    show = progress and ventures + investors >= PROGRESS_THRESHOLD

    founders, venture_records = generate_ventures(
        _stream(seed, "ventures"),
        VentureFactory(reference, places, clock),
        ventures,
        demo_founder_email=FOUNDER.email,
        progress=_bar(ventures, "ventures", show),
    )
    investor_users, organisations, investor_records = generate_investors(
        _stream(seed, "investors"),
        InvestorFactory(reference, places, clock),
        investors,
        demo_investor_email=INVESTOR.email,
        progress=_bar(investors, "investors", show),
    )
    portfolio = generate_portfolio(
        _stream(seed, "portfolio"), PortfolioFactory(reference, places, clock), investor_records
    )
    activity = ActivityFactory(reference, clock, venture_records, investor_records).generate(
        _stream(seed, "activity")
    )
    venture_records = relocate_after_raising(
        _stream(seed, "relocation"), places, venture_records, investor_records,
        activity.introductions,
    )  # fmt: skip
    accounts = demo_users(
        investor_organisation=organisations[0].name if organisations else None,
        joined=clock.start,
    )
    return DemoDataset(
        seed=seed,
        as_of=clock.today,
        users=(*accounts, *founders, *investor_users),
        organisations=tuple(organisations),
        ventures=tuple(venture_records),
        investors=tuple(investor_records),
        portfolio=(*portfolio, *activity.closed_deals),
        feedback=tuple(activity.feedback),
        introductions=tuple(activity.introductions),
        accounts=DEMO_ACCOUNTS,
    )


def _stream(seed: int, part: str) -> random.Random:
    """A random stream per part; string seeds are hashed with SHA-512, so they are stable."""
    return random.Random(f"venturematch-demo:{seed}:{part}")  # noqa: S311 - not for secrets


def _bar(count: int, label: str, show: bool) -> Iterable[int]:
    """`range(count)`, wrapped in a stderr progress bar when asked."""
    if not show:
        return range(count)
    bar: Iterable[int] = tqdm(range(count), desc=f"generating {label}", unit=label[:-1])
    return bar
