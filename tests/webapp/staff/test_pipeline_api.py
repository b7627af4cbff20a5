"""`/api/v1/pipeline/*`: the shapes of API.md, the hand-worked figures, scope and errors."""

from __future__ import annotations

import csv
import io

import pytest
from sqlmodel import select

from tests.factories import AdminFactory, StaffFactory
from tests.webapp.staff.calls import bearer_for
from tests.webapp.staff.factories import ProgrammeMemberFactory, ProgrammeVentureFactory
from tests.webapp.staff.known_pipeline import EXPECTED_2025, WORST_GAP_CELL
from webapp.models import AuditLog, JobRun, OutboxEvent, User
from webapp.services.reports.pipeline_progress import FUNNEL

RANGE = "from=2025-01-01&to=2025-12-31"


@pytest.fixture
def staff_headers(session):
    return bearer_for(session, StaffFactory())


def test_summary_has_the_documented_shape_and_the_hand_worked_figures(
    client, session, known, staff_headers
):
    response = client.get(f"/api/v1/pipeline/summary?{RANGE}", headers=staff_headers)
    assert response.status_code == 200
    body = response.get_json()
    for key, expected in EXPECTED_2025.items():
        assert body[key] == expected, key
    assert {"by_sector", "by_region"} <= body.keys()
    assert body["by_sector"][0]["code"] == "digital_technologies"


def test_the_csv_export_agrees_with_the_summary(client, session, known, staff_headers):
    summary = client.get(f"/api/v1/pipeline/summary?{RANGE}", headers=staff_headers).get_json()
    response = client.get(f"/api/v1/pipeline/export.csv?{RANGE}", headers=staff_headers)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    for step in summary["funnel"][2:]:
        position = FUNNEL.index(step["stage"])
        reached = {r["venture_id"] for r in rows if FUNNEL.index(r["furthest_stage"]) >= position}
        assert len(reached) == step["count"]
    invested = [r for r in rows if r["current_stage"] == "invested"]
    assert sum(int(r["amount_gbp"]) for r in invested) == summary["capital_invested_gbp"]
    northern = sum(r["investor_northern"] == "true" for r in invested)
    assert northern / len(invested) == summary["north_retention"]
    session.rollback()
    audit = session.exec(select(AuditLog).where(AuditLog.action == "export.deals")).one()
    assert audit.after == {"filters": {"from": "2025-01-01", "to": "2025-12-31"}}


def test_unknown_codes_and_bad_dates_are_422_naming_the_field(client, session, staff_headers):
    bad = client.get("/api/v1/pipeline/summary?sector=biotech&region=x", headers=staff_headers)
    assert bad.status_code == 422
    assert bad.mimetype == "application/problem+json"
    assert [e["field"] for e in bad.get_json()["errors"]] == ["sector", "region"]
    reversed_range = client.get(
        "/api/v1/pipeline/summary?from=2025-02-01&to=2025-01-01", headers=staff_headers
    )
    assert reversed_range.get_json()["errors"][0]["field"] == "to"
    assert (
        client.get("/api/v1/pipeline/summary?from=soon", headers=staff_headers).status_code == 422
    )
    assert client.get("/api/v1/pipeline/summary").status_code == 401


def test_gaps_and_unserved_lists(client, session, known, staff_headers):
    gaps = client.get("/api/v1/pipeline/gaps?limit=2", headers=staff_headers).get_json()
    assert (gaps["total"], gaps["limit"], gaps["offset"]) == (6, 2, 0)
    assert gaps["items"][0] == WORST_GAP_CELL
    unserved = client.get("/api/v1/pipeline/unserved", headers=staff_headers).get_json()
    assert [u["venture"]["name"] for u in unserved["items"]] == ["Sheffield Graphene"]
    nearest = unserved["items"][0]["nearest_investors"][0]
    assert nearest["investor"]["name"] == "Northern Health Fund"
    assert nearest["misses"] == [
        "Invests in Life sciences; the venture is in Graphene and 2D materials"
    ]


