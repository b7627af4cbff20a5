"""The read side of the stored rankings: each side's best matches, as people browse them.

Matches are computed by the workers; a request only reads `Match` rows (a couple of indexed
queries) and records what an investor was shown, in one batched upsert per page.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from functools import cache
from typing import Any

from sqlalchemy import Integer, and_, bindparam, func, or_
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select

from matching import InvestorRecord, VentureRecord
from matching.reasons import as_dicts, with_profile_facts
from matching.records import coerce
from matching.wording import worded
from webapp.models import Feedback, InvestorProfile, Match, MatchImpression, User, Venture, utcnow
from webapp.models.enums import FeedbackAction, Visibility
from webapp.services.access.object_access import (
    is_staff,
    readable_investor,
    readable_investor_id,
    readable_venture,
    staff_venture_ids,
)
from webapp.services.common.errors import Forbidden
from webapp.services.common.json_filters import dialect_name
from webapp.services.common.locks import begin_write
from webapp.services.common.pagination import Page, check_window
from webapp.services.common.taxonomy import matching_taxonomy
from webapp.services.ranking import scoring_data
from webapp.services.ventures.ventures import VentureFilters

# An impression already recorded this recently is not rewritten (saves a write per page view).
IMPRESSION_REFRESH = timedelta(minutes=10)


class MatchSort(StrEnum):
    """Orders an investor can sort its list by; `rank` is the ranker's own order."""

    RANK = "rank"
    NEWEST = "newest"
    RAISE_ASC = "raise_asc"
    RAISE_DESC = "raise_desc"


@dataclass(frozen=True)
class VentureCard:
    """What an investor's list shows of a venture."""

    id: int
    name: str
    summary: str
    sectors: list[str]
    stage: str
    raise_amount_gbp: int
    region: str
    institution: str | None
    spinout: bool
    eis: bool
    seis: bool


@dataclass(frozen=True)
class InvestorCard:
    """What a founder's list shows of an investor."""

    id: int
    name: str
    investor_type: str


@dataclass(frozen=True)
class InvestorMatch:
    """A venture in an investor's list, with the ranker's score and reasons."""

    venture: VentureCard
    score: float
    rank: int
    reasons: list[dict[str, Any]]
    model_version: str
    computed_at: datetime
    shortlisted: bool


@dataclass(frozen=True)
class VentureMatch:
    """An investor in a venture's list."""

    investor: InvestorCard
    score: float
    rank: int
    reasons: list[dict[str, Any]]
    model_version: str
    computed_at: datetime


def _list_places(*where: Any) -> Any:
    """Each member's place in its investor's list: the members in the ranker's order (score
    descending, ties to the smaller venture id), numbered from 1. The stored
    `investor_rank` only marks members (see match_store)."""
    return (
        select(
            col(Match.investor_id).label("investor_id"),
            col(Match.venture_id).label("venture_id"),
            func.row_number()
            .over(
                partition_by=col(Match.investor_id),
                order_by=(col(Match.score).desc(), col(Match.venture_id).asc()),
            )
            .label("rank"),
        )
        .where(col(Match.investor_rank).is_not(None), *where)
        .subquery("listed")
    )


_INVESTOR_ID = bindparam("investor_id", type_=Integer)
_LISTED = _list_places(col(Match.investor_id) == _INVESTOR_ID)


def places_in_investor_lists(
    *, session: Session, venture_id: int, investor_ids: Sequence[int]
) -> dict[int, int]:
    """The venture's place in each of these investors' lists that holds it."""
    if not investor_ids:
        return {}
    listed = _list_places(col(Match.investor_id).in_(sorted(investor_ids)))
    rows = session.connection().execute(
        select(listed.c.investor_id, listed.c.rank).where(listed.c.venture_id == venture_id)
    )
    return {int(investor_id): int(rank) for investor_id, rank in rows}


