"""An open deal never vanishes: when a party goes away it closes with a reason the other sees."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlmodel import Session, select

from tests.factories import DEFAULT_PASSWORD, DealFactory, InvestorUserFactory
from tests.webapp.api.helpers import Caller
from tests.webapp.ventures.parties import Founder, Investor
from tests.webapp.web_client import fresh, sign_in
from webapp.models import Deal, DealEvent, EmailDelivery, Notification, User
from webapp.models.enums import DealStage, Visibility
from webapp.services.deals import deals
from webapp.services.outbox.notifications import DEAL_CLOSED, ROUND_CLOSED
from webapp.services.privacy.account_data import erase_account
from webapp.services.ventures import ventures


@pytest.fixture
def term_sheet(session: Session, investor: Investor, founder: Founder) -> Deal:
    """A deal both sides moved to term sheet, each with a note."""
    deal: Deal = DealFactory(
        introduction__venture_id=founder.venture.id,
        introduction__investor_id=investor.profile.id,
    )
    moves = [
        (founder.user, DealStage.DUE_DILIGENCE, "Our data room: fay@tyne.example"),
        (investor.user, DealStage.TERM_SHEET, "Terms sent"),
    ]
    for actor, stage, note in moves:
        deals.move_deal(session=session, actor=actor, deal_id=deal.id, stage=stage, note=note)
    return deal


def _closure_notices(session: Session, user: User) -> list[Notification]:
    return list(
        session.exec(
            select(Notification)
            .where(Notification.user_id == user.id)
            .where(Notification.kind == DEAL_CLOSED)
        ).all()
    )


def test_a_founder_erasing_her_account_closes_the_term_sheet_deal_for_the_investor(
    client: FlaskClient,
    session: Session,
    term_sheet: Deal,
    founder: Founder,
    investor: Investor,
) -> None:
    name = founder.venture.name
    erase_account(session=session, user=founder.user, password=DEFAULT_PASSWORD)
    fresh(session)
    api = Caller(client, session, investor.user)
    (view,) = deals.list_deals(session=session, viewer=investor.user).items
    assert view.deal.id == term_sheet.id
    assert (view.deal.stage, view.deal.closed_reason) == ("withdrawn", "founder_erased")
    assert view.venture_name == name
    assert view.closed_reason_label == "The founder erased their account and the venture"
    (notice,) = _closure_notices(session, investor.user)
    assert notice.title == f"Deal closed: {name} and {investor.profile.name}"
    assert "it was at term sheet" in notice.body
    assert "The founder erased their account" in notice.body
    email = session.exec(
        select(EmailDelivery).where(EmailDelivery.subject == notice.title)
    ).one()  # the investor's setting is instant
    assert email.user_id == investor.user.id

    sign_in(client, investor.user.email)
    board = client.get("/deals").get_data(as_text=True)
    assert name in board
    assert "Closed: The founder erased their account and the venture" in board
    page = client.get(f"/deals/{term_sheet.id}").get_data(as_text=True)
    assert "Closed: The founder erased their account and the venture." in page
    seen = api.get(f"/api/v1/deals/{term_sheet.id}").get_json()
    assert (seen["venture_id"], seen["introduction_id"]) == (None, None)
    assert seen["closed_reason"] == "founder_erased"
    assert seen["venture_name"] == name


def test_the_founders_notes_go_with_her_data_and_the_investors_stay(
    session: Session, term_sheet: Deal, founder: Founder
) -> None:
    erase_account(session=session, user=founder.user, password=DEFAULT_PASSWORD)
    fresh(session)
    notes = [
        e.note
        for e in session.exec(
            select(DealEvent).where(DealEvent.deal_id == term_sheet.id).order_by(DealEvent.id)  # type: ignore[arg-type]
        ).all()
    ]
    assert "Our data room: fay@tyne.example" not in notes
    assert "Terms sent" in notes
    assert notes[-1] == "The founder erased their account and the venture"


def test_erasing_the_venture_closes_its_open_deal_and_keeps_its_closed_ones(
    session: Session, term_sheet: Deal, founder: Founder, investor: Investor
) -> None:
    other = InvestorUserFactory()
    from tests.factories import InvestorProfileFactory

    passed_profile = InvestorProfileFactory(organisation_id=other.organisation_id)
    passed: Deal = DealFactory(
        introduction__venture_id=founder.venture.id,
        introduction__investor_id=passed_profile.id,
        stage=DealStage.PASSED.value,
    )
    ventures.delete_venture(session=session, actor=founder.user, venture_id=founder.venture.id)
    fresh(session)
    kept = {d.id: d for d in session.exec(select(Deal)).all()}
    assert kept[term_sheet.id].closed_reason == "venture_erased"
    assert kept[passed.id].stage == "passed"
    assert kept[passed.id].closed_reason is None  # it had closed already: no notice, no reason
    assert kept[passed.id].former_venture_name == founder.venture.name
    assert _closure_notices(session, other) == []
    (notice,) = _closure_notices(session, investor.user)
    assert "The founder erased the venture" in notice.body


def test_closing_the_round_keeps_deals_under_way_and_tells_their_investors(
    session: Session, term_sheet: Deal, founder: Founder, investor: Investor
) -> None:
    for visibility in (Visibility.CLOSED, Visibility.PUBLISHED, Visibility.CLOSED):
        ventures.set_visibility(session=session, actor=founder.user, venture_id=founder.venture.id,
                                visibility=visibility)  # fmt: skip
    fresh(session)
    deal = session.get(Deal, term_sheet.id)
    assert deal is not None
    assert (deal.stage, deal.closed_reason) == ("term_sheet", None)  # the round may be theirs
    assert _closure_notices(session, investor.user) == []
    told = session.exec(
        select(Notification)
        .where(Notification.user_id == investor.user.id)
        .where(Notification.kind == ROUND_CLOSED)
    ).all()
    assert len(told) == 2  # closed twice: told twice
    assert "Your deal (at term sheet) carries on." in told[0].body


def test_the_last_investor_member_leaving_closes_the_deal_for_the_founder(
    client: FlaskClient, session: Session, term_sheet: Deal, founder: Founder, investor: Investor
) -> None:
    erase_account(session=session, user=investor.user, password=DEFAULT_PASSWORD)
    fresh(session)
    deal = session.get(Deal, term_sheet.id)
    assert deal is not None
    assert (deal.stage, deal.closed_reason) == ("withdrawn", "investor_erased")
    (notice,) = _closure_notices(session, founder.user)
    assert notice.title == f"Deal closed: {founder.venture.name} and {investor.profile.name}"
    sign_in(client, founder.user.email)
    board = client.get("/deals").get_data(as_text=True)
    assert "Closed: The investor&#39;s last member erased their account" in board


def test_a_member_leaving_a_colleague_behind_leaves_the_deal_open(
    session: Session, term_sheet: Deal, founder: Founder, investor: Investor
) -> None:
    InvestorUserFactory(organisation_id=investor.profile.organisation_id)
    erase_account(session=session, user=investor.user, password=DEFAULT_PASSWORD)
    fresh(session)
    deal = session.get(Deal, term_sheet.id)
    assert deal is not None
    assert (deal.stage, deal.closed_reason) == ("term_sheet", None)
    assert _closure_notices(session, founder.user) == []


def test_staff_pages_and_exports_work_with_an_erased_ventures_deal(
    client: FlaskClient, session: Session, term_sheet: Deal, founder: Founder, staff: User
) -> None:
    erase_account(session=session, user=founder.user, password=DEFAULT_PASSWORD)
    api = Caller(client, session, staff)
    sign_in(client, staff.email)
    for url in (
        "/deals",
        f"/deals/{term_sheet.id}",
        "/staff/",
        "/staff/stalled",
        "/staff/retention",
        "/staff/evidence",
        "/staff/evidence/deals.csv",
        "/api/v1/pipeline/summary",
        "/api/v1/pipeline/export.csv",
        "/api/v1/deals",
    ):
        response = (api if url.startswith("/api") else client).get(url)
        assert response.status_code == 200, url


def test_the_founder_is_told_what_erasing_or_closing_does_to_open_deals(
    client: FlaskClient, session: Session, term_sheet: Deal, founder: Founder
) -> None:
    from tests.webapp.web_client import post_form

    venture_url = f"/founder/ventures/{founder.venture.id}"
    sign_in(client, founder.user.email)
    confirm = client.get(f"{venture_url}/delete").get_data(as_text=True)
    assert "Your 1 open deal will close as withdrawn and the investor in it will be told" in confirm
    closed = post_form(client, f"{venture_url}/visibility", {"visibility": "closed"},
                       form_page=venture_url, follow_redirects=True)  # fmt: skip
    assert "deals already under way carry on (the investors in them are told)" in closed.get_data(
        as_text=True
    )
