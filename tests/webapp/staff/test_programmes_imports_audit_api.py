"""The programmes, imports, portfolio and audit endpoints of the API."""

from __future__ import annotations

import csv
import io

import pytest

from tests.factories import (
    AdminFactory,
    FounderFactory,
    InvestorProfileFactory,
    InvestorUserFactory,
    StaffFactory,
    VentureFactory,
)
from tests.webapp.staff.calls import bearer_for

CSV_HEADER = "owner_email,name,summary,sectors,stage,raise_amount_gbp,instruments,region\n"


def _row(email, name, stage="seed"):
    return (
        f'{email},{name},"Robotic inspection of offshore turbines, from Teesside.",'
        f"robotics_automation,{stage},400000,equity,tees_valley_ca\n"
    )


@pytest.fixture
def staff(session):
    return StaffFactory()


def test_programme_lifecycle_over_the_api(client, session, staff):
    headers = bearer_for(session, staff)
    ventures = VentureFactory.create_batch(2)
    colleague = StaffFactory(platform_wide=False)
    admin = bearer_for(session, AdminFactory())
    made = client.post("/api/v1/programmes", json={"name": "Tees Accelerator 4"}, headers=headers)
    assert made.status_code == 201
    pid = made.get_json()["id"]
    assert (
        client.post(
            "/api/v1/programmes", json={"name": "Tees Accelerator 4"}, headers=headers
        ).status_code
        == 409
    )
    enrol = client.post(
        f"/api/v1/programmes/{pid}/ventures",
        json={"venture_ids": [v.id for v in ventures]},
        headers=headers,
    )
    assert enrol.get_json()["enrolled"] == 2
    unknown = client.post(
        f"/api/v1/programmes/{pid}/ventures", json={"venture_ids": [99_999]}, headers=headers
    )
    assert unknown.status_code == 422
    assert unknown.get_json()["errors"][0]["field"] == "venture_ids[0]"
    assign = {"json": {"user_id": colleague.id}}
    assert (
        client.post(f"/api/v1/programmes/{pid}/staff", **assign, headers=headers).status_code == 403
    )
    assert (
        client.post(f"/api/v1/programmes/{pid}/staff", **assign, headers=admin).status_code == 204
    )
    detail = client.get(f"/api/v1/programmes/{pid}", headers=headers).get_json()
    assert sorted(v["id"] for v in detail["ventures"]) == sorted(v.id for v in ventures)
    assert [s["id"] for s in detail["staff"]] == [colleague.id]
    withdrawn = client.delete(
        f"/api/v1/programmes/{pid}/ventures/{ventures[0].id}", headers=headers
    )
    assert withdrawn.status_code == 204
    listing = client.get("/api/v1/programmes", headers=headers).get_json()
    assert [(p["name"], p["ventures"], p["staff"]) for p in listing["items"]] == [
        ("Tees Accelerator 4", 1, 1)
    ]
    # The colleague now sees only this programme; the audit log tells the story.
    assert (
        client.get("/api/v1/programmes", headers=bearer_for(session, colleague)).get_json()["total"]
        == 1
    )
    audit = client.get("/api/v1/audit?action=programme.", headers=headers).get_json()
    assert [e["action"] for e in audit["items"]] == [
        "programme.withdraw",
        "programme.assign",
        "programme.enrol",
        "programme.create",
    ]
    exported = client.get("/api/v1/audit.csv?action=programme.", headers=headers)
    rows = list(csv.DictReader(io.StringIO(exported.get_data(as_text=True))))
    assert (rows[0]["action"], rows[0]["actor_email"]) == ("programme.create", staff.email)


def test_import_with_bad_rows_is_422_with_the_report_then_good_rows_is_201(client, session, staff):
    headers = bearer_for(session, staff)
    owner = FounderFactory()
    text = CSV_HEADER + _row(owner.email, "Tees Inspect") + _row(owner.email, "Bad", "series_q")
    refused = client.post("/api/v1/imports/ventures", json={"csv": text}, headers=headers)
    assert refused.status_code == 422
    body = refused.get_json()
    assert body["errors"][0]["field"] == "line 3: stage"
    assert body["report"]["committed"] is False
    assert body["report"]["written"] == 0
    accepted = client.post(
        "/api/v1/imports/ventures", json={"csv": text, "mode": "good_rows"}, headers=headers
    )
    assert accepted.status_code == 201
    report = accepted.get_json()
    assert (report["written"], report["bad_rows"], report["good_rows"]) == (1, 1, 1)
    missing = client.post("/api/v1/imports/ventures", json={"csv": "a,b\n1,2\n"}, headers=headers)
    assert missing.status_code == 422
    assert missing.get_json()["errors"][0]["field"] == "file"


def test_investor_members_import_their_own_portfolio_only(client, session):
    member = InvestorUserFactory()
    profile = InvestorProfileFactory(organisation_id=member.organisation_id)
    other = InvestorProfileFactory()
    headers = bearer_for(session, member)
    text = (
        "round_id,company_name,investor_name,funded_at,amount_usd,funding_round_type,"
        "category_code,country_code,state_code,region,city,company_permalink\n"
        "x,Alpha,Us,2012-05-01,2000000,series-b,cleantech,USA,CA,,,/company/alpha\n"
    )
    mine = client.post(
        f"/api/v1/investors/{profile.id}/portfolio", json={"csv": text}, headers=headers
    )
    assert mine.status_code == 201
    assert mine.get_json()["written"] == 1
    theirs = client.post(
        f"/api/v1/investors/{other.id}/portfolio", json={"csv": text}, headers=headers
    )
    assert theirs.status_code == 404
