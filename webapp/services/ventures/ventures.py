"""Founders' ventures: create, edit, publish, close, erase, and the lists people browse."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, func
from sqlmodel import Session, col, select

from webapp.models import User, Venture, VentureCreate, VentureUpdate, utcnow
from webapp.models.enums import DealClosedReason, Role, Visibility
from webapp.services.access.object_access import (
    is_staff,
    owned_venture,
    readable_venture,
    staff_venture_ids,
)
from webapp.services.common.audit import record_audit, scrub_personal_data
from webapp.services.common.errors import FieldError, Forbidden, ValidationFailed
from webapp.services.common.ids import saved_id
from webapp.services.common.json_filters import dialect_name, json_array_overlaps
from webapp.services.common.pagination import Page, check_window
from webapp.services.common.taxonomy import VENTURE_CODE_FIELDS, check_codes, reference_data
from webapp.services.common.text_checks import text_errors
from webapp.services.deals.deal_closures import close_venture_deals
from webapp.services.deals.deal_news import announce_round_closed
from webapp.services.outbox.outbox import VENTURE_CHANGED, VENTURE_DELETED, record_event

# Columns a venture may not be without: an explicit null in a partial update is refused.
REQUIRED_FIELDS = frozenset(
    {"name", "summary", "sectors", "stage", "raise_amount_gbp", "instruments", "region"}
    | {"spinout", "eis", "seis", "visibility"}
)
AUDITED_FIELDS = ("name", "stage", "raise_amount_gbp", "region", "visibility")


@dataclass(frozen=True)
class VentureFilters:
    """Filters of the venture and match lists; a parent code matches everything below it."""

    sector: str | None = None
    stage: str | None = None
    region: str | None = None
    institution: str | None = None

    def check(self) -> None:
        """Unknown codes are a 422 naming the query field."""
        errors = check_codes(
            {"sector": self.sector, "stage": self.stage, "region": self.region}
            | {"institution": self.institution},
            {"sector": "sector", "stage": "stage", "region": "region"}
            | {"institution": "institution"},
        )
        if errors:
            raise ValidationFailed(errors)

    def clauses(self, dialect: str) -> list[ColumnElement[bool]]:
        """WHERE clauses on the venture table for the filters that are set."""
        self.check()
        reference = reference_data()
        found: list[ColumnElement[bool]] = []
        if self.sector:
            codes = reference.sector_descendants(self.sector)
            found.append(json_array_overlaps(dialect, Venture.sectors, codes))
        if self.stage:
            found.append(col(Venture.stage) == self.stage)
        if self.region:
            found.append(col(Venture.region).in_(sorted(reference.region_descendants(self.region))))
        if self.institution:
            found.append(col(Venture.institution) == self.institution)
        return found


def _check(values: dict[str, Any]) -> None:
    errors = text_errors(values) + check_codes(values, VENTURE_CODE_FIELDS)
    errors += [
        FieldError(field, "This field cannot be null")
        for field, value in values.items()
        if value is None and field in REQUIRED_FIELDS
    ]
    for field in ("sectors", "instruments"):
        codes = values.get(field) or []
        if len(set(codes)) != len(codes):
            errors.append(FieldError(field, f"{codes!r} lists a code twice; list each once"))
    if errors:
        raise ValidationFailed(errors)


def _snapshot(venture: Venture) -> dict[str, Any]:
    return {field: getattr(venture, field) for field in AUDITED_FIELDS}


def _announce(session: Session, venture: Venture, was_published: bool) -> None:
    """Rankings only hold published ventures: tell the workers when that set changes."""
    if was_published or venture.visibility == Visibility.PUBLISHED.value:
        record_event(session=session, kind=VENTURE_CHANGED, payload={"venture_id": venture.id})


def create_venture(*, session: Session, owner: User, data: VentureCreate) -> Venture:
    """A founder adds a venture (a draft unless they publish it straight away)."""
    if owner.role != Role.FOUNDER.value:
        raise Forbidden("Only founders can create ventures")
    values = data.model_dump()
    _check(values)
    now = utcnow()
    venture = Venture(**values, owner_id=saved_id(owner), created_at=now, updated_at=now)
    if venture.visibility == Visibility.PUBLISHED.value:
        venture.published_at = now
    session.add(venture)
    session.flush()
    record_audit(
        session=session,
        actor=owner,
        action="venture.created",
        object_type="venture",
        object_id=venture.id,
        after=_snapshot(venture),
    )
    _announce(session, venture, was_published=False)
    session.commit()
    return venture


def update_venture(
    *, session: Session, actor: User, venture_id: int, data: VentureUpdate
) -> Venture:
    """A partial update by the owner; only the fields sent change."""
    venture = owned_venture(session, actor, venture_id)
    changes = data.model_dump(exclude_unset=True)
    _check(changes)
    before = _snapshot(venture)
    was_published = venture.visibility == Visibility.PUBLISHED.value
    closing = (
        changes.get("visibility") == Visibility.CLOSED.value
        and venture.visibility != Visibility.CLOSED.value
    )
    for field, value in changes.items():
        setattr(venture, field, value)
    now = utcnow()
    venture.updated_at = now
    if venture.visibility == Visibility.PUBLISHED.value and not was_published:
        venture.published_at = now
    session.add(venture)
    change = record_audit(
        session=session,
        actor=actor,
        action="venture.updated",
        object_type="venture",
        object_id=venture.id,
        before=before,
        after=_snapshot(venture),
    )
    if closing:  # no new investors; deals under way carry on, and their investors hear of it
        session.flush()
        announce_round_closed(session=session, venture=venture, change=change)
    _announce(session, venture, was_published)
    session.commit()
    return venture


def set_visibility(
    *, session: Session, actor: User, venture_id: int, visibility: Visibility
) -> Venture:
    """Publish, close or take a venture back to draft."""
    return update_venture(
        session=session,
        actor=actor,
        venture_id=venture_id,
        data=VentureUpdate(visibility=visibility.value),
    )


def delete_venture(
    *,
    session: Session,
    actor: User,
    venture_id: int,
    reason: DealClosedReason = DealClosedReason.VENTURE_ERASED,
) -> None:
    """Erase a venture and everything hanging off it; the audit trail keeps only who and when.

    Its deals stay for the investors, closed with `reason` (the founder may be erasing her
    whole account) and no longer linked to the venture.
    """
    venture = owned_venture(session, actor, venture_id)
    was_published = venture.visibility == Visibility.PUBLISHED.value
    close_venture_deals(session=session, actor=actor, venture=venture, reason=reason)
    scrub_personal_data(session=session, object_type="venture", object_id=venture_id)
    session.delete(venture)
    record_audit(
        session=session,
        actor=actor,
        action="venture.deleted",
        object_type="venture",
        object_id=venture_id,
    )
    if was_published:
        record_event(session=session, kind=VENTURE_DELETED, payload={"venture_id": venture_id})
    session.commit()


def get_venture(*, session: Session, viewer: User, venture_id: int) -> Venture:
    """A venture the viewer may read (404 otherwise)."""
    return readable_venture(session, viewer, venture_id)


def list_ventures(
    *,
    session: Session,
    viewer: User,
    filters: VentureFilters | None = None,
    limit: int = 20,
    offset: int = 0,
) -> Page[Venture]:
    """Founders see their own ventures; investors and staff see the published ones, newest first."""
    check_window(limit, offset)
    where = (filters or VentureFilters()).clauses(dialect_name(session))
    if viewer.role == Role.FOUNDER.value:
        where.append(col(Venture.owner_id) == viewer.id)
    elif viewer.role == Role.INVESTOR.value or is_staff(viewer):
        where.append(col(Venture.visibility) == Visibility.PUBLISHED.value)
        if (scope := staff_venture_ids(session, viewer)) is not None:
            where.append(col(Venture.id).in_(scope))
    else:
        return Page(items=[], total=0, limit=limit, offset=offset)
    total = session.exec(select(func.count()).select_from(Venture).where(*where)).one()
    items = session.exec(
        select(Venture)
        .where(*where)
        .order_by(col(Venture.updated_at).desc(), col(Venture.id).desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return Page(items=list(items), total=int(total), limit=limit, offset=offset)


def names_of(*, session: Session, venture_ids: list[int]) -> dict[int, str]:
    """Venture names by id, in one query (for lists that hold only ids)."""
    if not venture_ids:
        return {}
    rows = session.exec(
        select(Venture.id, Venture.name).where(col(Venture.id).in_(set(venture_ids)))
    ).all()
    return {venture_id: name for venture_id, name in rows if venture_id is not None}
