"""Enrolment respects a venture's visibility (issue 11, point 2): published ventures join at once,
drafts join only when their founder accepts, and the search finds only what the caller may enrol.
"""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlmodel import Session, col, select

from tests.factories import AdminFactory, InvestorProfileFactory, StaffFactory, VentureFactory
from tests.webapp.staff.calls import bearer_for
from tests.webapp.staff.factories import (
    MatchFactory,
    ProgrammeFactory,
    ProgrammeMemberFactory,
    ProgrammeVentureFactory,
)
from tests.webapp.web_client import fresh
from webapp.models import (
    AuditLog,
    EmailDelivery,
    Notification,
    ProgrammeVenture,
    User,
    Venture,
)
from webapp.services.ventures.enrolment_requests import ENROLMENT_ANSWERED
from webapp.services.ventures.programme_enrolment import ENROLMENT_REQUESTED


@pytest.fixture
def cohort(session: Session):  # type: ignore[no-untyped-def]
    """A programme with one programme-staff member, a platform-wide staff member and a draft."""
    programme = ProgrammeFactory(name="Tees Accelerator 5")
    member = ProgrammeMemberFactory(programme_id=programme.id)
    draft = VentureFactory(name="Quiet Draft Ltd", visibility="draft", published_at=None)
    MatchFactory(venture_id=draft.id, investor_id=InvestorProfileFactory().id)
    return {
        "programme": programme,
        "scoped": session.get(User, member.user_id),
        "platform": StaffFactory(name="Pat Platform"),
        "draft": draft,
        "owner": session.get(User, draft.owner_id),
    }


def _enrol(client: FlaskClient, session: Session, user: User, programme_id: int, ids: list[int]):  # type: ignore[no-untyped-def]
    return client.post(
        f"/api/v1/programmes/{programme_id}/ventures",
        json={"venture_ids": ids},
        headers=bearer_for(session, user),
    )


def test_a_draft_waits_for_its_founder_who_is_told_in_the_app_and_by_email(
    client: FlaskClient, session: Session, cohort
) -> None:  # type: ignore[no-untyped-def]
    programme, draft, owner = cohort["programme"], cohort["draft"], cohort["owner"]
    asked = _enrol(client, session, cohort["platform"], programme.id, [draft.id])
    assert asked.get_json() == {
        "enrolled": 0,
        "requested": 1,
        "enrolled_ids": [],
        "requested_ids": [draft.id],
    }
    fresh(session)
    assert not session.exec(select(ProgrammeVenture)).all()
    note = session.exec(select(Notification).where(col(Notification.user_id) == owner.id)).one()
    assert (note.kind, note.title, note.link) == (
        ENROLMENT_REQUESTED,
        "Tees Accelerator 5 would like to enrol Quiet Draft Ltd",
        "/founder/programmes",
    )
    email = session.exec(select(EmailDelivery)).one()
    assert (email.to_address, email.subject) == (owner.email, note.title)
    audit = session.exec(select(AuditLog).order_by(col(AuditLog.id).desc())).first()
    assert audit is not None
    assert (audit.action, audit.object_type, audit.object_id, audit.after["programme_id"]) == (
        "programme.enrolment_requested",
        "venture",
        str(draft.id),
        programme.id,
    )
    # Asking again while it waits sends nothing more.
    _enrol(client, session, cohort["platform"], programme.id, [draft.id])
    assert len(fresh(session).exec(select(EmailDelivery)).all()) == 1


def test_programme_staff_see_neither_the_draft_nor_the_pending_request(
    client: FlaskClient, session: Session, cohort
) -> None:  # type: ignore[no-untyped-def]
    programme, draft = cohort["programme"], cohort["draft"]
    _enrol(client, session, cohort["platform"], programme.id, [draft.id])
    scoped = bearer_for(session, cohort["scoped"])
    detail = client.get(f"/api/v1/programmes/{programme.id}", headers=scoped).get_json()
    assert detail["pending_requests"] == []
    assert client.get(f"/api/v1/ventures/{draft.id}", headers=scoped).status_code == 404
    trail = client.get("/api/v1/audit", headers=scoped).get_json()["items"]
    assert [e for e in trail if "enrolment" in e["action"]] == []  # not even the draft's id
    admin = bearer_for(session, AdminFactory())
    seen = client.get(f"/api/v1/programmes/{programme.id}", headers=admin).get_json()
    assert [(r["venture_name"], r["requested_by_name"]) for r in seen["pending_requests"]] == [
        ("Quiet Draft Ltd", "Pat Platform")
    ]


