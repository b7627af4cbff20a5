"""Numbers in staff uploads and staff pages are bounded: each bad cell is named by line and
column before any work is done, and no page answers 500 to a number it cannot use."""

from __future__ import annotations

import re
from io import BytesIO

import pytest
from sqlmodel import func, select

from tests.factories import AdminFactory, FounderFactory, InvestorProfileFactory, StaffFactory
from tests.webapp.staff.calls import bearer_for, signed_in
from tests.webapp.web_client import csrf_token
from webapp.models import PortfolioDeal, Venture
from webapp.services.imports import import_investors, import_portfolio, import_ventures
from webapp.services.imports.csvfile import CellError, as_whole_number

SUMMARY = "Sensors for offshore wind blades, from a Hull research group."
HOSTILE_CELLS = ["1e30", "100000000000000000000", "1e1000000", "1e100000", "NaN", "Infinity"]
PORTFOLIO_HEADER = "company_name,investor_name,funded_at,amount_usd\n"


@pytest.fixture
def staff(session):
    return StaffFactory()


@pytest.mark.parametrize("text", [*HOSTILE_CELLS, "9" * 40, "10,000,000,001"])
def test_a_whole_number_cell_beyond_any_bound_is_refused_unread(text):
    with pytest.raises(CellError, match="number"):
        as_whole_number(text)


def test_the_largest_whole_number_is_ten_billion():
    assert as_whole_number("£10,000,000,000") == 10_000_000_000


@pytest.mark.parametrize("column", ["raise_amount_gbp", "trl", "team_size"])
@pytest.mark.parametrize("text", HOSTILE_CELLS)
def test_a_venture_cell_out_of_bounds_is_named_by_line_and_column(session, staff, column, text):
    owner = FounderFactory()
    values = {"raise_amount_gbp": "750000", "trl": "4", "team_size": "3"} | {column: text}
    csv = (
        "owner_email,name,summary,sectors,stage,raise_amount_gbp,instruments,region,trl,team_size\n"
        f'{owner.email},Blade Sense,"{SUMMARY}",ai,seed,{values["raise_amount_gbp"]},equity,'
        f"hull_east_yorkshire_ca,{values['trl']},{values['team_size']}\n"
    )
    report = import_ventures(session=session, actor=staff, content=csv)
    assert [(e.line, e.field) for e in report.errors] == [(2, column)]
    assert session.exec(select(func.count()).select_from(Venture)).one() == 0


@pytest.mark.parametrize("text", [*HOSTILE_CELLS, "-5"])
def test_an_investor_ticket_out_of_bounds_is_named_by_line_and_column(session, staff, text):
    csv = (
        "name,investor_type,stages,ticket_min_gbp,ticket_max_gbp,regions,instruments\n"
        f"Moor Fund,angel_network,seed,{text},500000,north_east,equity\n"
    )
    report = import_investors(session=session, actor=staff, content=csv)
    assert [(e.line, e.field) for e in report.errors] == [(2, "ticket_min_gbp")]


@pytest.mark.parametrize("text", [*HOSTILE_CELLS, "-5", "0", "$1e30"])
def test_a_portfolio_amount_out_of_bounds_is_named_and_nothing_is_written(session, staff, text):
    profile = InvestorProfileFactory()
    csv = PORTFOLIO_HEADER + f'Lumen,{profile.name},2011-03-01,"{text}"\n'
    report = import_portfolio(session=session, actor=staff, investor_id=profile.id, content=csv)
    assert [(e.line, e.field) for e in report.errors] == [(2, "amount_usd")]
    assert session.exec(select(func.count()).select_from(PortfolioDeal)).one() == 0


@pytest.mark.parametrize("text", ["1e30", "100000000000000000000", "1e1000000"])
def test_the_staff_import_page_lists_a_portfolio_amount_out_of_bounds(app, session, staff, text):
    profile = InvestorProfileFactory()
    browser = signed_in(app, staff)
    csv = PORTFOLIO_HEADER + f"Lumen,{profile.name},2011-03-01,{text}\n"
    response = browser.post(
        "/staff/imports",
        data={
            "csrf_token": csrf_token(browser, "/staff/imports"),
            "kind": "portfolio",
            "mode": "all_or_nothing",
            "investor_id": str(profile.id),
            "file": (BytesIO(csv.encode()), "history.csv"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Nothing was imported" in html
    assert re.search(r"<td class=\"num\">2</td><td><code>amount_usd</code></td>", html)


@pytest.mark.parametrize("value", ["²", "99999999999999999999", "-1"])
def test_staff_pages_answer_numbers_they_cannot_use_without_a_server_error(
    app, session, staff, value
):
    browser = signed_in(app, staff)
    for url in (
        f"/staff/stalled?days={value}",
        f"/staff/stalled?programme={value}",
        f"/staff/?programme={value}",
        f"/staff/audit?offset={value}",
        f"/staff/audit?actor={value}",
        f"/staff/imports?programme={value}",
    ):
        status = browser.get(url).status_code
        assert status in (200, 422), f"{url} answered {status}"


@pytest.mark.parametrize("value", ["²", "99999999999999999999"])
def test_the_audit_api_takes_any_actor_text(client, session, staff, value):
    response = client.get(f"/api/v1/audit?actor={value}", headers=bearer_for(session, staff))
    assert response.status_code == 200
    assert response.get_json()["items"] == []


@pytest.mark.parametrize(
    "url",
    [
        "/admin/users?q=a%00b",
        "/staff/audit?actor=a%00b",
        "/staff/audit?action=a%00b",
        "/staff/audit?object_type=a%00",
        "/staff/audit.csv?object_id=a%00",
    ],
)
def test_a_nul_character_in_a_page_parameter_is_a_422_naming_it(app, session, url):
    # PostgreSQL refuses NUL in any string it is sent: these searches answered 500 there.
    browser = signed_in(app, AdminFactory())
    response = browser.get(url)
    assert response.status_code == 422
    name = url.split("?")[1].split("=")[0]
    assert f"{name} must not contain NUL characters" in response.get_data(as_text=True)
