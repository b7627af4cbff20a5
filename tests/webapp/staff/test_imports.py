"""Bulk imports: every row checked first, a report of each bad row, nothing or only good rows
written, never half a row, and re-uploads that add nothing."""

from __future__ import annotations

import pytest
from sqlmodel import func, select

from tests.factories import (
    FounderFactory,
    InvestorProfileFactory,
    InvestorUserFactory,
    StaffFactory,
)
from tests.webapp.staff.factories import ProgrammeFactory
from webapp.models import (
    AuditLog,
    InvestorProfile,
    Organisation,
    OutboxEvent,
    PortfolioDeal,
    ProgrammeVenture,
    Venture,
)
from webapp.services.common.errors import Forbidden, NotFound, ValidationFailed
from webapp.services.imports import (
    ImportMode,
    import_investors,
    import_portfolio,
    import_ventures,
)

VENTURE_HEADER = (
    "owner_email,name,summary,sectors,stage,raise_amount_gbp,instruments,region,institution,"
    "visibility\n"
)
SUMMARY = "Sensors for offshore wind blades, from a Hull research group."


def _venture_line(email, name, stage="seed", amount="750000", region="hull_east_yorkshire_ca"):
    return (
        f'{email},{name},"{SUMMARY}",offshore_wind;energy_networks,{stage},"{amount}",'
        f"equity,{region},hull,published\n"
    )


def _count(session, model):
    return session.exec(select(func.count()).select_from(model)).one()


@pytest.fixture
def staff(session):
    return StaffFactory()


def test_a_clean_cohort_is_written_with_events_and_an_audit_row(session, staff):
    one, two = FounderFactory(email="ann@example.org"), FounderFactory(email="bo@example.org")
    text = (
        VENTURE_HEADER
        + _venture_line(one.email, "Blade Sense")
        + _venture_line("BO@example.org", "Tidal Grid", amount="1,200,000")
    )
    report = import_ventures(session=session, actor=staff, content=text.encode())

    assert (report.rows, report.written, report.errors, report.committed) == (2, 2, [], True)
    ventures = session.exec(select(Venture).order_by(Venture.id)).all()
    assert [(v.name, v.owner_id, v.raise_amount_gbp) for v in ventures] == [
        ("Blade Sense", one.id, 750_000),
        ("Tidal Grid", two.id, 1_200_000),
    ]
    assert ventures[0].sectors == ["offshore_wind", "energy_networks"]
    assert ventures[0].published_at is not None
    events = session.exec(select(OutboxEvent.payload)).all()
    assert sorted(e["venture_id"] for e in events) == [v.id for v in ventures]
    audit = session.exec(select(AuditLog)).one()
    assert (audit.action, audit.actor_id, audit.after["written"]) == (
        "import.ventures",
        staff.id,
        2,
    )


def test_bad_rows_are_reported_one_by_one_and_nothing_is_written(session, staff):
    owner = FounderFactory()
    text = (
        VENTURE_HEADER
        + _venture_line(owner.email, "Good One")
        + _venture_line(owner.email, "Wrong Stage", stage="series_z")
        + _venture_line("nobody@example.org", "No Owner", amount="lots")
        + _venture_line(owner.email, "X")
    )
    report = import_ventures(session=session, actor=staff, content=text)

    assert report.committed is False
    assert report.written == 0
    assert _count(session, Venture) == 0
    assert _count(session, OutboxEvent) == 0
    assert [(e.line, e.field, e.value) for e in report.errors] == [
        (3, "stage", "series_z"),
        (4, "owner_email", "nobody@example.org"),
        (4, "raise_amount_gbp", "lots"),
        (5, "name", "X"),
    ]
    assert "unknown stage code 'series_z'" in report.errors[0].message
    assert "founder must sign up first" in report.errors[1].message
    assert report.errors[2].message == "'lots' is not a number; write digits only, e.g. 750000"
    assert (report.good_rows, report.bad_lines) == (1, [3, 4, 5])


def test_good_rows_mode_writes_only_whole_good_rows(session, staff):
    owner = FounderFactory()
    text = (
        VENTURE_HEADER
        + _venture_line(owner.email, "Good One")
        + _venture_line(owner.email, "Bad Region", region="atlantis")
    )
    report = import_ventures(session=session, actor=staff, content=text, mode=ImportMode.GOOD_ROWS)
    assert (report.written, len(report.errors), report.committed) == (1, 1, True)
    assert session.exec(select(Venture.name)).all() == ["Good One"]


def test_uploading_the_same_cohort_twice_adds_nothing_and_enrols_in_the_programme(session, staff):
    owner = FounderFactory()
    programme = ProgrammeFactory()
    text = VENTURE_HEADER + _venture_line(owner.email, "Blade Sense")
    first = import_ventures(session=session, actor=staff, content=text, programme_id=programme.id)
    again = import_ventures(
        session=session,
        actor=staff,
        content=text + text.splitlines(True)[1],
        programme_id=programme.id,
    )
    assert (first.written, again.written, again.duplicates) == (1, 0, 2)
    assert _count(session, Venture) == 1
    assert _count(session, ProgrammeVenture) == 1


def test_file_level_faults_name_the_file(session, staff):
    with pytest.raises(ValidationFailed) as missing:
        import_ventures(session=session, actor=staff, content="name,summary\nA,B\n")
    assert missing.value.errors[0].field == "file"
    assert "has no column owner_email" in missing.value.errors[0].message
    with pytest.raises(ValidationFailed) as binary:
        import_ventures(session=session, actor=staff, content=b"\xff\xfe\x00bad")
    assert "not UTF-8" in binary.value.errors[0].message


