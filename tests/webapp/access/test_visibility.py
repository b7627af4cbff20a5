"""Two rules the matrix states per endpoint, checked across every way in: drafts stay invisible
to investors, and contact details cross only after an accepted introduction."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlmodel import Session

from tests.webapp.access.test_access_matrix import Actor, reset
from tests.webapp.access.world import ACTORS

__all__ = ["reset"]


def test_a_draft_is_invisible_to_investors_everywhere(
    app: Flask, session: Session, reset: Any
) -> None:
    world = reset()
    draft = world.ids["W"]
    for name in ("investor", "other_investor"):
        actor = Actor(app, session, world, name)
        api = {"headers": actor.headers}
        assert actor.client.get(f"/api/v1/ventures/{draft}", **api).status_code == 404
        listed = actor.client.get("/api/v1/ventures?limit=100", **api).get_json()
        assert draft not in {v["id"] for v in listed["items"]}
        matches_url = f"/api/v1/investors/{world.ids['P']}/matches?limit=100"
        if name == "investor":  # the draft has a stored match with P: still not shown
            matches = actor.client.get(matches_url, **api).get_json()
            assert draft not in {m["venture"]["id"] for m in matches["items"]}
            page = actor.client.get("/investor/matches?limit=50").get_data(as_text=True)
            assert f'id="venture-{draft}"' not in page
        assert actor.client.get(f"/investor/ventures/{draft}").status_code == 404


def test_contacts_cross_only_after_acceptance_and_only_between_the_two_sides(
    app: Flask, session: Session, reset: Any
) -> None:
    world = reset()
    intro = world.ids["X"]
    actors = {name: Actor(app, session, world, name) for name in ACTORS}
    founder_email = world.users["founder"].email
    investor_email = world.users["investor"].email

    def seen_by(name: str) -> Any:
        actor = actors[name]
        response = actor.client.get(f"/api/v1/introductions/{intro}", headers=actor.headers)
        return response.status_code, (response.get_json() or {}).get("contact")

    before = {name: seen_by(name) for name in ACTORS if name != "anonymous"}
    assert all(contact is None for _, contact in before.values())

    accepted = actors["founder"].client.post(
        f"/api/v1/introductions/{intro}/accept", headers=actors["founder"].headers
    )
    assert accepted.status_code == 200
    after = {name: seen_by(name) for name in ACTORS if name != "anonymous"}
    assert after["founder"] == (200, after["founder"][1])
    assert after["founder"][1]["email"] == investor_email
    assert after["investor"][1]["email"] == founder_email
    for outsider in ("other_founder", "other_investor"):
        assert after[outsider] == (404, None)
    for staff in ("staff", "admin"):
        assert after[staff] == (200, None)  # staff follow the pipeline, not the people
