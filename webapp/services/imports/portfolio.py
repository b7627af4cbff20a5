"""An investor's portfolio history, in the Crunchbase 2013 layout, as PortfolioDeal rows.

These rows are the ranker's track record: the sectors, stages, places and sizes an investor has
backed. Mapping decisions are in `crunchbase`. Uploading the same history again adds nothing:
each row's `dedupe_key` is `company|date|round` (normalised) and is unique per investor. With
`investor_name`, only rows naming that investor (ignoring case) are imported and the others are
counted as skipped, so a multi-investor file can be used as it is.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlmodel import Session, col

from webapp.models import PortfolioDeal, User, utcnow
from webapp.services.access.object_access import is_member, is_staff, readable_investor
from webapp.services.common.errors import Forbidden
from webapp.services.common.ids import saved_id
from webapp.services.common.taxonomy import reference_data
from webapp.services.common.text_checks import text_problem
from webapp.services.imports.crunchbase import CATEGORIES, ROUND_TYPES, place, usd_to_gbp
from webapp.services.imports.csvfile import CellError, Row, as_decimal, as_list, read_rows
from webapp.services.imports.report import ImportMode, ImportReport, Progress, RowError
from webapp.services.imports.runner import SKIP, Checked, CheckResult, audit_import, run_import
from webapp.services.outbox.outbox import FULL_REFRESH_REQUESTED, record_event

REQUIRED = ("company_name", "investor_name", "funded_at")
OPTIONAL = (
    "round_id",
    "amount_usd",
    "funding_round_type",
    "category_code",
    "country_code",
    "state_code",
    "region",
    "city",
    "company_permalink",
)
EARLIEST = date(1950, 1, 1)


@dataclass(frozen=True, slots=True)
class PastDeal:
    """The fields of one PortfolioDeal, checked."""

    company_name: str
    funded_at: date
    amount_gbp: int | None
    stage: str | None
    round_type: str
    sectors: tuple[str, ...]
    region: str | None

    @property
    def dedupe_key(self) -> str:
        """Company, date and round, normalised."""
        round_name = self.stage or self.round_type
        return f"{self.company_name.casefold()}|{self.funded_at.isoformat()}|{round_name}"


def _sectors(text: str, known: frozenset[str]) -> tuple[str, ...] | str:
    """Our sector codes for a category cell, or the error message."""
    value = text.strip().lower()
    if value in CATEGORIES:
        return CATEGORIES[value]
    codes = as_list(value)
    unknown = [c for c in codes if c not in known]
    if unknown:
        return (
            f"is neither a Crunchbase category ({', '.join(sorted(CATEGORIES))}) nor our "
            "sector codes (see GET /api/v1/taxonomy)"
        )
    return tuple(codes)


def _check_row(row: Row, today: date, wanted: str | None) -> CheckResult[PastDeal]:
    cells = row.cells
    if wanted is not None and cells["investor_name"].strip().casefold() != wanted:
        return SKIP
    errors: list[RowError] = []

    def fail(column: str, message: str) -> None:
        errors.append(RowError(row.line, column, cells.get(column, ""), message))

    for column, text in cells.items():
        problem = text_problem(text)
        if problem:
            fail(column, problem)
    company = cells["company_name"].strip()
    if not company:
        fail("company_name", "is required")
    elif len(company) > 200:
        fail("company_name", f"has {len(company)} characters; use at most 200")
    funded: date | None = None
    try:
        funded = date.fromisoformat(cells["funded_at"].strip())
    except ValueError:
        fail("funded_at", "is not a date; write it as YYYY-MM-DD, e.g. 2011-06-01")
    if funded is not None and not EARLIEST <= funded <= today:
        fail("funded_at", f"must be between {EARLIEST.isoformat()} and today")
    amount: int | None = None
    if cells.get("amount_usd", "").strip():
        try:
            usd = as_decimal(cells["amount_usd"], symbols="$")
        except CellError as exc:
            fail("amount_usd", str(exc))
        else:
            if usd <= 0:
                fail("amount_usd", "is not a positive number of US dollars, e.g. 8500000")
            else:
                amount = usd_to_gbp(usd)
    round_type = cells.get("funding_round_type", "").strip().lower()
    if round_type and round_type not in ROUND_TYPES:
        fail("funding_round_type", f"is not one of {', '.join(sorted(ROUND_TYPES))}")
    reference = reference_data()
    sectors = _sectors(cells.get("category_code", ""), reference.sector_codes)
    if isinstance(sectors, str):
        fail("category_code", sectors)
    region = place(
        cells.get("country_code", ""),
        cells.get("region", "").strip(),
        cells.get("city", ""),
        reference.region_codes,
    )
    if errors or funded is None or isinstance(sectors, str):
        return errors
    deal = PastDeal(
        company_name=company,
        funded_at=funded,
        amount_gbp=amount,
        stage=ROUND_TYPES.get(round_type),
        round_type=round_type,
        sectors=sectors,
        region=region,
    )
    return Checked(row.line, deal.dedupe_key[:300], deal)


def import_portfolio(
    *,
    session: Session,
    actor: User,
    investor_id: int,
    content: bytes | str,
    mode: ImportMode = ImportMode.ALL_OR_NOTHING,
    investor_name: str | None = None,
    max_rows: int | None = 20_000,
    ip: str | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Check every row, then add the investor's past deals (members of the investor, or staff)."""
    profile = readable_investor(session, actor, investor_id)
    if not (is_member(actor, profile) or is_staff(actor)):
        raise Forbidden(f"Only members of investor {investor_id} or staff can import its history")
    rows = read_rows(content, required=REQUIRED, optional=OPTIONAL, max_rows=max_rows)
    today = utcnow().date()
    wanted = investor_name.strip().casefold() if investor_name else None

    def existing(keys: Collection[Hashable]) -> set[Hashable]:
        query = select(col(PortfolioDeal.dedupe_key)).where(
            col(PortfolioDeal.investor_id) == investor_id
        )
        present = set(session.connection().execute(query).scalars())
        return {k for k in keys if k in present}

    def write(batch: Sequence[Checked[PastDeal]]) -> list[int]:
        made = [
            PortfolioDeal(
                investor_id=investor_id,
                company_name=c.item.company_name,
                funded_at=c.item.funded_at,
                amount_gbp=c.item.amount_gbp,
                stage=c.item.stage,
                sectors=list(c.item.sectors),
                region=c.item.region,
                source="import",
                dedupe_key=str(c.key),
            )
            for c in batch
        ]
        session.add_all(made)
        session.flush()
        return [saved_id(d) for d in made]

    def finish(created: list[int]) -> None:
        if created:
            # The history moves this investor's track record and the market-wide baselines
            # every investor's is measured against: rescore everything, as for an investment.
            record_event(
                session=session,
                kind=FULL_REFRESH_REQUESTED,
                payload={"reason": f"portfolio import for investor {investor_id}"},
            )
        audit_import(session=session, actor=actor, kind="portfolio", rows=len(rows),
                     created=created, mode=mode, ip=ip, object_type="investor_profile",
                     object_id=investor_id)  # fmt: skip

    return run_import(
        session=session,
        report=ImportReport(kind="portfolio", mode=mode),
        rows=rows,
        check=lambda row: _check_row(row, today, wanted),
        existing=existing,
        write=write,
        finish=finish,
        progress=progress,
    )
