"""Founders' pages through the test client: the guided form, publishing, matches, delete."""

from __future__ import annotations

import html
import re

import pytest
from flask.testing import FlaskClient
from sqlmodel import Session, select

from tests.factories import FounderFactory
from tests.webapp.ventures.factories import MatchFactory
from tests.webapp.ventures.parties import Founder, make_investor
from tests.webapp.web_client import csrf_token, post_form, sign_in
from webapp.models import Venture


def fresh(session: Session) -> None:
    """See the app's commits: end the read transaction (SQLite keeps its snapshot) and reload."""
    session.rollback()
    session.expire_all()


FORM = {
    "name": "Wear Valley Sensors",
    "summary": "Low-cost corrosion sensors for offshore wind foundations, from Durham.",
    "sectors": ["offshore_wind", "industrial_digital"],
    "stage": "seed",
    "raise_amount_gbp": "£1.2m",
    "instruments": ["equity", "convertible"],
    "region": "north_east_ca",
    "institution": "durham",
    "spinout": "y",
    "trl": "6",
    "team_size": "7",
    "seis": "y",
}


def test_the_guided_form_creates_and_publishes_a_venture(
    client: FlaskClient, session: Session
) -> None:
    owner = FounderFactory()
    sign_in(client, owner.email)
    form_page = client.get("/founder/ventures/new")
    text = form_page.get_data(as_text=True)
    assert form_page.status_code == 200
    assert "Clean energy industries" in text  # sector picker grouped by growth sector
    assert 'name="sectors"' in text
    response = post_form(client, "/founder/ventures/new", FORM | {"intent": "publish"})
    assert response.status_code == 302
    venture = session.exec(select(Venture).where(Venture.owner_id == owner.id)).one()
    assert (venture.visibility, venture.raise_amount_gbp) == ("published", 1_200_000)
    assert venture.sectors == ["offshore_wind", "industrial_digital"]
    page = client.get(response.headers["Location"])
    assert page.status_code == 200
    assert "We are ranking investors" in page.get_data(as_text=True)


def test_errors_are_shown_beside_each_field(client: FlaskClient, session: Session) -> None:
    sign_in(client, FounderFactory().email)
    bad = FORM | {"summary": "too short", "raise_amount_gbp": "lots", "sectors": []}
    response = post_form(client, "/founder/ventures/new", bad)
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="summary-error"' in text
    assert 'id="raise_amount_gbp-error"' in text
    assert "Choose at least one sector" in text
    assert "There is a problem" in text


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("raise_amount_gbp", "9" * 40, "Enter an amount up to £10,000,000,000"),
        ("raise_amount_gbp", "£20,000,000,000", "Enter an amount up to £10,000,000,000"),
        ("raise_amount_gbp", "1e30", "Enter an amount in pounds"),
        ("team_size", "1" * 5000, "Not a valid integer value"),
        ("team_size", "100001", "Number must be between 1 and 100000"),
        ("incorporated_on", "0001-01-01", "Give a date from 1800-01-01 to today"),
        ("incorporated_on", "2999-01-01", "Give a date from 1800-01-01 to today"),
    ],
)
def test_numbers_and_dates_out_of_bounds_are_errors_beside_the_field(
    client: FlaskClient, session: Session, field: str, value: str, message: str
) -> None:
    owner = FounderFactory()
    sign_in(client, owner.email)
    response = post_form(client, "/founder/ventures/new", FORM | {field: value})
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="{field}-error"' in text
    assert message in text
    assert session.exec(select(Venture).where(Venture.owner_id == owner.id)).all() == []


