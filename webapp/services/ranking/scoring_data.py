"""The ranker's inputs read from the database: published ventures, active investors, history.

Rows are read with plain column selects (no ORM objects: 10,000 ventures load in a blink) and
handed to `matching` as dicts with the keys of its records. Nothing here writes.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from functools import cache
from typing import Any

import orjson
from sqlalchemy import and_, exists, func, select, true
from sqlmodel import Session, col

from matching import DealRecord
from webapp.db import among, driver_stamp, param_mark, read_rows
from webapp.models import (
    Deal,
    DealEvent,
    InvestorProfile,
    ModelVersion,
    PortfolioDeal,
    Venture,
)
from webapp.models.enums import DealStage, FeedbackAction, Visibility

VENTURE_COLUMNS = (
    "id", "name", "summary", "sectors", "stage", "raise_amount_gbp", "instruments", "region",
    "institution", "spinout", "eis", "seis",
)  # fmt: skip
INVESTOR_COLUMNS = (
    "id", "name", "investor_type", "sectors", "excluded_sectors", "stages", "ticket_min_gbp",
    "ticket_max_gbp", "regions", "regions_strict", "instruments", "thesis", "eis", "seis",
    "institutions", "hq_region",
)  # fmt: skip


_PUBLISHED = f"visibility = '{Visibility.PUBLISHED}'"
_VENTURES = f"SELECT {', '.join(VENTURE_COLUMNS)} FROM venture"  # noqa: S608
_VENTURE_JSON = ("sectors", "instruments")
_VENTURE_BOOLEANS = ("spinout", "eis", "seis")
_STAMPS = f"SELECT id, updated_at FROM venture WHERE {_PUBLISHED}"  # noqa: S608
_NO_CENSUS = "NOT EXISTS (SELECT 1 FROM venture_census WHERE id = 1)"


def venture_rows(
    *, session: Session, ids: Collection[int] | None = None, published_only: bool = True
) -> list[dict[str, Any]]:
    """Published ventures (or any, for wording stored reasons) as VentureRecord dicts, by id.

    Read through the driver: every venture change reads its record, and SQLAlchemy's
    statement and result handling cost several times the read. SQLite hands back JSON as
    text and booleans as 0 and 1: they are decoded here, as the column types would."""
    if ids is not None and not ids:
        return []
    conditions: list[str] = [_PUBLISHED] if published_only else []
    params: tuple[Any, ...] = ()
    if ids is not None:
        wanted, params = among(session, "id", ids)
        conditions.append(wanted)
    where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
    rows = read_rows(session, f"{_VENTURES}{where} ORDER BY id", params)
    records = [dict(zip(VENTURE_COLUMNS, row, strict=True)) for row in rows]
    if session.connection().dialect.name != "postgresql":
        for record in records:
            for name in _VENTURE_JSON:
                if isinstance(record[name], str):
                    record[name] = orjson.loads(record[name])
            for name in _VENTURE_BOOLEANS:
                if record[name] is not None:
                    record[name] = bool(record[name])
    return records


def venture_stamps(*, session: Session, ids: Collection[int] | None = None) -> dict[int, object]:
    """id → an opaque 'last changed' stamp of published ventures (raw driver values: fast)."""
    sql = _STAMPS
    if ids is not None:
        wanted = sorted(int(i) for i in ids)
        if not wanted:
            return {}
        sql += f" AND id IN ({', '.join(str(i) for i in wanted)})"  # ints only: safe to inline
    # The driver's own cursor: no result-row objects for a read of every published venture.
    return {int(i): at for i, at in read_rows(session, sql)}


def recent_changes(*, session: Session, since: datetime) -> tuple[dict[int, object], int, int]:
    """Stamps of the published ventures stamped at or after `since` (as `venture_stamps`),
    with how many ventures are published and the sum of their ids, from one statement: every
    refresh asks both. The two figures come from the row the database's triggers keep
    (`VentureCensus`), or from a scan of every published venture if that row is missing.
    `since` is bound as the driver stores the column (`driver_stamp`), so it compares as the
    stored stamps do; the stamps come back raw, as from `venture_stamps`."""
    dialect = session.connection().dialect.name
    mark = param_mark(session)
    sql = (
        f"SELECT id, updated_at, NULL, NULL FROM venture WHERE {_PUBLISHED} "  # noqa: S608
        f"AND updated_at >= {mark} UNION ALL "
        "SELECT NULL, NULL, published, id_total FROM venture_census WHERE id = 1 UNION ALL "
        # Only without the census row: scanned, and the aggregate's row given, in that case.
        "SELECT NULL, NULL, n, total FROM (SELECT count(*) AS n, coalesce(sum(id), 0) AS total "
        f"FROM venture WHERE {_PUBLISHED} AND {_NO_CENSUS}) AS scan WHERE {_NO_CENSUS}"
    )
    stamps: dict[int, object] = {}
    count = total = 0
    for venture_id, at, published, ids in read_rows(session, sql, (driver_stamp(dialect, since),)):
        if venture_id is None:
            count, total = int(published), int(ids)
        else:
            stamps[int(venture_id)] = at
    return stamps, count, total


def investor_stamps(*, session: Session) -> dict[int, object]:
    """id → an opaque 'last changed' stamp of active investors (raw driver values)."""
    sql = "SELECT id, updated_at FROM investor_profile WHERE active = true"
    return {int(i): at for i, at in session.connection().exec_driver_sql(sql)}


def investor_rows(*, session: Session, ids: Collection[int] | None = None) -> list[dict[str, Any]]:
    """Active investors (or these, active or not, for wording stored reasons) as
    matching's InvestorRecord dicts, by id."""
    table = InvestorProfile.__table__  # type: ignore[attr-defined]
    query = select(*(table.c[name] for name in INVESTOR_COLUMNS)).order_by(table.c.id)
    if ids is None:
        query = query.where(table.c.active == True)  # noqa: E712
    else:
        query = query.where(table.c.id.in_(sorted(ids)))
    return [dict(row) for row in session.connection().execute(query).mappings().all()]


