"""Reuse pipeline figures until the data behind them changes.

The dashboard is read far more often than the pipeline moves, and one summary reads every
cohort venture, deal and deal event. Each process keeps recent results keyed by the filters and
a fingerprint of the tables they are computed from; the fingerprint is one statement of cheap
aggregates (newest ids and update times, row counts), so any insert, update that bumps
`updated_at`, or delete shows up, and the next request recomputes. A result is never older than
`MAX_AGE_S` either, so a write that bypasses the services is picked up within that time.

The per-deal and per-introduction facts every summary starts from do not depend on the filters,
so they are kept under narrower fingerprints of their own tables: a new filter set, or a match
refresh, then costs only the cohort's venture rows and one pass in Python.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from threading import Lock
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlmodel import Session, col

from webapp.models import (
    Deal,
    DealEvent,
    Introduction,
    InvestorProfile,
    Match,
    ProgrammeVenture,
    Venture,
)

MAX_AGE_S = 300.0
MAX_ENTRIES = 64
T = TypeVar("T")

_entries: OrderedDict[Hashable, tuple[float, tuple[Any, ...], Any]] = OrderedDict()
_lock = Lock()


def data_fingerprint(session: Session) -> tuple[Any, ...]:
    """What changes whenever a figure could: one round trip of indexed or small aggregates."""
    probes = [
        select(func.max(col(DealEvent.id))),
        select(func.count()).select_from(Deal),
        select(func.max(col(Deal.updated_at))),
        select(func.count()).select_from(Introduction),
        select(func.max(col(Introduction.id))),
        select(func.max(col(Introduction.responded_at))),
        select(func.count()).select_from(Venture),
        select(func.max(col(Venture.updated_at))),
        select(func.count()).select_from(Match),
        select(func.max(col(Match.id))),
        select(func.count()).select_from(ProgrammeVenture),
        select(func.max(col(ProgrammeVenture.enrolled_at))),
        select(func.count()).select_from(InvestorProfile),
        select(func.max(col(InvestorProfile.updated_at))),
    ]
    return _probe(session, probes)


def deals_fingerprint(session: Session) -> tuple[Any, ...]:
    """Changes whenever a deal is added, removed or moved, or an event is recorded."""
    probes = [
        select(func.max(col(DealEvent.id))),
        select(func.count()).select_from(DealEvent),
        select(func.max(col(Deal.id))),
        select(func.count()).select_from(Deal),
        select(func.max(col(Deal.updated_at))),
    ]
    return _probe(session, probes)


def introductions_fingerprint(session: Session) -> tuple[Any, ...]:
    """Changes whenever an introduction is requested, answered or removed."""
    probes = [
        select(func.max(col(Introduction.id))),
        select(func.count()).select_from(Introduction),
        select(func.max(col(Introduction.responded_at))),
    ]
    return _probe(session, probes)


def _probe(session: Session, probes: list[Any]) -> tuple[Any, ...]:
    query = select(*(probe.scalar_subquery() for probe in probes))
    return tuple(session.connection().execute(query).one())


def cached(
    session: Session,
    key: Hashable,
    compute: Callable[[], T],
    *,
    fingerprint_of: Callable[[Session], tuple[Any, ...]] = data_fingerprint,
    now: Callable[[], float] = time.monotonic,
) -> T:
    """`compute()`'s result for `key`, reused while `fingerprint_of(session)` is unchanged."""
    fingerprint = fingerprint_of(session)
    scoped = (str(session.get_bind().engine.url), key)
    with _lock:
        entry = _entries.get(scoped)
        if entry is not None and entry[1] == fingerprint and now() - entry[0] < MAX_AGE_S:
            _entries.move_to_end(scoped)
            result: T = entry[2]
            return result
    result = compute()
    with _lock:
        _entries[scoped] = (now(), fingerprint, result)
        _entries.move_to_end(scoped)
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)
    return result


def clear() -> None:
    """Forget every cached result (tests that change data behind the services' back)."""
    with _lock:
        _entries.clear()