def test_every_bound_a_form_breaks_is_shown_at_once_and_each_only_once(
    client: FlaskClient, session: Session
) -> None:
    sign_in(client, FounderFactory().email)
    bad = FORM | {
        "raise_amount_gbp": "£20,000,000,000",
        "incorporated_on": "0001-01-01",
        "team_size": "100001",
    }
    text = post_form(client, "/founder/ventures/new", bad).get_data(as_text=True)
    shown = {
        field: html.unescape(" ".join(message.split()))
        for field, message in re.findall(
            r'id="(\w+)-error">\s*<span class="visually-hidden">Error:</span>(.*?)</p>', text, re.S
        )
    }
    assert shown == {
        "raise_amount_gbp": "Enter an amount up to £10,000,000,000",
        "incorporated_on": "Give a date from 1800-01-01 to today; 0001-01-01 can't be a date "
        "of incorporation",
        "team_size": "Number must be between 1 and 100000.",
    }


def test_the_venture_page_lists_ranked_investors_with_reasons(
    client: FlaskClient, session: Session, founder: Founder
) -> None:
    first, second = make_investor(), make_investor()
    MatchFactory(venture_id=founder.venture.id, investor_id=second.profile.id, venture_rank=2)
    MatchFactory(venture_id=founder.venture.id, investor_id=first.profile.id, venture_rank=1)
    sign_in(client, founder.user.email)
    text = client.get(f"/founder/ventures/{founder.venture.id}").get_data(as_text=True)
    assert text.index(first.profile.name) < text.index(second.profile.name)
    assert "Invests in diagnostics" in text
    assert "Request introduction" in text


def test_publish_close_edit_and_delete(
    client: FlaskClient, session: Session, founder: Founder
) -> None:
    venture_id = founder.venture.id
    sign_in(client, founder.user.email)
    url = f"/founder/ventures/{venture_id}"
    closed = post_form(client, f"{url}/visibility", {"visibility": "closed"}, form_page=url)
    assert closed.status_code == 302
    edit = post_form(client, f"{url}/edit", FORM | {"name": "Renamed Ltd"})
    assert edit.status_code == 302
    fresh(session)
    venture = session.get(Venture, venture_id)
    assert venture is not None
    assert (venture.name, venture.visibility) == ("Renamed Ltd", "closed")
    deleted = post_form(client, f"{url}/delete", {})
    assert deleted.status_code == 302
    fresh(session)
    assert session.get(Venture, venture_id) is None


def test_other_founders_and_investors_cannot_open_a_founders_pages(
    client: FlaskClient, session: Session, founder: Founder
) -> None:
    sign_in(client, FounderFactory().email)
    assert client.get(f"/founder/ventures/{founder.venture.id}").status_code == 404
    token = csrf_token(client, "/founder/ventures")
    response = client.post(
        f"/founder/ventures/{founder.venture.id}/delete", data={"csrf_token": token}
    )
    assert response.status_code == 404
    fresh(session)
    assert session.get(Venture, founder.venture.id) is not None


def test_an_amount_that_is_not_a_number_gets_one_error(
    client: FlaskClient, session: Session
) -> None:
    sign_in(client, FounderFactory().email)
    response = post_form(client, "/founder/ventures/new", FORM | {"raise_amount_gbp": "abc"})
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    error = text[text.index('id="raise_amount_gbp-error"') :]
    error = error[: error.index("</p>")]
    assert "Enter an amount in pounds, like 750000, £750,000 or 750k" in error
    assert "Enter how much you are raising" not in error


def test_closing_says_what_it_does_and_asks_first(
    client: FlaskClient, session: Session, founder: Founder
) -> None:
    sign_in(client, founder.user.email)
    url = f"/founder/ventures/{founder.venture.id}"
    page = client.get(url).get_data(as_text=True)
    assert ">Close the round to new investors</button>" in page
    assert (
        f'data-confirm="Close {founder.venture.name} to new investors? It leaves every '
        "investor&#39;s ranked list" in page
    )
    closed = post_form(
        client, f"{url}/visibility", {"visibility": "closed"}, form_page=url, follow_redirects=True
    )
    text = closed.get_data(as_text=True)
    assert "is closed to new investors" in text
    assert "Introductions and deals already under way carry on" in text
    assert ">Publish again</button>" in text
