"""Find a venture or an investor by name, among those the caller may see.

Investors search published ventures; founders search the investors whose public profile is
open to them (in a published venture's ranked list, or introduced); staff search both (ventures
within their programme scope). The same rules as the pages and API that the hits link to, so a
search never reveals a name the caller could not open.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Row, Select, String, case, func, literal_column, union_all
from sqlalchemy import select as sa_select
from sqlalchemy.orm import Mapped
from sqlmodel import Session, col, select

from webapp.models import InvestorProfile, User, Venture
from webapp.models.enums import Role, Visibility
from webapp.services.access.object_access import (
    founder_known_investors,
    is_staff,
    staff_venture_ids,
)
from webapp.services.common.errors import FieldError, Forbidden, ValidationFailed
from webapp.services.common.pagination import Page, check_window
from webapp.services.common.text_checks import text_problem

MIN_QUERY = 2
MAX_QUERY = 100


class SearchKind(StrEnum):
    """What a search looks through."""

    VENTURE = "venture"
    INVESTOR = "investor"


@dataclass(frozen=True)
class SearchHit:
    """One venture or investor whose name contains the query, with what a list needs."""

    kind: SearchKind
    id: int
    name: str
    # Ventures
    sectors: list[str]
    stage: str | None = None
    raise_amount_gbp: int | None = None
    region: str | None = None
    # Investors
    investor_type: str | None = None
    ticket_min_gbp: int | None = None
    ticket_max_gbp: int | None = None
    active: bool | None = None


def searchable_kinds(viewer: User) -> tuple[SearchKind, ...]:
    """What this role may search through, ventures first."""
    if is_staff(viewer):
        return (SearchKind.VENTURE, SearchKind.INVESTOR)
    if viewer.role == Role.INVESTOR.value:
        return (SearchKind.VENTURE,)
    if viewer.role == Role.FOUNDER.value:
        return (SearchKind.INVESTOR,)
    return ()


def clean_query(query: str) -> str:
    """The query with spaces collapsed; a 422 naming `q` when it is too short or too long, or
    holds text no database can compare (PostgreSQL refuses NUL even in a LIKE pattern)."""
    cleaned = " ".join(query.split())
    if unstorable := text_problem(cleaned):
        problem = f"The search {unstorable}"
    elif len(cleaned) < MIN_QUERY:
        problem = f"Type at least {MIN_QUERY} characters of a name"
    elif len(cleaned) > MAX_QUERY:
        problem = f"{len(cleaned)} characters is too long; use at most {MAX_QUERY}"
    else:
        return cleaned
    raise ValidationFailed([FieldError("q", problem)])


def _ventures_where(session: Session, viewer: User) -> list[ColumnElement[bool]]:
    where = [col(Venture.visibility) == Visibility.PUBLISHED.value]
    if (scope := staff_venture_ids(session, viewer)) is not None:
        where.append(col(Venture.id).in_(scope))
    return where


def _investors_where(viewer: User) -> list[ColumnElement[bool]]:
    if is_staff(viewer):
        return []
    return [founder_known_investors(viewer, col(InvestorProfile.id))]


def _named(
    kind: SearchKind,
    id_column: Mapped[int | None],
    name_column: Mapped[str],
    needle: str,
    where: list[ColumnElement[bool]],
) -> Select[*tuple[Any, ...]]:
    """One kind's rows whose name contains the needle, as (kind, id, name, first), where
    `first` is 0 for names that start with the needle: the likelier hits come first."""
    lowered = func.lower(name_column)
    return sa_select(
        literal_column(f"'{kind.value}'", String).label("kind"),  # an enum value, not user text
        id_column.label("id"),
        name_column.label("name"),
        case((lowered.startswith(needle, autoescape=True), 0), else_=1).label("first"),
    ).where(lowered.contains(needle, autoescape=True), *where)


def search(
    *,
    session: Session,
    viewer: User,
    query: str,
    kind: SearchKind | None = None,
    limit: int = 20,
    offset: int = 0,
) -> Page[SearchHit]:
    """Names containing the query (any case), those starting with it first, then A to Z."""
    check_window(limit, offset)
    needle = clean_query(query).lower()
    allowed = searchable_kinds(viewer)
    if kind is not None and kind not in allowed:
        what = " and ".join(f"{k.value}s" for k in allowed) or "nothing"
        raise Forbidden(f"Your account can search {what}, not {kind.value}s")
    kinds = [k for k in allowed if kind is None or k == kind]
    parts: list[Select[*tuple[Any, ...]]] = []
    if SearchKind.VENTURE in kinds:
        where = _ventures_where(session, viewer)
        parts.append(_named(SearchKind.VENTURE, col(Venture.id), col(Venture.name), needle, where))
    if SearchKind.INVESTOR in kinds:
        profile_id, profile_name = col(InvestorProfile.id), col(InvestorProfile.name)
        where = _investors_where(viewer)
        parts.append(_named(SearchKind.INVESTOR, profile_id, profile_name, needle, where))
    if not parts:
        return Page(items=[], total=0, limit=limit, offset=offset)
    found = union_all(*parts).subquery()
    total = session.execute(select(func.count()).select_from(found)).scalar_one()
    rows = session.execute(
        select(found.c.kind, found.c.id)
        .order_by(found.c.first, func.lower(found.c.name), found.c.kind, found.c.id)
        .limit(limit)
        .offset(offset)
    ).all()
    return Page(items=_hits(session, rows), total=int(total), limit=limit, offset=offset)


def _hits(session: Session, rows: Sequence[Row[*tuple[Any, ...]]]) -> list[SearchHit]:
    """The page's rows with their details, in the page's order (one query per kind)."""
    venture_ids = [i for k, i in rows if k == SearchKind.VENTURE.value]
    investor_ids = [i for k, i in rows if k == SearchKind.INVESTOR.value]
    ventures = {
        v.id: v for v in session.exec(select(Venture).where(col(Venture.id).in_(venture_ids))).all()
    }
    investors = {
        p.id: p
        for p in session.exec(
            select(InvestorProfile).where(col(InvestorProfile.id).in_(investor_ids))
        ).all()
    }
    hits = []
    for kind, found_id in rows:  # each row is (kind, id)
        if kind == SearchKind.VENTURE.value:
            v = ventures[found_id]
            hits.append(
                SearchHit(
                    kind=SearchKind.VENTURE, id=found_id, name=v.name, sectors=list(v.sectors),
                    stage=v.stage, raise_amount_gbp=v.raise_amount_gbp, region=v.region,
                )
            )  # fmt: skip
        else:
            p = investors[found_id]
            hits.append(
                SearchHit(
                    kind=SearchKind.INVESTOR, id=found_id, name=p.name, sectors=list(p.sectors),
                    investor_type=p.investor_type, ticket_min_gbp=p.ticket_min_gbp,
                    ticket_max_gbp=p.ticket_max_gbp, active=p.active,
                )
            )  # fmt: skip
    return hits