def test_stalled_retention_and_timeline(client, session, known, staff_headers):
    stalled = client.get("/api/v1/pipeline/stalled?days=30", headers=staff_headers).get_json()
    assert stalled["total"] == 0  # every 2025 deal is closed
    assert client.get("/api/v1/pipeline/stalled?days=0", headers=staff_headers).status_code == 422

    retention = client.get(f"/api/v1/pipeline/retention?{RANGE}", headers=staff_headers)
    overall = {f["level"]: f for f in retention.get_json()["overall"]}
    assert (overall["matched"]["pairs"], overall["matched"]["share"]) == (5, 0.6)
    assert (overall["introduced"]["pairs"], overall["introduced"]["share"]) == (5, 0.6)
    assert overall["invested"]["share"] == 0.5
    assert overall["invested"]["capital_share"] == pytest.approx(500 / 700, abs=1e-4)
    trend = retention.get_json()["trend"]
    assert {(f["level"], f["period"]) for f in trend} >= {
        ("introduced", "2025-Q1"),
        ("invested", "2025-Q2"),
    }

    venture = known.ventures["V2"]
    story = client.get(
        f"/api/v1/pipeline/ventures/{venture.id}/timeline", headers=staff_headers
    ).get_json()
    assert story["venture"]["name"] == "Leeds Vision"
    assert story["entries"][-1]["title"] == "Invested"


def test_assigned_staff_are_held_to_their_programme(client, session, known):
    member = ProgrammeMemberFactory()
    ProgrammeVentureFactory(programme_id=member.programme_id, venture_id=known.ventures["V1"].id)
    headers = bearer_for(session, session.get(User, member.user_id))
    mine = client.get("/api/v1/pipeline/summary", headers=headers).get_json()
    assert (mine["ventures"], mine["capital_sought_gbp"]) == (1, 750_000)
    other = ProgrammeMemberFactory().programme_id
    refused = client.get(f"/api/v1/pipeline/summary?programme={other}", headers=headers)
    assert refused.status_code == 403
    hidden = client.get(
        f"/api/v1/pipeline/ventures/{known.ventures['V2'].id}/timeline", headers=headers
    )
    assert hidden.status_code == 404
    admin = bearer_for(session, AdminFactory())
    everything = client.get("/api/v1/pipeline/summary", headers=admin).get_json()
    assert everything["ventures"] == 5


def test_evidence_withholds_small_cells(client, session, known, staff_headers):
    body = client.get("/api/v1/pipeline/evidence", headers=staff_headers).get_json()
    assert body["suppression"]["threshold"] == 5
    assert [c["name"] for c in body["columns"]][:5] == [
        "sector",
        "sector_label",
        "region",
        "region_label",
        "quarter",
    ]
    assert all(c["ventures"] is None for c in body["cells"])  # every cell holds 1–4 ventures
    text = client.get("/api/v1/pipeline/evidence.csv", headers=staff_headers).get_data(as_text=True)
    assert "[c]" in text
    assert "Tyne" not in text


def test_staff_can_ask_for_a_full_refresh_and_watch_it(client, session, staff_headers):
    assert client.get("/api/v1/pipeline/refresh", headers=staff_headers).get_json() == {"job": None}
    first = client.post("/api/v1/pipeline/refresh", headers=staff_headers)
    again = client.post("/api/v1/pipeline/refresh", headers=staff_headers)
    assert first.status_code == 202
    assert first.get_json()["job"]["id"] == again.get_json()["job"]["id"]
    status = client.get("/api/v1/pipeline/refresh", headers=staff_headers).get_json()
    assert status["job"]["status"] == "queued"
    session.rollback()
    assert len(session.exec(select(JobRun)).all()) == 1
    kinds = session.exec(select(OutboxEvent.kind)).all()
    assert kinds == ["matching.full_refresh"]