def history_rows(*, session: Session) -> list[DealRecord]:
    """Past investments as matching's DealRecords (portfolio first, then platform deals).

    Records, not dicts: a slotted record is a fraction of a dict's size, and at 20,000
    investors the history has over half a million deals.
    """
    connection = session.connection()
    portfolio = connection.execute(
        select(
            col(PortfolioDeal.investor_id),
            col(PortfolioDeal.venture_id),
            col(PortfolioDeal.company_name),
            col(PortfolioDeal.sectors),
            col(PortfolioDeal.stage),
            col(PortfolioDeal.region),
            col(PortfolioDeal.amount_gbp),
            col(PortfolioDeal.funded_at),
        ).order_by(col(PortfolioDeal.id))
    )
    history = [
        DealRecord(
            investor_id=investor_id,
            venture_id=venture_id,
            company_key=f"venture:{venture_id}" if venture_id else company.strip().lower(),
            sectors=sectors or [],
            stage=stage,
            region=region,
            amount_gbp=amount,
            date=funded_at,
        )
        for investor_id, venture_id, company, sectors, stage, region, amount, funded_at in portfolio
    ]
    mirrored = exists().where(
        and_(
            col(PortfolioDeal.venture_id) == col(Deal.venture_id),
            col(PortfolioDeal.investor_id) == col(Deal.investor_id),
        )
    )
    invested_at = (
        select(func.max(col(DealEvent.at)))
        .where(col(DealEvent.deal_id) == col(Deal.id))
        .where(col(DealEvent.stage) == DealStage.INVESTED.value)
        .scalar_subquery()
    )
    platform = connection.execute(
        select(
            col(Deal.investor_id),
            col(Deal.venture_id),
            col(Venture.sectors),
            col(Venture.stage),
            col(Venture.region),
            col(Deal.amount_gbp),
            func.coalesce(invested_at, col(Deal.updated_at)),
        )
        .join(Venture, col(Venture.id) == col(Deal.venture_id))
        .where(col(Deal.stage) == DealStage.INVESTED.value)
        .where(~mirrored)
        .order_by(col(Deal.id))
    )
    for investor_id, venture_id, sectors, stage, region, amount, at in platform:
        history.append(
            DealRecord(
                investor_id=investor_id,
                venture_id=venture_id,
                company_key=f"venture:{venture_id}",
                sectors=sectors or [],
                stage=stage,
                region=region,
                amount_gbp=amount,
                date=at.date() if isinstance(at, datetime) else at,
            )
        )
    return history


