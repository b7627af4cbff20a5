"""Colleagues join an investor organisation by an invitation they accept (issue 11, point 3).

Inviting answers the same for every address, so it reveals nothing about who has an account;
until the invitee accepts they see nothing of the organisation.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, col, select

from tests.factories import (
    AdminFactory,
    FounderFactory,
    InvestorUserFactory,
    StaffFactory,
)
from tests.webapp.api.helpers import Caller
from tests.webapp.staff.factories import MemberInvitationFactory
from tests.webapp.ventures.factories import MatchFactory
from tests.webapp.ventures.parties import Investor, make_investor
from tests.webapp.web_client import fresh
from webapp.models import (
    AuditLog,
    EmailDelivery,
    MemberInvitation,
    Notification,
    User,
)
from webapp.services.investors.member_invitations import INVITED, MAX_OPEN

AsUser = Callable[[User | None], Caller]
VOLATILE = ("id", "email", "created_at", "expires_at")


def _invite(caller: Caller, investor: Investor, email: str):  # type: ignore[no-untyped-def]
    return caller.post(f"/api/v1/investors/{investor.profile.id}/members", {"email": email})


def test_inviting_answers_alike_for_every_address(
    session: Session, as_user: AsUser, investor: Investor
) -> None:
    loner = InvestorUserFactory(organisation_id=None, email="loner@fund.example")
    member_elsewhere = make_investor().user
    addresses = {
        "an investor with no organisation": loner.email,
        "an investor of another organisation": member_elsewhere.email,
        "a founder": FounderFactory().email,
        "staff": StaffFactory().email,
        "an admin": AdminFactory().email,
        "nobody": "nobody@nowhere.example",
        "nobody, in capitals": "Someone.Else@Nowhere.Example",
    }
    caller = as_user(investor.user)
    answers = {}
    for who, email in addresses.items():
        response = _invite(caller, investor, email)
        body = response.get_json()
        assert body["email"] == email.lower()
        shape = {k: v for k, v in body.items() if k not in VOLATILE}
        answers[who] = (response.status_code, response.headers["Content-Type"], shape)
    assert len(set(map(repr, answers.values()))) == 1, answers
    status, content_type, shape = answers["nobody"]
    assert (status, content_type) == (202, "application/json")
    assert shape == {
        "investor_id": investor.profile.id,
        "organisation_name": investor.profile.name,
        "status": "pending",
        "invited_by_name": investor.user.name,
        "answered_at": None,
    }
    fresh(session)
    # Nobody joined; one invitation per address; each one audited.
    assert session.get(User, loner.id).organisation_id is None  # type: ignore[union-attr]
    assert len(session.exec(select(MemberInvitation)).all()) == len(addresses)
    audited = session.exec(
        select(AuditLog).where(col(AuditLog.action) == "investor.member_invited")
    ).all()
    assert len(audited) == len(addresses)
    # Only active investor accounts hear of it: in the app and by email, nobody else.
    told = {n.user_id for n in session.exec(select(Notification)).all() if n.kind == INVITED}
    assert told == {loner.id, member_elsewhere.id}
    mailed = {e.to_address for e in session.exec(select(EmailDelivery)).all()}
    assert mailed == {loner.email, member_elsewhere.email}


def test_until_they_accept_the_invitee_sees_nothing_of_the_organisation(
    session: Session, as_user: AsUser, investor: Investor
) -> None:
    MatchFactory(investor_id=investor.profile.id)
    colleague = InvestorUserFactory(organisation_id=None)
    invited = _invite(as_user(investor.user), investor, colleague.email).get_json()
    them = as_user(colleague)
    profile = f"/api/v1/investors/{investor.profile.id}"
    for url in (profile, f"{profile}/matches", f"{profile}/members", "/api/v1/investors/mine"):
        assert them.get(url).status_code == 404, url

    listed = them.get("/api/v1/invitations").get_json()
    assert [i["id"] for i in listed["items"]] == [invited["id"]]
    accepted = them.post(f"/api/v1/invitations/{invited['id']}/accept")
    assert accepted.status_code == 200
    assert accepted.get_json()["status"] == "accepted"
    assert them.get(f"{profile}/matches").get_json()["total"] == 1
    members = them.get(f"{profile}/members").get_json()["items"]
    assert {m["id"] for m in members} == {investor.user.id, colleague.id}
    fresh(session)
    actions = session.exec(select(AuditLog.action).order_by(col(AuditLog.id))).all()
    assert actions[-2:] == ["investor.member_invited", "investor.member_added"]
    answer = session.exec(
        select(Notification).where(col(Notification.user_id) == investor.user.id)
    ).one()
    assert answer.title == f"{colleague.name} accepted your invitation to {investor.profile.name}"


def test_a_declined_invitation_adds_no_one_and_tells_the_inviter(
    session: Session, as_user: AsUser, investor: Investor
) -> None:
    colleague = InvestorUserFactory(organisation_id=None)
    invited = _invite(as_user(investor.user), investor, colleague.email).get_json()
    them = as_user(colleague)
    declined = them.post(f"/api/v1/invitations/{invited['id']}/decline")
    assert declined.get_json()["status"] == "declined"
    again = them.post(f"/api/v1/invitations/{invited['id']}/accept")
    assert again.status_code == 409
    assert them.get(f"/api/v1/investors/{investor.profile.id}").status_code == 404
    fresh(session)
    assert session.get(User, colleague.id).organisation_id is None  # type: ignore[union-attr]
    told = session.exec(
        select(Notification.title).where(col(Notification.user_id) == investor.user.id)
    ).all()
    assert told == [f"{colleague.name} declined your invitation to {investor.profile.name}"]


def test_only_the_addressee_sees_or_answers_an_invitation(
    as_user: AsUser, investor: Investor
) -> None:
    colleague = InvestorUserFactory(organisation_id=None)
    invited = _invite(as_user(investor.user), investor, colleague.email).get_json()
    stranger = InvestorUserFactory(organisation_id=None)
    for user in (stranger, investor.user, FounderFactory(), StaffFactory(), AdminFactory()):
        caller = as_user(user)
        assert caller.get("/api/v1/invitations").get_json()["items"] == []
        for verb in ("accept", "decline"):
            answered = caller.post(f"/api/v1/invitations/{invited['id']}/{verb}")
            assert answered.status_code == 404, (user.role, verb)


def test_someone_who_registers_later_finds_it_and_must_confirm_the_address_first(
    session: Session, client, as_user: AsUser, investor: Investor
) -> None:
    invited = _invite(as_user(investor.user), investor, "new.partner@fund.example").get_json()
    registered = client.post(
        "/api/v1/auth/register",
        json={
            "email": "New.Partner@fund.example",
            "password": "a long and unusual passphrase 42",
            "name": "New Partner",
            "role": "investor",
        },
    )
    assert registered.status_code == 201
    newcomer = fresh(session).get(User, registered.get_json()["id"])
    assert newcomer is not None
    them = as_user(newcomer)
    assert [i["id"] for i in them.get("/api/v1/invitations").get_json()["items"]] == [invited["id"]]
    unconfirmed = them.post(f"/api/v1/invitations/{invited['id']}/accept")
    assert unconfirmed.status_code == 403
    assert "Confirm your email address" in unconfirmed.get_json()["detail"]
    newcomer.email_verified_at = datetime.now(UTC)
    session.add(newcomer)
    session.commit()
    assert them.post(f"/api/v1/invitations/{invited['id']}/accept").status_code == 200


def test_an_invitee_who_manages_another_mandate_cannot_be_pulled_across(
    as_user: AsUser, investor: Investor
) -> None:
    elsewhere = make_investor().user
    invited = _invite(as_user(investor.user), investor, elsewhere.email).get_json()
    refused = as_user(elsewhere).post(f"/api/v1/invitations/{invited['id']}/accept")
    assert refused.status_code == 409
    assert "one organisation" in refused.get_json()["detail"]


def test_members_list_and_revoke_open_invitations(as_user: AsUser, investor: Investor) -> None:
    colleague = InvestorUserFactory(organisation_id=None)
    mine = as_user(investor.user)
    invited = _invite(mine, investor, colleague.email).get_json()
    twice = _invite(mine, investor, colleague.email.upper()).get_json()
    assert twice["id"] == invited["id"]  # inviting again changes nothing
    listing = mine.get(f"/api/v1/investors/{investor.profile.id}/invitations").get_json()
    assert [(i["email"], i["status"]) for i in listing["items"]] == [(colleague.email, "pending")]
    url = f"/api/v1/investors/{investor.profile.id}/invitations/{invited['id']}"
    other = make_investor()
    assert as_user(other.user).call("DELETE", url).status_code == 404
    revoked = mine.call("DELETE", url)
    assert revoked.get_json()["status"] == "revoked"
    assert mine.call("DELETE", url).status_code == 409
    late = as_user(colleague).post(f"/api/v1/invitations/{invited['id']}/accept")
    assert late.status_code == 409
    assert as_user(colleague).get("/api/v1/invitations").get_json()["items"] == []


def test_an_expired_invitation_cannot_be_accepted_and_a_new_one_replaces_it(
    session: Session, as_user: AsUser, investor: Investor
) -> None:
    colleague = InvestorUserFactory(organisation_id=None)
    old = MemberInvitationFactory(
        organisation_id=investor.user.organisation_id,
        email=colleague.email,
        invited_by=investor.user.id,
        expires_at=datetime.now(UTC) - timedelta(minutes=1),
    )
    them = as_user(colleague)
    assert them.get("/api/v1/invitations").get_json()["items"] == []
    expired = them.post(f"/api/v1/invitations/{old.id}/accept")
    assert expired.status_code == 409
    assert "expired" in expired.get_json()["detail"]
    renewed = _invite(as_user(investor.user), investor, colleague.email).get_json()
    assert renewed["id"] != old.id
    assert them.post(f"/api/v1/invitations/{renewed['id']}/accept").status_code == 200
    fresh(session)
    statuses = session.exec(select(MemberInvitation.status).order_by(col(MemberInvitation.id)))
    assert list(statuses) == ["expired", "accepted"]


@pytest.mark.parametrize(
    ("email", "status", "says"),
    [
        ("not-an-email", 422, "email: value is not a valid email address"),
        ("{self}", 422, "email: That is your own address"),
        ("{member}", 409, "already manages this mandate"),
    ],
    ids=["not an email", "your own address", "a current member"],
)
def test_refusals_name_the_problem(
    as_user: AsUser, investor: Investor, email: str, status: int, says: str
) -> None:
    colleague = InvestorUserFactory(organisation_id=investor.profile.organisation_id)
    email = email.replace("{self}", investor.user.email).replace("{member}", colleague.email)
    response = _invite(as_user(investor.user), investor, email)
    assert response.status_code == status
    body = response.get_json()
    told = [f"{e['field']}: {e['message']}" for e in body.get("errors", [])] + [body["detail"]]
    assert any(says in line for line in told), told


def test_an_organisation_cannot_flood_people_with_invitations(
    as_user: AsUser, investor: Investor
) -> None:
    for n in range(MAX_OPEN):
        MemberInvitationFactory(
            organisation_id=investor.profile.organisation_id, email=f"p{n}@example.org"
        )
    refused = _invite(as_user(investor.user), investor, "one.more@example.org")
    assert refused.status_code == 409
    assert f"{MAX_OPEN} invitations waiting" in refused.get_json()["detail"]
