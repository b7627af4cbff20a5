"""Investor mandates: one per organisation, managed by its members, checked against taxonomy."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from tests.factories import FounderFactory, InvestorUserFactory, OrganisationFactory, StaffFactory
from tests.webapp.ventures.parties import Investor
from webapp.models import InvestorProfileCreate, InvestorProfileUpdate, OutboxEvent, User
from webapp.services.common.errors import Conflict, Forbidden, NotFound, ValidationFailed
from webapp.services.investors import investors, member_invitations
from webapp.services.outbox.outbox import INVESTOR_CHANGED


def _body(**overrides: object) -> InvestorProfileCreate:
    body: dict[str, object] = {
        "name": "Humber Seed Partners",
        "investor_type": "angel_network",
        "sectors": ["clean_energy"],
        "stages": ["pre_seed", "seed"],
        "ticket_min_gbp": 50_000,
        "ticket_max_gbp": 500_000,
        "regions": ["yorkshire_humber"],
        "instruments": ["equity"],
        "thesis": "Offshore wind supply chain and hydrogen on the Humber.",
    }
    return InvestorProfileCreate.model_validate(body | overrides)


def test_an_investor_without_an_organisation_gets_one_named_after_the_mandate(
    session: Session,
) -> None:
    user = InvestorUserFactory(organisation_id=None)
    profile = investors.create_investor_profile(session=session, actor=user, data=_body())
    session.refresh(user)
    assert user.organisation_id == profile.organisation_id
    [event] = session.exec(select(OutboxEvent).where(OutboxEvent.kind == INVESTOR_CHANGED)).all()
    assert event.payload == {"investor_id": profile.id}


def test_one_mandate_per_organisation(session: Session, investor: Investor) -> None:
    with pytest.raises(Conflict):
        investors.create_investor_profile(session=session, actor=investor.user, data=_body())


def test_an_organisation_name_already_taken_is_a_field_error(session: Session) -> None:
    OrganisationFactory(name="Humber Seed Partners")
    with pytest.raises(ValidationFailed) as caught:
        investors.create_investor_profile(
            session=session, actor=InvestorUserFactory(organisation_id=None), data=_body()
        )
    assert caught.value.errors[0].field == "name"


def test_founders_and_staff_cannot_create_mandates(session: Session) -> None:
    for user in (FounderFactory(), StaffFactory()):
        with pytest.raises(Forbidden):
            investors.create_investor_profile(session=session, actor=user, data=_body())


def test_unknown_codes_name_the_field_and_index(session: Session) -> None:
    with pytest.raises(ValidationFailed) as caught:
        investors.create_investor_profile(
            session=session,
            actor=InvestorUserFactory(organisation_id=None),
            data=_body(stages=["seed", "series_q"], investor_type="pirate"),
        )
    assert {e.field for e in caught.value.errors} == {"stages[1]", "investor_type"}


def test_a_partial_update_is_checked_against_the_stored_ticket_range(
    session: Session, investor: Investor
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        investors.update_investor_profile(
            session=session,
            actor=investor.user,
            investor_id=investor.profile.id,
            data=InvestorProfileUpdate(ticket_min_gbp=investor.profile.ticket_max_gbp + 1),
        )
    assert caught.value.errors[0].field == "ticket_min_gbp"
    changed = investors.update_investor_profile(
        session=session,
        actor=investor.user,
        investor_id=investor.profile.id,
        data=InvestorProfileUpdate(sectors=["diagnostics"], active=False),
    )
    assert changed.sectors == ["diagnostics"]
    assert changed.active is False


def test_a_sector_cannot_be_both_wanted_and_excluded(session: Session, investor: Investor) -> None:
    with pytest.raises(ValidationFailed) as caught:
        investors.update_investor_profile(
            session=session,
            actor=investor.user,
            investor_id=investor.profile.id,
            data=InvestorProfileUpdate(excluded_sectors=list(investor.profile.sectors)),
        )
    assert caught.value.errors[0].field == "excluded_sectors"


def test_only_members_change_a_mandate_and_staff_only_read_it(
    session: Session, investor: Investor
) -> None:
    outsider = InvestorUserFactory()
    with pytest.raises(NotFound):
        investors.update_investor_profile(
            session=session,
            actor=outsider,
            investor_id=investor.profile.id,
            data=InvestorProfileUpdate(name="Hijacked"),
        )
    staff = StaffFactory()
    assert (
        investors.get_investor_profile(
            session=session, viewer=staff, investor_id=investor.profile.id
        ).id
        == investor.profile.id
    )
    with pytest.raises(Forbidden):
        investors.update_investor_profile(
            session=session,
            actor=staff,
            investor_id=investor.profile.id,
            data=InvestorProfileUpdate(name="Hijacked"),
        )


def test_members_bring_in_colleagues_and_never_remove_the_last_one(
    session: Session, investor: Investor
) -> None:
    colleague = InvestorUserFactory(organisation_id=None)
    invitation = member_invitations.invite_member(
        session=session,
        actor=investor.user,
        investor_id=investor.profile.id,
        email=colleague.email.upper(),
    )
    member_invitations.answer_invitation(
        session=session, actor=colleague, invitation_id=invitation.id, accept=True
    )
    members = investors.list_members(
        session=session, viewer=investor.user, investor_id=investor.profile.id
    )
    assert {m.id for m in members} == {investor.user.id, colleague.id}
    investors.remove_member(
        session=session, actor=colleague, investor_id=investor.profile.id, user_id=investor.user.id
    )
    with pytest.raises(Conflict):
        investors.remove_member(
            session=session, actor=colleague, investor_id=investor.profile.id, user_id=colleague.id
        )
    session.expire_all()
    assert session.get(User, investor.user.id).organisation_id is None  # type: ignore[union-attr]
