"""The programme pages without JavaScript: search ventures, tick them, enrol; founders answer;
only admins see the staff-assignment forms (issue 12, point 7; issue 11, point 2)."""

from __future__ import annotations

import re

from flask import Flask
from sqlmodel import Session, select

from tests.factories import AdminFactory, StaffFactory, VentureFactory
from tests.webapp.staff.calls import signed_in
from tests.webapp.staff.factories import ProgrammeFactory, ProgrammeMemberFactory
from tests.webapp.web_client import csrf_token, fresh, post_form
from webapp.models import EnrolmentRequest, Programme, ProgrammeVenture, User


def _results(html: str) -> list[str]:
    return re.findall(r'class="pick-name">([^<]+)<', html)


def test_staff_create_a_programme_then_search_tick_and_enrol(app: Flask, session: Session) -> None:
    published = VentureFactory(name="Tees Valley Hydrogen")
    draft = VentureFactory(name="Tees Quiet Draft", visibility="draft", published_at=None)
    VentureFactory(name="Mersey Robotics")
    browser = signed_in(app, StaffFactory())
    created = post_form(browser, "/staff/programmes", {"name": "Cohort 7", "description": ""})
    assert created.status_code == 302
    programme = fresh(session).exec(select(Programme)).one()
    page = f"/staff/programmes/{programme.id}"

    searched = browser.get(f"{page}?q=tees&sector=&stage=&region=").get_data(as_text=True)
    assert _results(searched) == ["Tees Quiet Draft", "Tees Valley Hydrogen"]
    assert "Not published: its founder will be asked" in searched
    assert "Published: joins at once" in searched

    token = csrf_token(browser, page)
    nothing = browser.post(f"{page}/ventures", data={"csrf_token": token, "q": "tees"})
    assert nothing.status_code == 422
    assert "Tick at least one venture" in nothing.get_data(as_text=True)
    assert _results(nothing.get_data(as_text=True)) == ["Tees Quiet Draft", "Tees Valley Hydrogen"]

    enrolled = browser.post(
        f"{page}/ventures",
        data={"csrf_token": token, "q": "tees", "venture_ids": [str(published.id), str(draft.id)]},
    )
    assert enrolled.status_code == 302
    assert enrolled.headers["Location"].endswith(f"{page}?q=tees#results")
    shown = browser.get(enrolled.headers["Location"]).get_data(as_text=True)
    assert "Enrolled 1 venture. Asked 1 founder for consent" in shown
    assert "Already in this programme" in shown
    assert "Waiting for its founder to answer" in shown
    fresh(session)
    assert [pv.venture_id for pv in session.exec(select(ProgrammeVenture))] == [published.id]
    assert [r.venture_id for r in session.exec(select(EnrolmentRequest))] == [draft.id]


def test_a_bad_filter_is_shown_on_the_search_form(app: Flask, session: Session) -> None:
    programme = ProgrammeFactory()
    browser = signed_in(app, StaffFactory())
    html = browser.get(f"/staff/programmes/{programme.id}?q=x&stage=series_z").get_data(
        as_text=True
    )
    assert "The search didn&#39;t run" in html
    assert "series_z" in html  # the summary names the unknown code
    assert _results(html) == []


def test_programme_staff_find_only_published_ventures_and_see_no_admin_forms(
    app: Flask, session: Session
) -> None:
    member = ProgrammeMemberFactory()
    VentureFactory(name="Tees Valley Hydrogen")
    VentureFactory(name="Tees Quiet Draft", visibility="draft", published_at=None)
    browser = signed_in(app, session.get(User, member.user_id))
    index = browser.get("/staff/programmes").get_data(as_text=True)
    assert "Create a programme" not in index
    html = browser.get(f"/staff/programmes/{member.programme_id}?q=tees").get_data(as_text=True)
    assert _results(html) == ["Tees Valley Hydrogen"]
    assert f'action="/staff/programmes/{member.programme_id}/staff"' not in html
    assert "Remove<span" not in html
    refused = post_form(
        browser,
        f"/staff/programmes/{member.programme_id}/staff/{member.user_id}/remove",
        {},
        form_page=f"/staff/programmes/{member.programme_id}",
    )
    assert refused.status_code == 403


def test_admins_assign_staff_on_the_programme_page(app: Flask, session: Session) -> None:
    programme = ProgrammeFactory()
    colleague = StaffFactory(name="Casey Colleague", platform_wide=False)
    browser = signed_in(app, AdminFactory())
    assigned = post_form(
        browser,
        f"/staff/programmes/{programme.id}/staff",
        {"user_id": str(colleague.id)},
        form_page=f"/staff/programmes/{programme.id}",
    )
    assert assigned.status_code == 302
    html = browser.get(f"/staff/programmes/{programme.id}").get_data(as_text=True)
    assert "Casey Colleague" in html
    assert "Remove<span" in html
