"""Staff upload investors: one organisation and its mandate per row.

Columns (lists separated by ';'): name, investor_type, stages, ticket_min_gbp, ticket_max_gbp,
regions, instruments (required); sectors, excluded_sectors, regions_strict, thesis, eis, seis,
institutions, hq_region, active, website (optional). An organisation already on venturematch
under the same name is a duplicate and is left alone. Members join later, when an admin adds
their accounts to the organisation.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Sequence

from sqlalchemy import func, select
from sqlmodel import Session, col

from webapp.models import InvestorProfile, InvestorProfileCreate, Organisation, User, utcnow
from webapp.models.enums import OrganisationKind
from webapp.services.access.staff_scope import require_staff
from webapp.services.common.ids import saved_id
from webapp.services.common.taxonomy import INVESTOR_CODE_FIELDS
from webapp.services.imports.common import Parser, parse_cells, validate_model
from webapp.services.imports.csvfile import Row, as_bool, as_list, as_whole_number, read_rows
from webapp.services.imports.report import ImportMode, ImportReport, Progress, RowError
from webapp.services.imports.runner import Checked, CheckResult, audit_import, run_import
from webapp.services.outbox.outbox import INVESTOR_CHANGED, record_event

REQUIRED = (
    "name",
    "investor_type",
    "stages",
    "ticket_min_gbp",
    "ticket_max_gbp",
    "regions",
    "instruments",
)
OPTIONAL = (
    "sectors",
    "excluded_sectors",
    "regions_strict",
    "thesis",
    "eis",
    "seis",
    "institutions",
    "hq_region",
    "active",
    "website",
)
PARSERS: dict[str, Parser] = {
    "name": str,
    "investor_type": str,
    "sectors": as_list,
    "excluded_sectors": as_list,
    "stages": as_list,
    "ticket_min_gbp": as_whole_number,
    "ticket_max_gbp": as_whole_number,
    "regions": as_list,
    "regions_strict": as_bool,
    "instruments": as_list,
    "thesis": str,
    "eis": as_bool,
    "seis": as_bool,
    "institutions": as_list,
    "hq_region": str,
    "active": as_bool,
}
Item = tuple[InvestorProfileCreate, str | None]


def import_investors(
    *,
    session: Session,
    actor: User,
    content: bytes | str,
    mode: ImportMode = ImportMode.ALL_OR_NOTHING,
    max_rows: int | None = 20_000,
    ip: str | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Check every row, then create the organisations and mandates (all, or the good ones)."""
    require_staff(actor)
    rows = read_rows(content, required=REQUIRED, optional=OPTIONAL, max_rows=max_rows)

    def check(row: Row) -> CheckResult[Item]:
        errors: list[RowError] = []
        values = parse_cells(row, PARSERS, errors)
        overlap = set(values.get("sectors") or ()) & set(values.get("excluded_sectors") or ())
        if overlap:
            errors.append(
                RowError(
                    row.line,
                    "excluded_sectors",
                    row.cells.get("excluded_sectors", ""),
                    f"{';'.join(sorted(overlap))} also in sectors; pick one",
                )
            )
        website = row.cells.get("website") or None
        if website and (len(website) > 300 or not website.startswith(("https://", "http://"))):
            errors.append(
                RowError(row.line, "website", website, "write a full address starting https://")
            )
        built = validate_model(row, InvestorProfileCreate, values, INVESTOR_CODE_FIELDS, errors)
        if errors or not isinstance(built, InvestorProfileCreate):
            return errors
        return Checked(row.line, built.name.strip().casefold(), (built, website))

    def existing(keys: Collection[Hashable]) -> set[Hashable]:
        names = sorted(str(k) for k in keys)
        query = select(func.lower(col(Organisation.name)))
        taken = {str(n).casefold() for n in session.connection().execute(query).scalars()}
        return {n for n in names if n in taken}

    def write(batch: Sequence[Checked[Item]]) -> list[int]:
        now = utcnow()
        organisations = []
        for candidate in batch:
            data, website = candidate.item
            organisation = Organisation(
                name=data.name.strip(), kind=OrganisationKind.INVESTOR.value, website=website
            )
            session.add(organisation)
            organisations.append((organisation, data))
        session.flush()
        profiles = []
        for organisation, data in organisations:
            profile = InvestorProfile(
                **data.model_dump(),
                organisation_id=saved_id(organisation),
                created_at=now,
                updated_at=now,
            )
            session.add(profile)
            profiles.append(profile)
        session.flush()
        ids = [saved_id(p) for p in profiles]
        for pid in ids:
            record_event(session=session, kind=INVESTOR_CHANGED, payload={"investor_id": pid})
        return ids

    def finish(created: list[int]) -> None:
        audit_import(session=session, actor=actor, kind="investors", rows=len(rows),
                     created=created, mode=mode, ip=ip, investor_ids=created[:1000])  # fmt: skip

    return run_import(
        session=session,
        report=ImportReport(kind="investors", mode=mode),
        rows=rows,
        check=check,
        existing=existing,
        write=write,
        finish=finish,
        progress=progress,
    )