_VENTURE_FIELDS = (
    "id",
    "name",
    "summary",
    "sectors",
    "stage",
    "raise_amount_gbp",
    "region",
    "institution",
    "spinout",
    "eis",
    "seis",
)
_INVESTOR_LIST_COLUMNS: dict[str, Any] = {
    **{name: getattr(Venture, name) for name in _VENTURE_FIELDS},
    "score": Match.score,
    "rank": _LISTED.c.rank,
    "reasons": Match.reasons,
    "model_version": Match.model_version,
    "computed_at": Match.computed_at,
    "action": Feedback.action,
    "total": func.count().over(),
}
_VENTURE_LIST_COLUMNS: dict[str, Any] = {
    "id": InvestorProfile.id,
    "name": InvestorProfile.name,
    "investor_type": InvestorProfile.investor_type,
    "score": Match.score,
    "rank": Match.venture_rank,
    "reasons": Match.reasons,
    "model_version": Match.model_version,
    "computed_at": Match.computed_at,
    "total": func.count().over(),
}


def _wide_select(columns: dict[str, Any]) -> Select[*tuple[Any, ...]]:
    """A SELECT of many named columns (read back by zipping the names with each row)."""
    return Select(*columns.values())


def _investor_list(extra: Sequence[Any], sort: MatchSort) -> Select[*tuple[Any, ...]]:
    """An investor's visible list: ranked, published, not passed; bound investor_id/limit/offset."""
    return (
        _wide_select(_INVESTOR_LIST_COLUMNS)
        .select_from(Match)
        .join(_LISTED, _LISTED.c.venture_id == col(Match.venture_id))
        .join(Venture, col(Venture.id) == col(Match.venture_id))
        .outerjoin(
            Feedback,
            and_(
                col(Feedback.investor_id) == col(Match.investor_id),
                col(Feedback.venture_id) == col(Match.venture_id),
            ),
        )
        .where(
            col(Match.investor_id) == _INVESTOR_ID,
            col(Match.investor_rank).is_not(None),
            col(Venture.visibility) == Visibility.PUBLISHED.value,
            or_(
                col(Feedback.action).is_(None),
                col(Feedback.action) != FeedbackAction.PASS.value,
            ),
            *extra,
        )
        .order_by(*_ORDER[sort])
        .limit(bindparam("limit", type_=Integer))
        .offset(bindparam("offset", type_=Integer))
    )


@cache
def _plain_investor_list(sort: MatchSort) -> Select[*tuple[Any, ...]]:
    """The unfiltered list statement, built once per process and sort order."""
    return _investor_list((), sort)


_ORDER = {
    MatchSort.RANK: (_LISTED.c.rank.asc(),),
    MatchSort.NEWEST: (col(Venture.published_at).desc(), _LISTED.c.rank.asc()),
    MatchSort.RAISE_ASC: (col(Venture.raise_amount_gbp).asc(), _LISTED.c.rank.asc()),
    MatchSort.RAISE_DESC: (col(Venture.raise_amount_gbp).desc(), _LISTED.c.rank.asc()),
}


def investor_matches(
    *,
    session: Session,
    viewer: User,
    investor_id: int,
    filters: VentureFilters | None = None,
    sort: MatchSort = MatchSort.RANK,
    limit: int = 20,
    offset: int = 0,
    record_impressions: bool = True,
) -> Page[InvestorMatch]:
    """The investor's ranked ventures: published only, passes gone, one query for the page."""
    check_window(limit, offset)
    member = readable_investor_id(session, viewer, investor_id)
    extra = (filters or VentureFilters()).clauses(dialect_name(session))
    if not member and (scope := staff_venture_ids(session, viewer)) is not None:
        extra.append(col(Match.venture_id).in_(scope))  # staff see their programmes' ventures
    # The common request (no filters) reuses one prebuilt statement per sort order: building
    # SQLAlchemy expressions per request cost more than running the query.
    statement = _plain_investor_list(sort) if not extra else _investor_list(extra, sort)
    params = {"investor_id": investor_id, "limit": limit, "offset": offset}
    connection = session.connection()
    rows = [
        dict(zip(_INVESTOR_LIST_COLUMNS, row, strict=True))
        for row in connection.execute(statement, params)
    ]
    if rows:
        total = int(rows[0]["total"])
    else:  # past the last page the window count has no row to ride on
        count = select(func.count()).select_from(
            _investor_list(extra, sort)
            .with_only_columns(col(Match.id))
            .limit(None)
            .offset(None)
            .subquery()
        )
        total = int(connection.execute(count, params).scalar_one())
    profiles = Profiles.load(session, [int(r["id"]) for r in rows], [investor_id])
    items = [_investor_match(row, profiles.pair(int(row["id"]), investor_id)) for row in rows]
    if record_impressions and items and member:
        record_shown(
            session=session, investor_id=investor_id, venture_ids=[m.venture.id for m in items]
        )
    return Page(items=items, total=total, limit=limit, offset=offset)


