"""Numbers and dates a client sends are bounded and strictly typed: a 422 naming the field,
never a 500 and never a slow request, whatever the number looks like."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from sqlmodel import Session

from tests.factories import DealFactory, FounderFactory, InvestorUserFactory, StaffFactory
from tests.webapp.api.helpers import Caller, problem_fields
from tests.webapp.api.test_ventures_api import BODY
from tests.webapp.ventures.parties import Founder, Investor
from webapp.models import InvestorProfile, User

AsUser = Callable[[User | None], Caller]

# As they arrive on the wire: JSON has no NaN or Infinity, but clients send them anyway.
HOSTILE_NUMBERS = [
    "1e30",
    "100000000000000000000",
    "1e1000000",
    "-1e1000000",
    "NaN",
    "Infinity",
    "-5",
    '"1000000"',
    "1000000.5",
    "true",
]


def _raw(caller: Caller, method: str, url: str, body: dict[str, object], field: str, raw: str):
    """Send `body` with `field` set to the literal JSON text `raw`."""
    text = json.dumps(body | {field: "__RAW__"}).replace('"__RAW__"', raw)
    return caller.call(method, url, data=text, content_type="application/json")


@pytest.mark.parametrize("raw", HOSTILE_NUMBERS)
def test_a_venture_raise_that_is_not_a_bounded_whole_number_is_a_422_naming_it(
    session: object, as_user: AsUser, raw: str
) -> None:
    response = _raw(
        as_user(FounderFactory()), "POST", "/api/v1/ventures", BODY, "raise_amount_gbp", raw
    )
    assert response.status_code == 422, response.get_data(as_text=True)
    assert problem_fields(response) == {"raise_amount_gbp"}


@pytest.mark.parametrize("field", ["trl", "team_size", "ticket_min_gbp", "ticket_max_gbp"])
@pytest.mark.parametrize("raw", HOSTILE_NUMBERS)
def test_counts_and_tickets_are_bounded_in_an_edit(
    session: object, as_user: AsUser, founder: Founder, investor: Investor, field: str, raw: str
) -> None:
    if field.startswith("ticket"):
        caller, url = as_user(investor.user), f"/api/v1/investors/{investor.profile.id}"
    else:
        caller, url = as_user(founder.user), f"/api/v1/ventures/{founder.venture.id}"
    response = _raw(caller, "PATCH", url, {}, field, raw)
    assert response.status_code == 422, response.get_data(as_text=True)
    assert problem_fields(response) == {field}


def test_the_largest_accepted_raise_is_ten_billion_pounds(
    session: object, as_user: AsUser, founder: Founder
) -> None:
    caller, url = as_user(founder.user), f"/api/v1/ventures/{founder.venture.id}"
    assert caller.patch(url, {"raise_amount_gbp": 10_000_000_000}).status_code == 200
    assert problem_fields(caller.patch(url, {"raise_amount_gbp": 10_000_000_001})) == {
        "raise_amount_gbp"
    }


def test_a_number_sent_as_a_string_or_a_boolean_as_text_is_refused(
    session: object, as_user: AsUser
) -> None:
    body = BODY | {"raise_amount_gbp": "400000", "trl": "5", "spinout": "true"}
    response = as_user(FounderFactory()).post("/api/v1/ventures", body)
    assert response.status_code == 422
    messages = {e["field"]: e["message"] for e in response.get_json()["errors"]}
    assert messages == {
        "raise_amount_gbp": "Send a whole number as a JSON number (not text), e.g. 750000; "
        "got '400000'",
        "trl": "Send a whole number as a JSON number (not text), e.g. 750000; got '5'",
        "spinout": "Send true or false as a JSON boolean (not text); got 'true'",
    }


@pytest.mark.parametrize("day", ["0001-01-01", "1799-12-31", "2999-01-01", "0", "20240501"])
def test_incorporation_dates_lie_between_1800_and_today(
    session: object, as_user: AsUser, day: str
) -> None:
    response = as_user(FounderFactory()).post("/api/v1/ventures", BODY | {"incorporated_on": day})
    assert response.status_code == 422
    assert problem_fields(response) == {"incorporated_on"}


def test_an_old_company_incorporated_in_1800_is_accepted(session: object, as_user: AsUser) -> None:
    body = BODY | {"incorporated_on": "1800-01-01"}
    assert as_user(FounderFactory()).post("/api/v1/ventures", body).status_code == 201


@pytest.mark.parametrize("raw", HOSTILE_NUMBERS)
def test_a_deal_amount_is_bounded(session: Session, as_user: AsUser, raw: str) -> None:
    deal = DealFactory()
    profile = session.get(InvestorProfile, deal.investor_id)
    assert profile is not None
    member = InvestorUserFactory(organisation_id=profile.organisation_id)
    body = {"stage": "in_conversation"}
    response = _raw(as_user(member), "PATCH", f"/api/v1/deals/{deal.id}", body, "amount_gbp", raw)
    assert response.status_code == 422, response.get_data(as_text=True)
    assert problem_fields(response) == {"amount_gbp"}


@pytest.mark.parametrize("raw", ["1e30", "100000000000000000000", "NaN", '"7"', "0"])
def test_ids_in_a_body_are_bounded_whole_numbers(
    session: object, as_user: AsUser, investor: Investor, raw: str
) -> None:
    url = f"/api/v1/investors/{investor.profile.id}/feedback"
    response = _raw(as_user(investor.user), "POST", url, {"action": "shortlist"}, "venture_id", raw)
    assert response.status_code == 422
    assert problem_fields(response) == {"venture_id"}


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/pipeline/summary?to=0",
        "/api/v1/pipeline/summary?from=1700000000",
        "/api/v1/pipeline/export.csv?to=0",
        "/api/v1/audit?to=0",
        "/api/v1/audit.csv?from=0",
    ],
)
def test_date_parameters_take_iso_dates_not_epoch_numbers(
    session: object, as_user: AsUser, url: str
) -> None:
    response = as_user(StaffFactory()).get(url)
    assert response.status_code == 422
    assert problem_fields(response) <= {"from", "to"}
    assert problem_fields(response)


@pytest.mark.parametrize(
    "raw",
    ["1e30", "100000000000000000000", "1e1000000", "NaN", "Infinity", "-5", "$1e30"],
)
def test_a_portfolio_amount_out_of_bounds_is_a_422_naming_the_cell(
    session: object, as_user: AsUser, investor: Investor, raw: str
) -> None:
    csv = (
        "company_name,investor_name,funded_at,amount_usd\n"
        f'Lumen,{investor.profile.name},2011-03-01,"{raw}"\n'
    )
    url = f"/api/v1/investors/{investor.profile.id}/portfolio"
    response = as_user(investor.user).post(url, {"csv": csv})
    assert response.status_code == 422, response.get_data(as_text=True)
    assert problem_fields(response) == {"line 2: amount_usd"}
