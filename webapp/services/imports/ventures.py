"""Staff upload a cohort of ventures; each belongs to an existing founder account.

Columns (lists are separated by ';'; the first line names the columns, in any order):
owner_email, name, summary, sectors, stage, raise_amount_gbp, instruments, region (required);
institution, spinout, incorporated_on, companies_house_number, trl, team_size, eis, seis,
visibility (draft or published; draft when empty).
A venture already owned by that founder under the same name is a duplicate and is left alone,
so the same file can be uploaded twice. With `programme_id`, every venture of the file (new or
already there) is enrolled in that programme.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Sequence
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session, col

from webapp.models import ProgrammeVenture, User, Venture, VentureCreate, utcnow
from webapp.models.enums import Role, Visibility
from webapp.services.access.staff_scope import require_staff
from webapp.services.common.ids import saved_id
from webapp.services.common.taxonomy import VENTURE_CODE_FIELDS
from webapp.services.imports.common import Parser, parse_cells, validate_model
from webapp.services.imports.csvfile import as_bool, as_date, as_list, as_whole_number, read_rows
from webapp.services.imports.report import ImportMode, ImportReport, Progress, RowError
from webapp.services.imports.runner import Checked, CheckResult, audit_import, run_import
from webapp.services.outbox.outbox import VENTURE_CHANGED, record_event
from webapp.services.ventures.programmes import programme_detail

REQUIRED = (
    "owner_email",
    "name",
    "summary",
    "sectors",
    "stage",
    "raise_amount_gbp",
    "instruments",
    "region",
)
OPTIONAL = (
    "institution",
    "spinout",
    "incorporated_on",
    "companies_house_number",
    "trl",
    "team_size",
    "eis",
    "seis",
    "visibility",
)
PARSERS: dict[str, Parser] = {
    "name": str,
    "summary": str,
    "sectors": as_list,
    "stage": str,
    "raise_amount_gbp": as_whole_number,
    "instruments": as_list,
    "region": str,
    "institution": str,
    "spinout": as_bool,
    "incorporated_on": as_date,
    "companies_house_number": str.upper,
    "trl": as_whole_number,
    "team_size": as_whole_number,
    "eis": as_bool,
    "seis": as_bool,
    "visibility": str.lower,
}


def import_ventures(
    *,
    session: Session,
    actor: User,
    content: bytes | str,
    mode: ImportMode = ImportMode.ALL_OR_NOTHING,
    programme_id: int | None = None,
    max_rows: int | None = 20_000,
    ip: str | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Check every row, then write the ventures (all, or only the good ones if asked)."""
    require_staff(actor)
    if programme_id is not None:  # 404 unless the actor may manage it
        programme_detail(session=session, viewer=actor, programme_id=programme_id)
    rows = read_rows(content, required=REQUIRED, optional=OPTIONAL, max_rows=max_rows)
    emails = {r.cells["owner_email"].strip().lower() for r in rows}
    founders = {
        email: (uid, role, active)
        for uid, email, role, active in session.connection().execute(
            select(
                col(User.id), func.lower(col(User.email)), col(User.role), col(User.active)
            ).where(func.lower(col(User.email)).in_(sorted(emails)))
        )
    }
    matched_ids: list[int] = []

    def check(row: Any) -> CheckResult[tuple[int, VentureCreate]]:
        errors: list[RowError] = []
        email = row.cells["owner_email"].strip().lower()
        owner = founders.get(email)
        if owner is None or owner[1] != Role.FOUNDER.value or not owner[2]:
            errors.append(
                RowError(
                    row.line,
                    "owner_email",
                    row.cells["owner_email"],
                    "is not an active founder account; the founder must sign up first",
                )
            )
        values = parse_cells(row, PARSERS, errors)
        if values.get("visibility") not in (None, "draft", "published"):
            errors.append(
                RowError(row.line, "visibility", values.pop("visibility"), "use draft or published")
            )
        built = validate_model(row, VentureCreate, values, VENTURE_CODE_FIELDS, errors)
        if errors or built is None or owner is None:
            return errors
        assert isinstance(built, VentureCreate)
        return Checked(row.line, (owner[0], built.name.casefold()), (owner[0], built))

    def existing(keys: Collection[Hashable]) -> set[Hashable]:
        owners = sorted({key[0] for key in keys if isinstance(key, tuple)})
        found: set[Hashable] = set()
        query = select(col(Venture.id), col(Venture.owner_id), col(Venture.name)).where(
            col(Venture.owner_id).in_(owners)
        )
        wanted = set(keys)
        for vid, owner_id, name in session.connection().execute(query):
            key = (owner_id, name.casefold())
            if key in wanted and vid is not None:
                found.add(key)
                matched_ids.append(vid)
        return found

    def write(batch: Sequence[Checked[tuple[int, VentureCreate]]]) -> list[int]:
        now = utcnow()
        made = []
        for candidate in batch:
            owner_id, data = candidate.item
            venture = Venture(
                **data.model_dump(), owner_id=owner_id, created_at=now, updated_at=now
            )
            if venture.visibility == Visibility.PUBLISHED.value:
                venture.published_at = now
            session.add(venture)
            made.append(venture)
        session.flush()
        for venture in made:
            if venture.visibility == Visibility.PUBLISHED.value:
                record_event(
                    session=session, kind=VENTURE_CHANGED, payload={"venture_id": venture.id}
                )
        return [saved_id(v) for v in made]

    def finish(created: list[int]) -> None:
        enrolled = 0
        if programme_id is not None:
            present = set(
                session.connection()
                .execute(
                    select(col(ProgrammeVenture.venture_id)).where(
                        col(ProgrammeVenture.programme_id) == programme_id
                    )
                )
                .scalars()
            )
            for vid in dict.fromkeys([*created, *matched_ids]):
                if vid not in present:
                    session.add(ProgrammeVenture(programme_id=programme_id, venture_id=vid))
                    enrolled += 1
        audit_import(session=session, actor=actor, kind="ventures", rows=len(rows),
                     created=created, mode=mode, ip=ip, venture_ids=created[:1000],
                     programme_id=programme_id, enrolled=enrolled)  # fmt: skip

    report = ImportReport(kind="ventures", mode=mode)
    return run_import(
        session=session,
        report=report,
        rows=rows,
        check=check,
        existing=existing,
        write=write,
        finish=finish,
        progress=progress,
    )
