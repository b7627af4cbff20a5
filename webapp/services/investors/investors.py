"""Investor organisations' mandates, and the colleagues who manage them together.

Colleagues join by invitation only (`member_invitations`): joining needs their consent.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from webapp.models import (
    InvestorProfile,
    InvestorProfileCreate,
    InvestorProfileUpdate,
    Organisation,
    User,
    utcnow,
)
from webapp.models.enums import OrganisationKind, Role
from webapp.services.access.object_access import member_investor, readable_investor
from webapp.services.common.audit import record_audit
from webapp.services.common.errors import (
    Conflict,
    FieldError,
    Forbidden,
    NotFound,
    ValidationFailed,
)
from webapp.services.common.ids import saved_id
from webapp.services.common.taxonomy import INVESTOR_CODE_FIELDS, check_codes
from webapp.services.common.text_checks import text_errors
from webapp.services.outbox.outbox import INVESTOR_CHANGED, record_event

REQUIRED_FIELDS = frozenset(
    {"name", "investor_type", "sectors", "excluded_sectors", "stages", "ticket_min_gbp"}
    | {"ticket_max_gbp", "regions", "regions_strict", "instruments", "thesis", "eis", "seis"}
    | {"institutions", "active"}
)
AUDITED_FIELDS = (
    "name",
    "investor_type",
    "sectors",
    "excluded_sectors",
    "stages",
    "ticket_min_gbp",
    "ticket_max_gbp",
    "regions",
    "active",
)


def _check(changes: dict[str, Any], merged: dict[str, Any]) -> None:
    """Codes and nulls of the fields sent; ticket range and sector overlap of the result."""
    errors = text_errors(changes) + check_codes(changes, INVESTOR_CODE_FIELDS)
    errors += [
        FieldError(field, "This field cannot be null")
        for field, value in changes.items()
        if value is None and field in REQUIRED_FIELDS
    ]
    low, high = merged.get("ticket_min_gbp"), merged.get("ticket_max_gbp")
    if low is not None and high is not None and low > high:
        errors.append(FieldError("ticket_min_gbp", f"£{low:,} is above ticket_max_gbp £{high:,}"))
    both = set(merged.get("sectors") or []) & set(merged.get("excluded_sectors") or [])
    if both:
        errors.append(
            FieldError("excluded_sectors", f"{sorted(both)} are also in sectors; pick one")
        )
    if errors:
        raise ValidationFailed(errors)


def _snapshot(profile: InvestorProfile) -> dict[str, Any]:
    return {field: getattr(profile, field) for field in AUDITED_FIELDS}


def _organisation_for(session: Session, actor: User, name: str) -> Organisation:
    """The actor's organisation, made on first use and named after the mandate."""
    if actor.organisation_id is not None:
        organisation = session.get(Organisation, actor.organisation_id)
        if organisation is not None:
            return organisation
    taken = session.exec(select(Organisation.id).where(Organisation.name == name)).first()
    if taken is not None:
        raise ValidationFailed(
            [
                FieldError(
                    "name",
                    f"an organisation called {name!r} is already on venturematch; ask one of its "
                    "members to invite you, or use your organisation's full legal name",
                )
            ]
        )
    organisation = Organisation(name=name, kind=OrganisationKind.INVESTOR.value)
    session.add(organisation)
    session.flush()
    actor.organisation_id = organisation.id
    actor.updated_at = utcnow()
    session.add(actor)
    return organisation


def create_investor_profile(
    *, session: Session, actor: User, data: InvestorProfileCreate
) -> InvestorProfile:
    """An investor sets up its organisation's mandate (one per organisation)."""
    if actor.role != Role.INVESTOR.value:
        raise Forbidden("Only investor accounts can create an investor profile")
    values = data.model_dump()
    _check(values, values)
    organisation = _organisation_for(session, actor, values["name"])
    existing = session.exec(
        select(InvestorProfile.id).where(InvestorProfile.organisation_id == organisation.id)
    ).first()
    if existing is not None:
        raise Conflict(
            f"Your organisation already has investor profile {existing}; "
            f"change it with PATCH /api/v1/investors/{existing}"
        )
    now = utcnow()
    profile = InvestorProfile(
        **values, organisation_id=saved_id(organisation), created_at=now, updated_at=now
    )
    session.add(profile)
    try:
        session.flush()
    except IntegrityError as exc:
        session.rollback()
        raise Conflict("Your organisation already has an investor profile") from exc
    record_audit(
        session=session,
        actor=actor,
        action="investor.created",
        object_type="investor_profile",
        object_id=profile.id,
        after=_snapshot(profile),
    )
    record_event(session=session, kind=INVESTOR_CHANGED, payload={"investor_id": profile.id})
    session.commit()
    return profile


def update_investor_profile(
    *, session: Session, actor: User, investor_id: int, data: InvestorProfileUpdate
) -> InvestorProfile:
    """A member changes the mandate; the ranker rescores it after commit."""
    profile = member_investor(session, actor, investor_id)
    changes = data.model_dump(exclude_unset=True)
    _check(changes, _snapshot(profile) | changes)
    before = _snapshot(profile)
    for field, value in changes.items():
        setattr(profile, field, value)
    profile.updated_at = utcnow()
    session.add(profile)
    record_audit(
        session=session,
        actor=actor,
        action="investor.updated",
        object_type="investor_profile",
        object_id=profile.id,
        before=before,
        after=_snapshot(profile),
    )
    record_event(session=session, kind=INVESTOR_CHANGED, payload={"investor_id": profile.id})
    session.commit()
    return profile


def get_investor_profile(*, session: Session, viewer: User, investor_id: int) -> InvestorProfile:
    """A mandate its members and staff may read."""
    return readable_investor(session, viewer, investor_id)


def profile_of(*, session: Session, user: User) -> InvestorProfile | None:
    """The mandate of the user's organisation, if there is one."""
    if user.organisation_id is None:
        return None
    return session.exec(
        select(InvestorProfile).where(InvestorProfile.organisation_id == user.organisation_id)
    ).first()


def list_members(*, session: Session, viewer: User, investor_id: int) -> list[User]:
    """The people who manage the mandate."""
    profile = readable_investor(session, viewer, investor_id)
    return list(
        session.exec(
            select(User)
            .where(User.organisation_id == profile.organisation_id)
            .where(col(User.role) == Role.INVESTOR.value)
            .order_by(col(User.name))
        ).all()
    )


def remove_member(*, session: Session, actor: User, investor_id: int, user_id: int) -> None:
    """A member removes a colleague (never the last member, so the mandate stays managed)."""
    profile = member_investor(session, actor, investor_id)
    members = list_members(session=session, viewer=actor, investor_id=investor_id)
    target = next((m for m in members if m.id == user_id), None)
    if target is None:
        raise NotFound(f"No member {user_id} in investor {investor_id}")
    if len(members) == 1:
        raise Conflict("The last member of an organisation cannot be removed")
    target.organisation_id = None
    target.updated_at = utcnow()
    session.add(target)
    record_audit(
        session=session,
        actor=actor,
        action="investor.member_removed",
        object_type="investor_profile",
        object_id=profile.id,
        before={"user_id": target.id},
    )
    session.commit()