def fingerprint(*, session: Session) -> tuple[str | None, tuple[Any, ...]]:
    """(the active model's version, `inputs_version`), read in one statement: every refresh
    asks first whether its process's scoring state still holds."""
    dialect = session.connection().dialect
    sql = _FINGERPRINT_SQL.get(dialect.name)
    if sql is None:
        compiled = _fingerprint_query().compile(
            dialect=dialect, compile_kwargs={"literal_binds": True}
        )
        sql = _FINGERPRINT_SQL[dialect.name] = str(compiled)
    (found,) = read_rows(session, sql)
    return found[0], tuple(found[1:])


# The statement's text for each dialect, rendered once and run through the driver's cursor:
# every refresh starts with it, and SQLAlchemy's handling of it cost more than running it.
_FINGERPRINT_SQL: dict[str, str] = {}


@cache
def _fingerprint_query() -> Any:
    """Built once: constructing it took longer than running it."""
    active = col(InvestorProfile.active) == True  # noqa: E712
    investors = (
        select(
            func.count().label("n"),
            func.max(col(InvestorProfile.updated_at)).label("latest"),
            func.coalesce(func.sum(col(InvestorProfile.id)), 0).label("total"),
        )
        .where(active)
        .subquery()
    )
    # max(id) is one index probe (as a scalar subquery: in the FROM list SQLite scans the
    # table for it); a deleted deal also changes the investor figures above (its investor
    # was deleted) or is caught by the nightly full refresh.
    portfolio = select(func.coalesce(func.max(col(PortfolioDeal.id)), 0)).scalar_subquery()
    invested = (
        select(func.count().label("n"), func.coalesce(func.sum(col(Deal.id)), 0).label("total"))
        .where(col(Deal.stage) == DealStage.INVESTED.value)
        .subquery()
    )
    model = (
        select(col(ModelVersion.version))
        .where(col(ModelVersion.active) == True)  # noqa: E712
        .limit(1)
        .scalar_subquery()
    )
    columns = [investors.c.n, investors.c.latest, investors.c.total, portfolio]
    # One row each: joined on true, a product of single rows (said, for SQLAlchemy's lint).
    joined = investors.join(invested, true())
    return select(model, *columns, *invested.c).select_from(joined)


def inputs_version(*, session: Session) -> tuple[Any, ...]:
    """A fingerprint of the investor side: active investors and every past deal."""
    return fingerprint(session=session)[1]


def same_history(one: tuple[Any, ...], other: tuple[Any, ...]) -> bool:
    """Whether two `inputs_version` fingerprints have the same past deals (their last three
    parts): the investors' track records, and so their columns, then differ only for
    investors whose own profile changed."""
    return one[3:] == other[3:]


def passed_pairs(
    *,
    session: Session,
    venture_ids: Collection[int] | None = None,
    investor_ids: Collection[int] | None = None,
) -> set[tuple[int, int]]:
    """(venture, investor) pairs with a standing pass; None for either side means all."""
    sql = f"SELECT venture_id, investor_id FROM feedback WHERE action = '{FeedbackAction.PASS}'"  # noqa: S608
    params: tuple[Any, ...] = ()
    for column, ids in (("venture_id", venture_ids), ("investor_id", investor_ids)):
        if ids is not None:
            if not ids:
                return set()
            condition, more = among(session, column, ids)
            sql, params = f"{sql} AND {condition}", params + more
    return {(int(v), int(i)) for v, i in read_rows(session, sql, params)}