Pair = tuple[VentureRecord, InvestorRecord] | None


@dataclass(frozen=True)
class Profiles:
    """The two profiles behind listed pairs: mandate reasons are worded from their fields."""

    ventures: dict[int, VentureRecord]
    investors: dict[int, InvestorRecord]

    @classmethod
    def load(
        cls, session: Session, venture_ids: Sequence[int], investor_ids: Sequence[int]
    ) -> Profiles:
        """Two queries, whatever the number of pairs."""
        if not venture_ids or not investor_ids:
            return cls({}, {})
        ventures = scoring_data.venture_rows(session=session, ids=venture_ids, published_only=False)
        investors = scoring_data.investor_rows(session=session, ids=investor_ids)
        return cls(
            {int(r["id"]): coerce(VentureRecord, r) for r in ventures},
            {int(r["id"]): coerce(InvestorRecord, r) for r in investors},
        )

    def pair(self, venture_id: int, investor_id: int) -> Pair:
        venture, investor = self.ventures.get(venture_id), self.investors.get(investor_id)
        return None if venture is None or investor is None else (venture, investor)


def display_reasons(stored: Any, pair: Pair = None) -> list[dict[str, Any]]:
    """Stored reasons `[code, effect, facts]` worded with the current labels, mandate reasons
    with the figures of the pair's two profiles.

    Rows stored before reasons carried facts (`[{code, text, effect}]`) keep their text.
    """
    if isinstance(stored, str):
        stored = json.loads(stored)
    tax = matching_taxonomy()
    reasons = as_dicts(list(stored or []))
    if pair is not None:
        reasons = with_profile_facts(tax, reasons, *pair)
    return worded(tax, reasons)


def _investor_match(values: dict[str, Any], pair: Pair) -> InvestorMatch:
    return InvestorMatch(
        venture=VentureCard(**{name: values[name] for name in _VENTURE_FIELDS}),
        score=float(values["score"]),
        rank=int(values["rank"] or 0),
        reasons=display_reasons(values["reasons"], pair),
        model_version=values["model_version"],
        computed_at=values["computed_at"],
        shortlisted=values["action"] == FeedbackAction.SHORTLIST.value,
    )


def record_shown(*, session: Session, investor_id: int, venture_ids: Sequence[int]) -> None:
    """Record that the investor saw these ventures: one read, and one upsert when needed.

    A page viewed again within IMPRESSION_REFRESH writes nothing (one indexed count tells),
    so reloads and paging back cost no write. The write runs in its own short transaction:
    SQLite cannot upgrade a read transaction to a write while another writer commits.
    """
    wanted = sorted(set(venture_ids))
    now = utcnow()
    key = (investor_id, tuple(wanted))
    if _recently_recorded(key, now):
        return
    fresh = session.exec(
        select(func.count())
        .select_from(MatchImpression)
        .where(col(MatchImpression.investor_id) == investor_id)
        .where(col(MatchImpression.venture_id).in_(wanted))
        .where(col(MatchImpression.last_shown_at) >= now - IMPRESSION_REFRESH)
    ).one()
    if fresh == len(wanted):
        session.commit()  # end the read transaction
        _remember(key, now)
        return
    begin_write(session=session, name="impressions")  # ends the read snapshot, then locks
    rows = [
        {"investor_id": investor_id, "venture_id": v, "first_shown_at": now, "last_shown_at": now}
        for v in wanted
    ]
    insert = postgresql_insert if dialect_name(session) == "postgresql" else sqlite_insert
    statement = insert(MatchImpression).values(rows)
    statement = statement.on_conflict_do_update(
        index_elements=["investor_id", "venture_id"],
        set_={"last_shown_at": statement.excluded.last_shown_at},
        where=col(MatchImpression.last_shown_at) < now - IMPRESSION_REFRESH,
    )
    session.exec(statement)
    session.commit()
    _remember(key, now)