def test_the_founder_accepts_and_the_programme_staff_then_see_the_venture(
    client: FlaskClient, session: Session, cohort
) -> None:  # type: ignore[no-untyped-def]
    programme, draft, owner = cohort["programme"], cohort["draft"], cohort["owner"]
    _enrol(client, session, cohort["platform"], programme.id, [draft.id])
    founder = bearer_for(session, owner)
    requests = client.get("/api/v1/enrolment-requests", headers=founder).get_json()["items"]
    assert [(r["programme_name"], r["venture_name"], r["status"]) for r in requests] == [
        ("Tees Accelerator 5", "Quiet Draft Ltd", "pending")
    ]
    accepted = client.post(
        f"/api/v1/enrolment-requests/{requests[0]['id']}/accept", headers=founder
    )
    assert accepted.get_json()["status"] == "accepted"
    again = client.post(f"/api/v1/enrolment-requests/{requests[0]['id']}/decline", headers=founder)
    assert again.status_code == 409

    scoped = bearer_for(session, cohort["scoped"])
    assert client.get(f"/api/v1/ventures/{draft.id}", headers=scoped).status_code == 200
    assert client.get(f"/api/v1/ventures/{draft.id}/matches", headers=scoped).status_code == 200
    fresh(session)
    told = session.exec(
        select(Notification).where(col(Notification.user_id) == cohort["platform"].id)
    ).one()
    assert (told.kind, told.title) == (
        ENROLMENT_ANSWERED,
        "The founder of Quiet Draft Ltd accepted joining Tees Accelerator 5",
    )
    actions = session.exec(select(AuditLog.action).order_by(col(AuditLog.id))).all()
    assert actions == ["programme.enrolment_requested", "programme.enrolment_accepted"]


def test_after_a_decline_staff_cannot_ask_again_until_the_venture_is_published(
    client: FlaskClient, session: Session, cohort
) -> None:  # type: ignore[no-untyped-def]
    programme, draft, owner = cohort["programme"], cohort["draft"], cohort["owner"]
    platform = cohort["platform"]
    _enrol(client, session, platform, programme.id, [draft.id])
    founder = bearer_for(session, owner)
    [request] = client.get("/api/v1/enrolment-requests", headers=founder).get_json()["items"]
    client.post(f"/api/v1/enrolment-requests/{request['id']}/decline", headers=founder)
    refused = _enrol(client, session, platform, programme.id, [draft.id])
    assert refused.status_code == 422
    [error] = refused.get_json()["errors"]
    assert error["field"] == "venture_ids[0]"
    assert "The founder of Quiet Draft Ltd declined to join this programme" in error["message"]
    fresh(session)
    assert not session.exec(select(ProgrammeVenture)).all()

    venture = session.get(Venture, draft.id)
    assert venture is not None
    venture.visibility = "published"
    session.add(venture)
    session.commit()
    assert _enrol(client, session, platform, programme.id, [draft.id]).get_json()["enrolled"] == 1


def test_nobody_but_the_founder_answers_a_request(
    client: FlaskClient, session: Session, cohort
) -> None:  # type: ignore[no-untyped-def]
    programme, draft = cohort["programme"], cohort["draft"]
    _enrol(client, session, cohort["platform"], programme.id, [draft.id])
    owner_view = client.get(
        "/api/v1/enrolment-requests", headers=bearer_for(session, cohort["owner"])
    ).get_json()
    request_id = owner_view["items"][0]["id"]
    other_founder = session.get(User, VentureFactory().owner_id)
    for user in (other_founder, cohort["scoped"], cohort["platform"], AdminFactory()):
        assert user is not None
        headers = bearer_for(session, user)
        assert client.get("/api/v1/enrolment-requests", headers=headers).get_json()["items"] == []
        answer = client.post(f"/api/v1/enrolment-requests/{request_id}/accept", headers=headers)
        assert answer.status_code == 404, user.role


def test_the_search_finds_by_name_and_filters_what_the_caller_may_enrol(
    client: FlaskClient, session: Session, cohort
) -> None:  # type: ignore[no-untyped-def]
    programme = cohort["programme"]
    VentureFactory(name="Tyne Tidal Power", sectors=["offshore_wind"], stage="seed")
    VentureFactory(name="TYNE Robotics", stage="series_a")
    VentureFactory(name="Tyne Hidden", visibility="draft", published_at=None)
    VentureFactory(name="100% Tyne_Pure", stage="seed")
    in_it = VentureFactory(name="Tyne Already In")
    ProgrammeVentureFactory(programme_id=programme.id, venture_id=in_it.id)
    url = f"/api/v1/programmes/{programme.id}/candidates"

    def found(user: User, query: str) -> list[tuple[str, str]]:
        body = client.get(f"{url}?{query}", headers=bearer_for(session, user)).get_json()
        return [(c["name"], c["status"]) for c in body["items"]]

    assert found(cohort["scoped"], "q=tyne") == [
        ("100% Tyne_Pure", "can_enrol"),
        ("Tyne Already In", "enrolled"),
        ("TYNE Robotics", "can_enrol"),
        ("Tyne Tidal Power", "can_enrol"),
    ]
    assert found(cohort["platform"], "q=tyne&stage=seed") == [
        ("100% Tyne_Pure", "can_enrol"),
        ("Tyne Already In", "enrolled"),
        ("Tyne Hidden", "needs_consent"),
        ("Tyne Tidal Power", "can_enrol"),
    ]
    assert found(cohort["scoped"], "q=tyne&sector=clean_energy") == [
        ("Tyne Tidal Power", "can_enrol")
    ]
    assert found(cohort["scoped"], "q=100%25") == [("100% Tyne_Pure", "can_enrol")]
    assert found(cohort["scoped"], "q=e_p") == [("100% Tyne_Pure", "can_enrol")]
    bad = client.get(f"{url}?stage=series_z", headers=bearer_for(session, cohort["scoped"]))
    assert bad.status_code == 422
    assert bad.get_json()["errors"][0]["field"] == "stage"
    other = ProgrammeFactory()
    hidden = client.get(
        f"/api/v1/programmes/{other.id}/candidates", headers=bearer_for(session, cohort["scoped"])
    )
    assert hidden.status_code == 404
