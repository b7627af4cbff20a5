"""The staff pages: they render, show the same figures as the API, and work without JS."""

from __future__ import annotations

import re
from io import BytesIO

import pytest

from tests.factories import (
    FounderFactory,
    InvestorProfileFactory,
    InvestorUserFactory,
    StaffFactory,
)
from tests.webapp.staff.calls import bearer_for, signed_in
from tests.webapp.web_client import csrf_token

RANGE = "from=2025-01-01&to=2025-12-31"
SUMMARY = "A good summary of a venture from Durham."


@pytest.fixture
def staff(session):
    return StaffFactory()


def _cell(html: str, attribute: str, key: str) -> str:
    found = re.search(rf'data-{attribute}="{key}">([^<]*)<', html)
    assert found, f"no data-{attribute}={key}"
    return found.group(1).strip()


def test_dashboard_shows_the_same_figures_as_the_api(app, client, session, known, staff):
    api = client.get(f"/api/v1/pipeline/summary?{RANGE}", headers=bearer_for(session, staff))
    summary = api.get_json()
    browser = signed_in(app, staff)
    page = browser.get(f"/staff/?{RANGE}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert _cell(html, "figure", "ventures") == str(summary["ventures"])
    assert _cell(html, "figure", "capital_sought_gbp") == f"£{summary['capital_sought_gbp']:,}"
    assert _cell(html, "figure", "capital_invested_gbp") == f"£{summary['capital_invested_gbp']:,}"
    assert _cell(html, "figure", "north_retention") == "50.0%"
    for step in summary["funnel"]:
        assert _cell(html, "stage", step["stage"]) == str(step["count"])
    for stage, days in summary["median_days_in_stage"].items():
        assert _cell(html, "days", stage) == str(days)
    assert _cell(html, "conversion", "introduction_requested") == "66.7%"
    assert html.count('src="data:image/svg+xml;base64,') == 3  # charts as images, no inline SVG
    assert "<script>" not in html


def test_bad_filters_are_shown_not_applied(app, session, known, staff):
    page = signed_in(app, staff).get("/staff/?sector=biotech&from=2025-02-30")
    assert page.status_code == 422
    html = page.get_data(as_text=True)
    assert "These filters were not applied" in html
    assert _cell(html, "figure", "ventures") == "5"  # everything, unfiltered


def test_every_staff_page_renders(app, session, known, staff):
    browser = signed_in(app, staff)
    venture = known.ventures["V1"]
    for path in (
        "/staff/gaps",
        "/staff/retention?grain=month",
        "/staff/stalled?days=10",
        f"/staff/ventures/{venture.id}",
        "/staff/programmes",
        "/staff/evidence",
        "/staff/audit",
        "/staff/imports",
    ):
        response = browser.get(path)
        assert response.status_code == 200, path
    gaps = browser.get("/staff/gaps").get_data(as_text=True)
    assert "Sheffield Graphene" in gaps
    assert "heat-5" in gaps


def test_the_deals_download_matches_the_api_export(app, client, session, known, staff):
    browser = signed_in(app, staff)
    headers = bearer_for(session, staff)
    from_page = browser.get(f"/staff/evidence/deals.csv?{RANGE}", buffered=True)
    from_api = client.get(f"/api/v1/pipeline/export.csv?{RANGE}", headers=headers, buffered=True)
    assert from_page.status_code == 200
    assert from_page.get_data() == from_api.get_data()


def test_staff_upload_shows_each_bad_row(app, session, staff):
    owner = FounderFactory()
    browser = signed_in(app, staff)
    text = (
        "owner_email,name,summary,sectors,stage,raise_amount_gbp,instruments,region\n"
        f'{owner.email},Good Co,"{SUMMARY}",ai,seed,100000,equity,north_east_ca\n'
        f'{owner.email},Bad Co,"{SUMMARY}",ai,seed,lots,equity,north_east_ca\n'
    )
    token = csrf_token(browser, "/staff/imports")
    response = browser.post(
        "/staff/imports",
        data={
            "csrf_token": token,
            "kind": "ventures",
            "mode": "all_or_nothing",
            "file": (BytesIO(text.encode()), "cohort.csv"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Nothing was imported" in html
    assert "&#39;lots&#39; is not a number" in html
    assert re.search(r'data-report="bad">1<', html)


def test_investors_import_their_own_history_from_a_page(app, session):
    member = InvestorUserFactory()
    InvestorProfileFactory(organisation_id=member.organisation_id)
    browser = signed_in(app, member)
    token = csrf_token(browser, "/portfolio/import")
    text = (
        "round_id,company_name,investor_name,funded_at,amount_usd,funding_round_type,"
        "category_code,country_code,state_code,region,city,company_permalink\n"
        "x,Alpha,Us,2012-05-01,2000000,series-b,cleantech,USA,CA,,,/company/alpha\n"
    )
    response = browser.post(
        "/portfolio/import",
        data={
            "csrf_token": token,
            "mode": "all_or_nothing",
            "file": (BytesIO(text.encode()), "h.csv"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert re.search(r'data-report="written">1<', response.get_data(as_text=True))


def test_large_counts_are_written_with_thousands_separators(app):
    """The retention page showed "9270 of 11493"; counts read like the rest of the figures."""
    with app.app_context():
        macros = app.jinja_env.get_template("staff/_macros.html").module
        assert str(macros.share_of(9270, 11493)) == "9,270 of 11,493"
        assert str(macros.count(None)) == "—"
    retention = app.jinja_env.loader.get_source(app.jinja_env, "staff/retention.html")[0]
    assert "f.northern }}" not in retention  # every count on the page goes through the macros
