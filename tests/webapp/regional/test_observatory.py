"""The open observatory: anyone can read it, it agrees with the pipeline, dashboards can poll."""

from __future__ import annotations

import csv
import io
import re

import pytest

from matching.wording import money as format_gbp
from tests.factories import StaffFactory, VentureFactory
from tests.webapp.regional.cohort import comfortable_cohort, feed_rows
from tests.webapp.staff.calls import bearer_for, signed_in
from webapp.services.reports.pipeline import pipeline_summary
from webapp.services.reports.pipeline_filters import make_filters
from webapp.services.reports.regional.observatory import PLATFORM_COLUMNS

FEED = "/api/v1/observatory"


@pytest.fixture
def cohort(session):
    return comfortable_cohort()


def test_anyone_can_read_the_feed_and_nothing_is_withheld_when_every_count_is_large(
    client, session, cohort
):
    response = client.get(FEED)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    rows = feed_rows(response.get_json())
    assert all(row["withheld"] == [] for row in rows.values())
    assert {k: rows[k]["ventures"] for k in ("all", "north", "rest")} == {
        "all": 21, "north": 15, "rest": 6,
    }  # fmt: skip
    assert rows["region:north_west"]["matched_in_mandate"] == 10
    assert rows["region:london"]["matched_in_mandate"] == 0  # matched, but outside the mandate
    assert rows["region:london"]["share_matched_in_mandate"] == 0.0
    assert rows["region:yorkshire_humber"]["share_matched_in_mandate"] == 1.0
    assert rows["all"]["share_matched_in_mandate"] == round(15 / 21, 4)


@pytest.mark.parametrize(
    ("key", "filters"),
    [
        ("all", {}),
        ("region:north_west", {"region": "north_west"}),
        ("region:london", {"region": "london"}),
        ("region:yorkshire_humber", {"region": "yorkshire_humber"}),
        ("region:scotland", {"region": "scotland"}),
        ("sector:digital_technologies", {"sector": "digital_technologies"}),
        ("sector:financial_services", {"sector": "financial_services"}),
        ("sector:life_sciences", {"sector": "life_sciences"}),
        ("stage:seed", {"stage": "seed"}),
        ("stage:series_a", {"stage": "series_a"}),
        ("stage:pre_seed", {"stage": "pre_seed"}),
    ],
)
def test_each_row_is_the_pipeline_filtered_to_it(client, session, cohort, key, filters):
    row = feed_rows(client.get(FEED).get_json())[key]
    summary = pipeline_summary(session=session, filters=make_filters(**filters))
    funnel = dict(summary.funnel)
    assert row["ventures"] == summary.ventures
    assert row["capital_sought_gbp"] == summary.capital_sought_gbp
    assert row["introduced"] == funnel["introduction_requested"]
    assert row["invested"] == funnel["invested"]
    assert row["capital_invested_gbp"] == summary.capital_invested_gbp
    assert row["median_days_to_first_introduction"] == summary.median_days_in_stage["published"]


def test_the_figures_worked_out_by_hand(client, session, cohort):
    rows = feed_rows(client.get(FEED).get_json())
    north_west = rows["region:north_west"]
    assert north_west["capital_sought_gbp"] == 10 * 500_000
    assert (north_west["introduced"], north_west["invested"]) == (6, 5)
    assert north_west["capital_invested_gbp"] == 5 * 100_000
    assert north_west["median_days_to_first_introduction"] == 9.5  # waits of 7…12 days
    assert rows["region:london"]["median_days_to_first_introduction"] == 5.0  # 3…7 days
    assert rows["region:yorkshire_humber"]["median_days_to_first_introduction"] is None
    assert rows["north"]["capital_sought_gbp"] == 10 * 500_000 + 5 * 250_000


def test_the_page_shows_the_feed(client, session, cohort):
    rows = feed_rows(client.get(FEED).get_json())
    page = client.get("/observatory")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    shown = {
        (f"{b}:{c}" if b not in ("all", "north", "rest") else b, column): (title, text)
        for b, c, column, title, text in re.findall(
            r'data-row="(\w+):(\w+)" data-column="(\w+)"(?: title="([^"]*)")?>([^<]*)<', html
        )
    }
    on_page = [name for name, _ in PLATFORM_COLUMNS if name != "matched_in_mandate"]
    assert len(shown) == len(rows) * len(on_page)  # the count's share is there instead
    for key, row in rows.items():
        for column in on_page:
            title, text = shown[(key, column)]
            assert text == _as_shown(column, row[column]), (key, column)
            if column.endswith("_gbp") and row[column] is not None:
                assert title == f"£{row[column]:,}"  # the exact figure, on hover
    assert "Source: HESA HE-BCI, aggregated to NUTS2 by Nesta" in html


