"""The audit log reads in words, and carries introductions and deal moves."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from flask.testing import FlaskClient
from sqlmodel import Session

from tests.factories import AdminFactory, DealFactory, IntroductionFactory, StaffFactory
from tests.webapp.api.helpers import Caller
from tests.webapp.ventures.parties import make_founder, make_investor
from tests.webapp.web_client import sign_in
from webapp.models.enums import DealStage, Role
from webapp.services.deals import deals
from webapp.services.introductions import introductions
from webapp.services.reports.audit_labels import ACTION_LABELS, action_label, object_label
from webapp.services.reports.audit_queries import AuditFilters, audit_entries
from webapp.services.ventures import programme_enrolment, programmes

REPO = Path(__file__).resolve().parents[3]


def _recorded_actions() -> set[str]:
    """Every audit action the code records, literal or built from a known family."""
    found: set[str] = set()
    for path in [*(REPO / "webapp").rglob("*.py"), *(REPO / "workers").rglob("*.py")]:
        text = path.read_text()
        found |= set(re.findall(r'action="([a-z_]+\.[a-z_]+)"', text))
        found |= set(re.findall(r'"(user\.(?:re|de)activated)"', text))
    found |= {f"export.{kind}" for kind in ("deals", "audit")}
    found |= {f"matching.{kind}_requested" for kind in ("full_refresh", "retrain")}
    return found


def test_every_action_the_code_records_has_a_label() -> None:
    missing = sorted(_recorded_actions() - set(ACTION_LABELS))
    assert missing == []


def test_unknown_codes_still_read_as_words() -> None:
    assert action_label("programme.enrol") == "Enrolled a venture in a programme"
    assert action_label("invitation.sent_again") == "Invitation: sent again"
    assert object_label("investor_profile") == "Investor"
    assert object_label("mystery_box") == "Mystery box"


def test_introductions_and_deal_moves_are_in_the_audit_log(session: Session) -> None:
    founder, investor = make_founder(), make_investor()
    intro = introductions.request_introduction(
        session=session,
        actor=investor.user,
        venture_id=founder.venture.id,
        investor_id=investor.profile.id,
        message="Coffee?",
    )
    introductions.accept_introduction(session=session, actor=founder.user, introduction_id=intro.id)
    view = introductions.get_introduction(
        session=session, viewer=founder.user, introduction_id=intro.id
    )
    deals.move_deal(session=session, actor=investor.user, deal_id=view.deal_id,
                    stage=DealStage.TERM_SHEET)  # fmt: skip
    other = make_investor()
    asked = IntroductionFactory(venture_id=founder.venture.id, investor_id=other.profile.id,
                                requested_by=founder.user.id,
                                requested_by_role=Role.FOUNDER.value)  # fmt: skip
    introductions.decline_introduction(session=session, actor=other.user,
                                       introduction_id=asked.id, reason="Too early")  # fmt: skip
    entries = audit_entries(session=session, viewer=AdminFactory(), filters=AuditFilters())
    seen = [(e.action_label, e.object_label, e.actor_id) for e in reversed(entries.items)]
    assert seen == [
        ("Requested an introduction", "Introduction", investor.user.id),
        ("Accepted an introduction", "Introduction", founder.user.id),
        ("Moved a deal", "Deal", investor.user.id),
        ("Declined an introduction", "Introduction", other.user.id),
    ]
    moved = entries.items[1]
    assert (moved.before, moved.after) == (
        {"stage": "accepted"},
        {"stage": "term_sheet", "amount_gbp": None},
    )
    text = str([e.after for e in entries.items])
    assert "Coffee?" not in text  # messages and reasons are the parties' own words
    assert "Too early" not in text


def test_staff_scoped_to_a_programme_see_its_ventures_introductions_and_deals(
    session: Session,
) -> None:
    admin = AdminFactory()
    founder, investor = make_founder(), make_investor()
    outsider = make_founder()
    mine = programmes.create_programme(session=session, actor=admin, name="Mine")
    programme_enrolment.enrol_ventures(session=session, actor=admin, programme_id=mine.id,
                              venture_ids=[founder.venture.id])  # fmt: skip
    staff = StaffFactory(platform_wide=False)
    programmes.assign_staff(session=session, actor=admin, programme_id=mine.id, user_id=staff.id)
    for who in (founder, outsider):
        deal = DealFactory(introduction__venture_id=who.venture.id,
                           introduction__investor_id=investor.profile.id)  # fmt: skip
        deals.move_deal(session=session, actor=investor.user, deal_id=deal.id,
                        stage=DealStage.IN_CONVERSATION)  # fmt: skip
    seen = audit_entries(session=session, viewer=staff, filters=AuditFilters(action="deal."))
    assert len(seen.items) == 1
    assert seen.items[0].object_label == "Deal"


def test_the_page_csv_and_api_show_labels_and_keep_the_code(
    client: FlaskClient, session: Session
) -> None:
    admin = AdminFactory()
    cohort = programmes.create_programme(session=session, actor=admin, name="Cohort A")
    programme_enrolment.enrol_ventures(session=session, actor=admin, programme_id=cohort.id,
                              venture_ids=[make_founder().venture.id])  # fmt: skip
    api = Caller(client, session, admin)
    sign_in(client, admin.email)
    page = client.get("/staff/audit").get_data(as_text=True)
    assert "Enrolled a venture in a programme" in page
    assert "<code>programme.enrol</code>" not in page
    assert '<option value="programme.enrol">Enrolled a venture in a programme</option>' in page
    rows = list(csv.DictReader(io.StringIO(client.get("/staff/audit.csv").get_data(as_text=True))))
    enrol = next(r for r in rows if r["action"] == "programme.enrol")
    assert enrol["action_label"] == "Enrolled a venture in a programme"
    items = api.get("/api/v1/audit?action=programme.enrol").get_json()["items"]
    assert [(i["action"], i["action_label"], i["object_label"]) for i in items] == [
        ("programme.enrol", "Enrolled a venture in a programme", "Programme")
    ]
