"""Programmes (create, enrol, assign, scope) and the audit trail they leave."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import select

from tests.factories import (
    AdminFactory,
    FounderFactory,
    InvestorUserFactory,
    StaffFactory,
    VentureFactory,
)
from webapp.models import AuditLog, ProgrammeMember
from webapp.services.access import staff_scope
from webapp.services.common.audit import record_audit
from webapp.services.common.errors import Conflict, Forbidden, NotFound, ValidationFailed
from webapp.services.reports.audit_queries import AuditFilters, audit_csv_rows, audit_entries
from webapp.services.ventures import programme_enrolment, programmes


def test_staff_create_a_programme_enrol_ventures_and_an_admin_assigns_staff(session):
    lead = StaffFactory(name="Platform Lead")
    ventures = VentureFactory.create_batch(2)
    cohort = programmes.create_programme(session=session, actor=lead, name=" Tees Cohort 3 ")
    added = programme_enrolment.enrol_ventures(
        session=session, actor=lead, programme_id=cohort.id, venture_ids=[v.id for v in ventures]
    )
    again = programme_enrolment.enrol_ventures(
        session=session, actor=lead, programme_id=cohort.id, venture_ids=[ventures[0].id]
    )
    colleague = StaffFactory(platform_wide=False)
    programmes.assign_staff(
        session=session, actor=AdminFactory(), programme_id=cohort.id, user_id=colleague.id
    )

    assert (cohort.name, len(added.enrolled), again.enrolled) == ("Tees Cohort 3", 2, [])
    listed = programmes.list_programmes(session=session, viewer=lead)
    assert [(p.name, p.ventures, p.staff) for p in listed] == [("Tees Cohort 3", 2, 1)]
    # The lead is platform-wide and keeps the whole view; the colleague sees the cohort.
    assert staff_scope.staff_scope(session=session, user=lead) is None
    assert staff_scope.staff_scope(session=session, user=colleague) == {cohort.id}
    actions = list(session.exec(select(AuditLog.action).order_by(AuditLog.id)))
    assert actions == ["programme.create", "programme.enrol", "programme.assign"]


def test_programme_rules_are_enforced_naming_the_field(session):
    staff = StaffFactory()
    programmes.create_programme(session=session, actor=staff, name="Cohort")
    with pytest.raises(Conflict):
        programmes.create_programme(session=session, actor=staff, name="Cohort")
    with pytest.raises(ValidationFailed) as short:
        programmes.create_programme(session=session, actor=staff, name="x")
    assert short.value.errors[0].field == "name"
    cohort = programmes.list_programmes(session=session, viewer=staff)[0]
    with pytest.raises(ValidationFailed) as unknown:
        programme_enrolment.enrol_ventures(
            session=session, actor=staff, programme_id=cohort.id, venture_ids=[999_999]
        )
    assert unknown.value.errors[0].field == "venture_ids[0]"
    with pytest.raises(ValidationFailed) as founder:
        programmes.assign_staff(
            session=session, actor=AdminFactory(), programme_id=cohort.id,
            user_id=FounderFactory().id,
        )  # fmt: skip
    assert founder.value.errors[0].field == "user_id"


@pytest.mark.parametrize("factory", [FounderFactory, InvestorUserFactory])
def test_founders_and_investors_are_refused(session, factory):
    with pytest.raises(Forbidden):
        programmes.create_programme(session=session, actor=factory(), name="Mine")


def test_only_admins_assign_and_remove_staff(session):
    cohort = programmes.create_programme(session=session, actor=AdminFactory(), name="Cohort")
    platform, scoped = StaffFactory(), StaffFactory(platform_wide=False)
    programmes.assign_staff(
        session=session, actor=AdminFactory(), programme_id=cohort.id, user_id=scoped.id
    )
    for actor in (platform, scoped):
        with pytest.raises(Forbidden):
            programmes.assign_staff(
                session=session, actor=actor, programme_id=cohort.id, user_id=platform.id
            )
        with pytest.raises(Forbidden):
            programmes.unassign_staff(
                session=session, actor=actor, programme_id=cohort.id, user_id=scoped.id
            )
    assert staff_scope.staff_scope(session=session, user=scoped) == {cohort.id}


def test_scoped_staff_see_only_their_programmes_and_create_none(session):
    admin = AdminFactory()
    mine = programmes.create_programme(session=session, actor=admin, name="Mine")
    theirs = programmes.create_programme(session=session, actor=admin, name="Theirs")
    staff = StaffFactory(platform_wide=False)
    session.add(ProgrammeMember(programme_id=mine.id, user_id=staff.id))
    session.commit()

    assert [p.name for p in programmes.list_programmes(session=session, viewer=staff)] == ["Mine"]
    with pytest.raises(NotFound):
        programmes.programme_detail(session=session, viewer=staff, programme_id=theirs.id)
    with pytest.raises(Forbidden):
        staff_scope.resolve_programmes(session=session, user=staff, programme=theirs.id)
    with pytest.raises(Forbidden):
        programmes.create_programme(session=session, actor=staff, name="New")
    assert staff_scope.staff_scope(session=session, user=staff) == {mine.id}
    assert [p.name for p in programmes.list_programmes(session=session, viewer=admin)] == [
        "Mine",
        "Theirs",
    ]


def test_staff_with_no_programme_and_no_grant_see_nothing(session):
    staff = StaffFactory(platform_wide=False)
    programmes.create_programme(session=session, actor=AdminFactory(), name="Somewhere")
    assert staff_scope.staff_scope(session=session, user=staff) == frozenset()
    assert programmes.list_programmes(session=session, viewer=staff) == []


def test_audit_log_filters_pages_and_exports(session):
    admin = AdminFactory(name="Ada Admin", email="ada@example.org")
    staff = StaffFactory(name="Sam Staff")
    cohort = programmes.create_programme(session=session, actor=staff, name="Cohort A")
    programme_enrolment.enrol_ventures(
        session=session, actor=admin, programme_id=cohort.id, venture_ids=[VentureFactory().id]
    )
    record_audit(
        session=session, actor=admin, action="user.deactivate", object_type="user", object_id=7
    )
    session.commit()

    everything = audit_entries(session=session, viewer=admin, filters=AuditFilters())
    assert [e.action for e in everything.items] == [
        "user.deactivate",
        "programme.enrol",
        "programme.create",
    ]
    by_prefix = audit_entries(
        session=session, viewer=admin, filters=AuditFilters(action="programme.")
    )
    assert by_prefix.total == 2
    by_actor = audit_entries(session=session, viewer=admin, filters=AuditFilters(actor="ADA@"))
    assert [e.actor_name for e in by_actor.items] == ["Ada Admin", "Ada Admin"]
    page = audit_entries(session=session, viewer=admin, filters=AuditFilters(), limit=1, offset=1)
    assert (page.total, [e.action for e in page.items]) == (3, ["programme.enrol"])
    today = datetime.now(UTC).date()
    none = AuditFilters(date_to=date(2000, 1, 1))
    assert audit_entries(session=session, viewer=admin, filters=none).total == 0
    rows = list(
        audit_csv_rows(session=session, viewer=admin, filters=AuditFilters(date_from=today))
    )
    assert [r[5] for r in rows] == ["programme.create", "programme.enrol", "user.deactivate"]
    assert rows[0][1:5] == [staff.id, "Sam Staff", staff.email, "staff"]
    assert rows[0][10] == '{"description": "", "name": "Cohort A"}'


def test_scoped_staff_see_only_entries_about_their_programmes(session):
    admin = AdminFactory()
    mine = programmes.create_programme(session=session, actor=admin, name="Mine")
    programmes.create_programme(session=session, actor=admin, name="Theirs")
    staff = StaffFactory(platform_wide=False)
    programmes.assign_staff(session=session, actor=admin, programme_id=mine.id, user_id=staff.id)

    seen = audit_entries(session=session, viewer=staff, filters=AuditFilters())
    assert [(e.action, e.object_id) for e in seen.items] == [
        ("programme.assign", str(mine.id)),
        ("programme.create", str(mine.id)),
    ]