def _as_shown(column: str, value) -> str:
    if value is None:
        return "—"
    if column.endswith("_gbp"):
        return format_gbp(value)  # £6.3m, £750k: as the market writes amounts
    if column.startswith("share_"):
        return f"{value * 100:.1f}%"
    if column.startswith("median_"):
        return str(value)
    return f"{value:,}"


def test_the_csv_has_the_same_rows_as_the_json(client, session, cohort):
    rows = feed_rows(client.get(FEED).get_json())
    response = client.get(f"{FEED}?format=csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    records = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(records) == len(rows)
    for record in records:
        key = (
            record["breakdown"]
            if record["breakdown"] in ("all", "north", "rest")
            else (f"{record['breakdown']}:{record['code']}")
        )
        for column, _ in PLATFORM_COLUMNS:
            expected = rows[key][column]
            assert record[column] == ("" if expected is None else str(expected)), (key, column)
    north = next(r for r in records if r["breakdown"] == "north")
    assert north["spinoff_investment_gbp_2018"] == "235816000"


def test_the_north_position_uses_public_and_platform_figures(client, session, cohort):
    body = client.get(FEED).get_json()
    assert body["north"] == {
        "platform_share_of_ventures": round(15 / 21, 4),
        "platform_share_of_capital_sought": round(6_250_000 / 18_250_000, 4),
        "public_share_of_spinoff_investment": 0.1009,
        "public_year": 2018,
    }
    shares = [s["share"] for s in body["public_statistics"]["north_share"]]
    assert shares == [0.1016, 0.1251, 0.1082, 0.1543, 0.1009]
    assert body["public_statistics"]["source"].startswith(
        "Source: HESA HE-BCI, aggregated to NUTS2 by Nesta"
    )
    page = client.get("/observatory").get_data(as_text=True)
    assert re.search(r'data-figure="public_share_of_spinoff_investment">10\.1%<', page)
    assert re.search(r'data-figure="platform_share_of_ventures">71\.4%<', page)


def test_a_poll_with_the_etag_gets_304_until_the_data_changes(client, session, cohort):
    first = client.get(FEED)
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == "public, max-age=60"
    again = client.get(FEED, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.get_data() == b""
    assert again.headers["ETag"] == etag
    VentureFactory(region="london", sectors=["fintech"], stage="series_a")
    changed = client.get(FEED, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag
    assert feed_rows(changed.get_json())["all"]["ventures"] == 22


def test_json_and_csv_have_their_own_etags(client, session, cohort):
    as_json = client.get(FEED).headers["ETag"]
    as_csv = client.get(f"{FEED}?format=csv")
    assert as_csv.headers["ETag"] != as_json
    assert client.get(f"{FEED}?format=csv", headers={"If-None-Match": as_json}).status_code == 200


def test_a_signed_in_callers_copy_is_still_public(client, session, cohort):
    staff = StaffFactory()
    response = client.get(FEED, headers=bearer_for(session, staff))
    assert response.headers["Cache-Control"] == "public, max-age=60"  # same body for everyone
    browser = signed_in(client.application, staff)
    page = browser.get("/observatory")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"  # the page names the signed-in user


def test_an_unknown_format_is_a_422_naming_the_field(client, session):
    response = client.get(f"{FEED}?format=xml")
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["errors"] == [
        {"field": "format", "message": "Input should be 'json' or 'csv'"}
    ]


def test_polling_too_fast_is_refused_with_retry_after(client, session):
    ip = {"REMOTE_ADDR": "203.0.113.77"}
    etag = client.get(FEED, environ_base=ip).headers["ETag"]
    statuses = [
        client.get(FEED, headers={"If-None-Match": etag}, environ_base=ip).status_code
        for _ in range(120)
    ]
    assert statuses[:119] == [304] * 119
    assert statuses[119] == 429
    refused = client.get(FEED, environ_base=ip)
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    assert refused.mimetype == "application/problem+json"
    assert client.get(FEED, environ_base={"REMOTE_ADDR": "198.51.100.5"}).status_code == 200


def test_the_home_page_leads_visitors_to_the_observatory(client, session):
    home = client.get("/")
    assert home.status_code == 200
    assert 'href="/observatory"' in home.get_data(as_text=True)
    page = client.get("/observatory")
    assert page.status_code == 200
    assert "The North's position" in page.get_data(as_text=True)


def test_the_feed_is_documented_for_anonymous_use_with_its_cache_headers(client):
    document = client.get("/api/openapi.json").get_json()
    operation = document["paths"]["/api/v1/observatory"]["get"]
    assert "security" not in operation
    ok = operation["responses"]["200"]
    assert set(ok["content"]) == {"application/json", "text/csv"}
    assert {"ETag", "Cache-Control"} <= set(ok["headers"])
    assert {"304", "422", "429"} <= set(operation["responses"])
    assert "Retry-After" in operation["responses"]["429"]["headers"]
    parameter = next(p for p in operation["parameters"] if p["name"] == "format")
    assert parameter["schema"]["enum"] == ["json", "csv"]