class _RecentPages:
    """Pages this process recorded lately, so a reload costs no database round trip at all."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.seen: OrderedDict[tuple[int, tuple[int, ...]], datetime] = OrderedDict()
        self.lock = threading.Lock()


_RECENT = _RecentPages(size=20_000)


def _recently_recorded(key: tuple[int, tuple[int, ...]], now: datetime) -> bool:
    with _RECENT.lock:
        at = _RECENT.seen.get(key)
        return at is not None and now - at < IMPRESSION_REFRESH


def _remember(key: tuple[int, tuple[int, ...]], now: datetime) -> None:
    with _RECENT.lock:
        _RECENT.seen[key] = now
        _RECENT.seen.move_to_end(key)
        while len(_RECENT.seen) > _RECENT.size:
            _RECENT.seen.popitem(last=False)


def venture_matches(
    *, session: Session, viewer: User, venture_id: int, limit: int = 20, offset: int = 0
) -> Page[VentureMatch]:
    """The venture's ranked investors (owner and staff); inactive mandates are left out."""
    check_window(limit, offset)
    venture = readable_venture(session, viewer, venture_id)
    if venture.owner_id != viewer.id and not is_staff(viewer):
        raise Forbidden(f"Only the venture's founder and staff see venture {venture_id}'s matches")
    where = [
        col(Match.venture_id) == venture_id,
        col(Match.venture_rank).is_not(None),
        col(InvestorProfile.active).is_(True),
    ]
    statement = (
        _wide_select(_VENTURE_LIST_COLUMNS)
        .select_from(Match)
        .join(InvestorProfile, col(InvestorProfile.id) == col(Match.investor_id))
        .where(*where)
        .order_by(col(Match.venture_rank).asc())
        .limit(limit)
        .offset(offset)
    )
    rows = [dict(zip(_VENTURE_LIST_COLUMNS, row, strict=True)) for row in session.exec(statement)]
    if rows:
        total = int(rows[0]["total"])
    else:
        total = int(
            session.exec(
                select(func.count())
                .select_from(Match)
                .join(InvestorProfile, col(InvestorProfile.id) == col(Match.investor_id))
                .where(*where)
            ).one()
        )
    profiles = Profiles.load(session, [venture_id], [int(r["id"]) for r in rows])
    items = [
        VentureMatch(
            investor=InvestorCard(
                id=row["id"], name=row["name"], investor_type=row["investor_type"]
            ),
            score=float(row["score"]),
            rank=int(row["rank"]),
            reasons=display_reasons(row["reasons"], profiles.pair(venture_id, int(row["id"]))),
            model_version=row["model_version"],
            computed_at=row["computed_at"],
        )
        for row in rows
    ]
    return Page(items=items, total=total, limit=limit, offset=offset)


def match_for_pair(
    *, session: Session, viewer: User, investor_id: int, venture_id: int
) -> InvestorMatch | None:
    """The stored match of one venture in an investor's list, passes included (detail pages)."""
    readable_investor(session, viewer, investor_id)
    readable_venture(session, viewer, venture_id)
    statement = (
        _wide_select(_INVESTOR_LIST_COLUMNS)
        .select_from(Match)
        .outerjoin(_LISTED, _LISTED.c.venture_id == col(Match.venture_id))
        .join(Venture, col(Venture.id) == col(Match.venture_id))
        .outerjoin(
            Feedback,
            and_(
                col(Feedback.investor_id) == col(Match.investor_id),
                col(Feedback.venture_id) == col(Match.venture_id),
            ),
        )
        .where(col(Match.investor_id) == _INVESTOR_ID, col(Match.venture_id) == venture_id)
    )
    row = session.connection().execute(statement, {"investor_id": investor_id}).first()
    if row is None:
        return None
    pair = Profiles.load(session, [venture_id], [investor_id]).pair(venture_id, investor_id)
    return _investor_match(dict(zip(_INVESTOR_LIST_COLUMNS, row, strict=True)), pair)


def forget_recent_impressions() -> None:
    """Drop this process's memory of recorded pages (tests reuse ids after emptying tables)."""
    with _RECENT.lock:
        _RECENT.seen.clear()
