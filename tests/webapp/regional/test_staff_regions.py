"""Regional context for staff: each place's figures are the pipeline's, beside the public ones."""

from __future__ import annotations

import csv
import io
import re

import pytest

from tests.factories import FounderFactory, StaffFactory
from tests.webapp.regional.cohort import comfortable_cohort
from tests.webapp.staff.calls import signed_in
from tests.webapp.staff.factories import ProgrammeMemberFactory, ProgrammeVentureFactory
from webapp.services.reports.pipeline import pipeline_summary
from webapp.services.reports.pipeline_filters import make_filters

PAGE = "/staff/regions"
PLACES = (
    "north_east", "north_west", "greater_manchester_ca", "cumbria", "yorkshire_humber",
    "west_yorkshire_ca", "south_yorkshire_mca", "london", "scotland", "east_midlands",
)  # fmt: skip


@pytest.fixture
def cohort(session):
    return comfortable_cohort()


@pytest.fixture
def staff(session):
    return StaffFactory()


def _shown(html: str) -> dict[tuple[str, str], str]:
    """Each cell's figure; money cells give their exact amount (the title people hover)."""
    return {
        (place, column): title or text
        for place, column, title, text in re.findall(
            r'data-place="(\w+)" data-column="(\w+)"(?: title="([^"]*)")?>([^<]*)<', html
        )
    }


def _money(amount: int) -> str:
    return f"£{amount:,}"


@pytest.mark.parametrize("place", PLACES)
def test_each_place_shows_what_the_pipeline_shows_for_it(app, session, cohort, staff, place):
    html = signed_in(app, staff).get(PAGE).get_data(as_text=True)
    shown = _shown(html)
    summary = pipeline_summary(session=session, filters=make_filters(region=place))
    assert shown[(place, "ventures")] == str(summary.ventures)
    assert shown[(place, "capital_sought_gbp")] == _money(summary.capital_sought_gbp)
    assert shown[(place, "introduced")] == str(dict(summary.funnel)["introduction_requested"])
    assert shown[(place, "capital_invested_gbp")] == _money(summary.capital_invested_gbp)
    assert shown[(place, "investors_in_mandate")] == str(summary.investors)


def test_the_filters_apply_to_every_place(app, session, cohort, staff):
    html = signed_in(app, staff).get(f"{PAGE}?stage=seed").get_data(as_text=True)
    shown = _shown(html)
    for place in ("north_west", "london", "yorkshire_humber"):
        summary = pipeline_summary(
            session=session, filters=make_filters(region=place, stage="seed")
        )
        assert shown[(place, "ventures")] == str(summary.ventures)
        assert shown[(place, "investors_in_mandate")] == str(summary.investors)
    assert shown[("all", "ventures")] == "10"


def test_the_public_figures_sit_beside_with_the_credit_and_the_approximations(
    app, session, cohort, staff
):
    page = signed_in(app, staff).get(PAGE)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Source: HESA HE-BCI, aggregated to NUTS2 by Nesta" in html
    assert "Durham University" in html  # why Tees Valley's public figures are approximate
    assert "North and North East Lincolnshire" in html
    assert re.search(r'data-figure="public_north_share">10\.1%<', html)
    assert re.search(r'data-share-year="2017">15\.4%<', html)
    assert re.search(r'data-figure="north_ventures">71\.4%<', html)  # 15 of 21
    shown = _shown(html)
    assert shown[("north", "investors_in_mandate")] == "2"  # Irwell (North West), Aire (Yorkshire)
    assert shown[("all", "investors_in_mandate")] == "3"
    assert html.count('src="data:image/svg+xml;base64,') == 3
    assert 'href="/staff/regions"' in html  # in the staff navigation


def test_demand_against_the_public_baseline_is_largest_first(app, session, cohort, staff):
    html = signed_in(app, staff).get(PAGE).get_data(as_text=True)
    ranked = re.findall(r'data-demand="(\w+)">([^<]*)<', html)
    # Pounds sought for every pound of 2018/19 spin-off investment: North West £5m against
    # £23.863m, London £12m against £877m, Yorkshire £1.25m against £163.514m.
    assert ranked[:3] == [("north_west", "20.9p"), ("london", "1.4p"), ("yorkshire_humber", "0.8p")]


def test_the_csv_holds_the_page_figures_and_every_year(app, session, cohort, staff):
    browser = signed_in(app, staff)
    shown = _shown(browser.get(PAGE).get_data(as_text=True))
    response = browser.get(f"{PAGE}.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    records = {r["code"]: r for r in csv.DictReader(io.StringIO(response.get_data(as_text=True)))}
    for place in PLACES:
        assert records[place]["ventures"] == shown[(place, "ventures")]
        assert (
            _money(int(records[place]["capital_sought_gbp"]))
            == shown[(place, "capital_sought_gbp")]
        )
        assert records[place]["investors_in_mandate"] == shown[(place, "investors_in_mandate")]
    # UKC1 £21,012,000 + UKC2 £3,561,000 in 2014/15
    assert records["north_east"]["spinoff_investment_gbp_2014"] == "24573000"
    assert records["tees_valley_ca"]["public_fit"] == "approximate"
    assert records["greater_manchester_ca"]["public_fit"] == "exact"
    assert records["north"]["spinoff_investment_gbp_2018"] == "235816000"


def test_programme_staff_see_only_their_programmes_ventures(app, session, cohort):
    member = ProgrammeMemberFactory()
    ProgrammeVentureFactory(programme_id=member.programme_id, venture_id=cohort.ventures[0].id)
    html = signed_in(app, session.get(type(cohort.founders[0]), member.user_id)).get(PAGE)
    shown = _shown(html.get_data(as_text=True))
    assert shown[("all", "ventures")] == "1"
    assert shown[("north_west", "ventures")] == "1"
    assert shown[("london", "ventures")] == "0"


def test_only_staff_may_look(app, client, session):
    assert client.get(PAGE).status_code == 302
    assert client.get(f"{PAGE}.csv").status_code == 302
    founder = signed_in(app, FounderFactory())
    assert founder.get(PAGE).status_code == 403
    assert founder.get(f"{PAGE}.csv").status_code == 403


def test_bad_filters_are_shown_not_applied(app, session, cohort, staff):
    browser = signed_in(app, staff)
    page = browser.get(f"{PAGE}?region=atlantis")
    assert page.status_code == 422
    assert "These filters were not applied" in page.get_data(as_text=True)
    assert browser.get(f"{PAGE}.csv?region=atlantis").status_code == 422
