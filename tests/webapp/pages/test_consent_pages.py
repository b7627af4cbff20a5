"""The two consent pages: founders answer programmes that ask for a draft venture, and investors
answer invitations to join an organisation; inviters see the same words for every address."""

from __future__ import annotations

import html as html_lib
import re

from flask import Flask
from sqlmodel import Session, select

from tests.factories import FounderFactory, InvestorUserFactory, StaffFactory
from tests.webapp.staff.factories import (
    EnrolmentRequestFactory,
    MemberInvitationFactory,
    ProgrammeFactory,
)
from tests.webapp.ventures.parties import Founder, Investor
from tests.webapp.web_client import fresh, post_form, sign_in
from webapp.models import EnrolmentRequest, MemberInvitation, ProgrammeVenture, User


def _flash(html: str) -> str:
    found = re.search(r'class="flash flash-\w+"[^>]*>(.*?)</div>', html, re.S)
    assert found, "no flash message"
    return html_lib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(1))).strip())


def test_a_founder_accepts_a_programme_on_the_page(
    app: Flask, session: Session, founder: Founder
) -> None:
    programme = ProgrammeFactory(name="Humber Launchpad", description="Twelve weeks in Hull.")
    request = EnrolmentRequestFactory(programme_id=programme.id, venture_id=founder.venture.id)
    browser = app.test_client()
    sign_in(browser, founder.user.email)
    page = browser.get("/founder/programmes").get_data(as_text=True)
    assert f"Humber Launchpad would like to enrol {founder.venture.name}" in page
    assert "Twelve weeks in Hull." in page
    accepted = post_form(
        browser,
        f"/founder/programmes/requests/{request.id}/accept",
        {},
        form_page="/founder/programmes",
        follow_redirects=True,
    )
    assert _flash(accepted.get_data(as_text=True)) == (
        f"Done: {founder.venture.name} joined Humber Launchpad: its staff can now see it."
    )
    assert "is in Humber Launchpad" in accepted.get_data(as_text=True)
    fresh(session)
    assert session.exec(select(ProgrammeVenture)).one().venture_id == founder.venture.id


def test_a_founder_declines_and_another_founder_cannot_answer(
    app: Flask, session: Session, founder: Founder
) -> None:
    request = EnrolmentRequestFactory(venture_id=founder.venture.id)
    stranger = app.test_client()
    sign_in(stranger, FounderFactory().email)
    assert "would like to enrol" not in stranger.get("/founder/programmes").get_data(as_text=True)
    refused = post_form(
        stranger,
        f"/founder/programmes/requests/{request.id}/accept",
        {},
        form_page="/founder/programmes",
    )
    assert refused.status_code == 404
    browser = app.test_client()
    sign_in(browser, founder.user.email)
    declined = post_form(
        browser,
        f"/founder/programmes/requests/{request.id}/decline",
        {},
        form_page="/founder/programmes",
        follow_redirects=True,
    )
    assert "stays out of" in _flash(declined.get_data(as_text=True))
    assert fresh(session).get(EnrolmentRequest, request.id).status == "declined"  # type: ignore[union-attr]
    assert session.exec(select(ProgrammeVenture)).all() == []


def test_inviters_see_the_same_words_for_every_address(
    app: Flask, session: Session, investor: Investor
) -> None:
    browser = app.test_client()
    sign_in(browser, investor.user.email)
    said = set()
    for email in (
        InvestorUserFactory(organisation_id=None).email,
        FounderFactory().email,
        StaffFactory().email,
        "nobody@nowhere.example",
    ):
        answer = post_form(
            browser,
            "/investor/mandate/members",
            {"email": email},
            form_page="/investor/mandate",
            follow_redirects=True,
        )
        said.add(_flash(answer.get_data(as_text=True)).replace(email, "EMAIL"))
    assert len(said) == 1, said
    assert said.pop().startswith("Done: Invitation recorded for EMAIL. If they have an investor")
    page = browser.get("/investor/mandate").get_data(as_text=True)
    assert "nobody@nowhere.example" in page  # listed as invited, with a Revoke button
    assert "Revoke<span" in page


def test_an_invitee_accepts_on_the_page_and_lands_on_the_ranked_list(
    app: Flask, session: Session, investor: Investor
) -> None:
    colleague = InvestorUserFactory(organisation_id=None)
    inviter = app.test_client()
    sign_in(inviter, investor.user.email)
    post_form(inviter, "/investor/mandate/members", {"email": colleague.email},
              form_page="/investor/mandate")  # fmt: skip
    invitation = fresh(session).exec(select(MemberInvitation)).one()

    browser = app.test_client()
    sign_in(browser, colleague.email)
    mandate = browser.get("/investor/mandate").get_data(as_text=True)
    assert (
        f"Join {investor.profile.name}" in mandate
    )  # shown where an organisation-less investor lands
    assert investor.profile.thesis not in mandate
    accepted = post_form(
        browser,
        f"/investor/invitations/{invitation.id}/accept",
        {},
        form_page="/investor/invitations",
    )
    assert accepted.status_code == 302
    assert accepted.headers["Location"].endswith("/investor/matches")
    assert (
        fresh(session).get(User, colleague.id).organisation_id == investor.profile.organisation_id
    )  # type: ignore[union-attr]


def test_an_invitee_declines_on_the_page(app: Flask, session: Session, investor: Investor) -> None:
    colleague = InvestorUserFactory(organisation_id=None)
    invitation = MemberInvitationFactory(
        organisation_id=investor.profile.organisation_id,
        email=colleague.email,
        invited_by=investor.user.id,
    )
    browser = app.test_client()
    sign_in(browser, colleague.email)
    assert f"Join {investor.profile.name}" in browser.get("/investor/invitations").get_data(
        as_text=True
    )
    declined = post_form(
        browser,
        f"/investor/invitations/{invitation.id}/decline",
        {},
        form_page="/investor/invitations",
        follow_redirects=True,
    )
    html = declined.get_data(as_text=True)
    assert _flash(html) == f"Done: Declined: you won't join {investor.profile.name}."
    assert "No invitation is waiting for you" in html
