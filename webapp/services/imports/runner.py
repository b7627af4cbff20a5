"""The one flow every import follows: check every row, then write all good rows or none.

A row is checked completely before anything is written, and rows are written whole inside one
transaction, so a failure never leaves half a row or half a file behind.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Hashable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from webapp.models import User
from webapp.services.common.audit import record_audit
from webapp.services.common.errors import Conflict
from webapp.services.imports.csvfile import Row
from webapp.services.imports.report import ImportMode, ImportReport, Progress, RowError

T = TypeVar("T")
CHUNK = 500


@dataclass(frozen=True, slots=True)
class Checked(Generic[T]):
    """A row that passed: its natural key (for duplicates) and the values to write."""

    line: int
    key: Hashable
    item: T


class Skip:
    """A row the upload asked to leave out (not an error)."""


SKIP = Skip()
CheckResult = Checked[T] | list[RowError] | Skip


def run_import(
    *,
    session: Session,
    report: ImportReport,
    rows: Sequence[Row],
    check: Callable[[Row], CheckResult[T]],
    existing: Callable[[Collection[Hashable]], set[Hashable]],
    write: Callable[[Sequence[Checked[T]]], list[int]],
    finish: Callable[[list[int]], None],
    progress: Progress | None = None,
) -> ImportReport:
    """Check, decide, write and commit; `finish` adds the audit row and outbox events."""
    report.rows = len(rows)
    good: list[Checked[T]] = []
    for done, row in enumerate(rows, start=1):
        result = check(row)
        if isinstance(result, Skip):
            report.skipped += 1
        elif isinstance(result, list):
            report.errors.extend(result)
        else:
            good.append(result)
        if progress is not None and (done % CHUNK == 0 or done == len(rows)):
            progress("checking", done, len(rows))
    if report.errors and report.mode == ImportMode.ALL_OR_NOTHING:
        return report
    present = existing([c.key for c in good])
    seen: set[Hashable] = set()
    fresh = []
    for candidate in good:
        if candidate.key in present or candidate.key in seen:
            report.duplicates += 1
        else:
            seen.add(candidate.key)
            fresh.append(candidate)
    created: list[int] = []
    try:
        for start in range(0, len(fresh), CHUNK):
            created += write(fresh[start : start + CHUNK])
            if progress is not None:
                progress("writing", min(start + CHUNK, len(fresh)), len(fresh))
        finish(created)
        session.commit()
    except IntegrityError:
        session.rollback()
        raise Conflict(
            "Another change wrote some of these rows while the file was being imported; "
            "nothing was written. Upload the file again: rows already present are skipped."
        ) from None
    report.written, report.created_ids, report.committed = len(fresh), created, True
    return report


def audit_import(
    *,
    session: Session,
    actor: User,
    kind: str,
    rows: int,
    created: Sequence[int],
    mode: ImportMode,
    ip: str | None,
    object_type: str = "import",
    object_id: int | None = None,
    **details: Any,
) -> None:
    """The audit row every import's `finish` adds: what was asked, what was written, how."""
    record_audit(
        session=session,
        actor=actor,
        action=f"import.{kind}",
        object_type=object_type,
        object_id=object_id,
        after={"rows": rows, "written": len(created), **details, "mode": mode.value},
        ip=ip,
    )
