"""An accepted introduction's notice carries the other side's contact, in the app and the API."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlmodel import Session, select

from tests.factories import IntroductionFactory
from tests.webapp.api.helpers import Caller
from tests.webapp.ventures.parties import Founder, Investor
from tests.webapp.web_client import fresh, sign_in
from webapp.models import Introduction, Notification
from webapp.models.enums import IntroductionStatus, Role
from webapp.services.introductions import introductions
from webapp.services.notices import notification_queries
from webapp.services.notices.match_news import announce_introduction
from webapp.services.outbox.notifications import INTRODUCTION_ACCEPTED


def _accepted(session: Session, founder: Founder, investor: Investor) -> Introduction:
    intro: Introduction = IntroductionFactory(
        venture_id=founder.venture.id,
        investor_id=investor.profile.id,
        requested_by=investor.user.id,
        requested_by_role=Role.INVESTOR.value,
    )
    introductions.accept_introduction(session=session, actor=founder.user, introduction_id=intro.id)
    announce_introduction(session=session, introduction_id=intro.id)
    return intro


def _notice(session: Session, user_id: int | None) -> Notification:
    return session.exec(
        select(Notification)
        .where(Notification.user_id == user_id)
        .where(Notification.kind == INTRODUCTION_ACCEPTED)
    ).one()


def test_each_side_reads_the_other_sides_contact_under_the_notice(
    session: Session, founder: Founder, investor: Investor
) -> None:
    _accepted(session, founder, investor)
    to_founder = _notice(session, founder.user.id)
    to_investor = _notice(session, investor.user.id)
    assert not to_founder.body.rstrip().endswith(":")
    for viewer, notice, other in (
        (founder.user, to_founder, investor.user),
        (investor.user, to_investor, founder.user),
    ):
        details = notification_queries.contact_details(
            session=session, viewer=viewer, notifications=[notice]
        )
        rows = dict(details[notice.id])  # type: ignore[index]
        assert rows["Email"] == other.email
        assert rows["Phone"] == other.phone
        assert rows["Name"] == other.name


def test_the_notification_page_and_api_show_the_contact(
    client: FlaskClient, session: Session, founder: Founder, investor: Investor
) -> None:
    _accepted(session, founder, investor)
    sign_in(client, founder.user.email)
    page = client.get("/notifications").get_data(as_text=True)
    assert f"Introduction accepted: {investor.profile.name}" in page
    assert f'href="mailto:{investor.user.email}"' in page
    assert investor.user.phone in page
    listed = Caller(client, session, investor.user).get("/api/v1/notifications").get_json()
    (item,) = [i for i in listed["items"] if i["kind"] == INTRODUCTION_ACCEPTED]
    assert {"label": "Email", "value": founder.user.email} in item["details"]


def test_the_contact_goes_when_the_other_side_erases_their_account(
    client: FlaskClient, session: Session, founder: Founder, investor: Investor
) -> None:
    from tests.factories import DEFAULT_PASSWORD
    from webapp.services.privacy.account_data import erase_account

    _accepted(session, founder, investor)
    erase_account(session=session, user=founder.user, password=DEFAULT_PASSWORD)
    fresh(session)
    notice = _notice(session, investor.user.id)
    details = notification_queries.contact_details(
        session=session, viewer=investor.user, notifications=[notice]
    )
    assert details == {notice.id: []}
    sign_in(client, investor.user.email)
    page = client.get("/notifications").get_data(as_text=True)
    assert "Contact details are no longer available" in page
    assert founder.user.email not in page


def test_an_open_request_has_no_contact_details(
    session: Session, founder: Founder, investor: Investor
) -> None:
    intro = IntroductionFactory(
        venture_id=founder.venture.id,
        investor_id=investor.profile.id,
        requested_by=investor.user.id,
        status=IntroductionStatus.REQUESTED.value,
    )
    assert (
        introductions.contacts_for(
            session=session, viewer=founder.user, introduction_ids=[intro.id]
        )
        == {}
    )