def test_only_staff_import_ventures_and_investors(session):
    with pytest.raises(Forbidden):
        import_ventures(session=session, actor=FounderFactory(), content=VENTURE_HEADER)
    with pytest.raises(Forbidden):
        import_investors(session=session, actor=InvestorUserFactory(), content="name\n")


INVESTOR_HEADER = (
    "name,investor_type,sectors,excluded_sectors,stages,ticket_min_gbp,ticket_max_gbp,"
    "regions,instruments,hq_region,website\n"
)


def test_investors_are_created_with_their_organisations(session, staff):
    text = (
        INVESTOR_HEADER
        + "Humber Energy Angels,angel_network,clean_energy,,pre_seed;seed,25000,150000,"
        "yorkshire_humber,equity,hull_east_yorkshire_ca,https://humber.example\n"
        + "Upside Down,vc,ai,ai,seed,2000000,500000,mars,equity,,\n"
    )
    report = import_investors(session=session, actor=staff, content=text, mode=ImportMode.GOOD_ROWS)

    assert report.written == 1
    assert {(e.line, e.field) for e in report.errors} == {
        (3, "excluded_sectors"),
        (3, "regions"),
        (3, "ticket_min_gbp"),
    }
    profile = session.exec(select(InvestorProfile)).one()
    organisation = session.get(Organisation, profile.organisation_id)
    assert (profile.name, profile.stages, organisation.website) == (
        "Humber Energy Angels",
        ["pre_seed", "seed"],
        "https://humber.example",
    )
    events = session.exec(select(OutboxEvent.payload)).all()
    assert events == [{"investor_id": profile.id}]
    again = import_investors(session=session, actor=staff, content=text, mode=ImportMode.GOOD_ROWS)
    assert (again.written, again.duplicates) == (0, 1)


PORTFOLIO_HEADER = (
    "round_id,company_name,investor_name,funded_at,amount_usd,funding_round_type,"
    "category_code,country_code,state_code,region,city,company_permalink\n"
)
PORTFOLIO = PORTFOLIO_HEADER + (
    "Lumen|2011-03-01|1000000,Lumen,Moorland Ventures,2011-03-01,1000000,series-a,biotech,"
    "USA,MA,Boston,Cambridge,/company/lumen\n"
    "Quay|2012-07-01|,Quay,moorland ventures,2012-07-01,,angel,software,GBR,,,Leeds,/company/quay\n"
    "Quay|2012-07-01|,Quay,Other Fund,2012-07-01,,angel,software,GBR,,,Leeds,/company/quay\n"
    "Fell|2010-01-01|2500000,Fell,Moorland Ventures,2010-01-01,2500000,venture,,,,,,\n"
)


def test_portfolio_rows_map_to_our_stages_sectors_places_and_pounds(session):
    member = InvestorUserFactory()
    profile = InvestorProfileFactory(organisation_id=member.organisation_id)
    report = import_portfolio(
        session=session,
        actor=member,
        investor_id=profile.id,
        content=PORTFOLIO,
        investor_name="Moorland Ventures",
    )
    assert (report.rows, report.written, report.skipped, report.errors) == (4, 3, 1, [])
    deals = session.exec(select(PortfolioDeal).order_by(PortfolioDeal.funded_at)).all()
    assert [
        (d.company_name, d.stage, d.sectors, d.region, d.amount_gbp, d.dedupe_key) for d in deals
    ] == [
        ("Fell", None, [], None, 1_950_000, "fell|2010-01-01|venture"),
        ("Lumen", "series_a", ["therapeutics"], "outside_uk", 780_000, "lumen|2011-03-01|series_a"),
        (
            "Quay",
            "pre_seed",
            ["software_saas"],
            "west_yorkshire_ca",
            None,
            "quay|2012-07-01|pre_seed",
        ),
    ]
    events = session.exec(select(OutboxEvent.kind, OutboxEvent.payload)).all()
    assert [tuple(e) for e in events] == [
        ("matching.full_refresh", {"reason": f"portfolio import for investor {profile.id}"})
    ]  # a new track record rescores everyone
    again = import_portfolio(
        session=session, actor=member, investor_id=profile.id, content=PORTFOLIO
    )
    assert (again.written, again.duplicates) == (0, 4)  # 'Other Fund' row has the same key
    assert _count(session, PortfolioDeal) == 3


def test_bad_portfolio_rows_are_reported_and_nothing_is_written(session):
    staff = StaffFactory()
    profile = InvestorProfileFactory()
    text = PORTFOLIO_HEADER + (
        ",,Moorland,2011-13-01,-5,series-q,knitting,USA,,,,\n"
        "A|x,Alpha,Moorland,2099-01-01,100,seed,web,,,,,\n"
        "B|x,Beta,Moorland,2011-01-01,100,seed,web,,,,,\n"
    )
    report = import_portfolio(session=session, actor=staff, investor_id=profile.id, content=text)
    assert [(e.line, e.field) for e in report.errors] == [
        (2, "company_name"),
        (2, "funded_at"),
        (2, "amount_usd"),
        (2, "funding_round_type"),
        (2, "category_code"),
        (3, "funded_at"),
    ]
    assert (report.written, report.committed) == (0, False)
    assert _count(session, PortfolioDeal) == 0


def test_an_investor_cannot_import_into_another_investors_history(session):
    outsider = InvestorUserFactory()
    profile = InvestorProfileFactory()
    with pytest.raises(NotFound):
        import_portfolio(session=session, actor=outsider, investor_id=profile.id, content=PORTFOLIO)
