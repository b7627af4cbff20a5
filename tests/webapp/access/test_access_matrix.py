"""The access-control matrix: every endpoint in the URL map × every role × owner or not.

Each endpoint either has specs (tests/webapp/access/specs.py: the request and the outcome for
each actor) or belongs to a family owned elsewhere (public, signed-in, staff-only, admin-only);
an endpoint with neither fails `test_every_endpoint_is_in_the_matrix`, so a new endpoint cannot
slip past. Refused requests must leave the database exactly as it was.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, text
from sqlmodel import Session
from werkzeug.routing import Rule
from werkzeug.test import TestResponse

from tests.conftest import empty_all_tables
from tests.webapp.access.specs import ACTORS_IN_ORDER, SPECS, Spec, family
from tests.webapp.access.world import World, bearer, browser_session, build_world
from webapp.models import metadata

# Tables whose rows change on any authenticated request (token and session touches, the audit
# trail of refusals) are left out of the "nothing changed" comparison.
VOLATILE_TABLES = frozenset({"api_token", "user_session", "audit_log", "alembic_version"})
_CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _rules(app: Flask) -> list[tuple[str, str, Rule]]:
    found = []
    for rule in app.url_map.iter_rules():
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            found.append((method, rule.endpoint, rule))
    return found


def _fill(value: Any, world: World) -> Any:
    """Put the world's ids (and the loner's email) into a URL or a body."""
    if isinstance(value, str):
        names = _PLACEHOLDER.findall(value)
        if value.startswith("{") and value.endswith("}") and len(names) == 1:
            name = names[0]
            return world.loner_email if name == "loner" else world.ids[name]
        return _PLACEHOLDER.sub(
            lambda m: world.loner_email if m.group(1) == "loner" else str(world.ids[m.group(1)]),
            value,
        )
    if isinstance(value, dict):
        return {k: _fill(v, world) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, world) for v in value]
    return value


def snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table that a refused request must not touch."""
    rows: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as connection:
        for table in metadata.sorted_tables:
            if table.name in VOLATILE_TABLES:
                continue
            result = connection.execute(text(f'SELECT * FROM "{table.name}"'))
            rows[table.name] = sorted((tuple(map(repr, r)) for r in result), key=repr)
    return rows


class Actor:
    """One role's client: a bearer token for the API, a signed-in cookie for pages."""

    def __init__(self, app: Flask, session: Session, world: World, name: str) -> None:
        self.name = name
        self.client: FlaskClient = app.test_client()
        self.headers: dict[str, str] = {}
        user = world.users.get(name)
        if user is not None:
            self.headers = bearer(session, user)
            raw = browser_session(session, user)
            with self.client.session_transaction() as cookie:
                cookie["sid"] = raw

    def csrf(self) -> str:
        page = self.client.get("/account" if self.headers else "/sign-in")
        found = _CSRF.search(page.get_data(as_text=True))
        assert found, f"no CSRF token for {self.name}"
        return found.group(1)

    def send(self, spec: Spec, world: World) -> TestResponse:
        url = _fill(spec.url, world)
        if spec.is_api:
            kwargs: dict[str, Any] = {"headers": self.headers}
            if spec.body is not None:
                kwargs["json"] = _fill(spec.body, world)
            return self.client.open(url, method=spec.method, **kwargs)
        if spec.method == "GET":
            return self.client.get(url)
        form = _fill(spec.body or {}, world) | {"csrf_token": self.csrf()}
        return self.client.open(url, method=spec.method, data=form)


def verdict(spec: Spec, response: TestResponse) -> str:
    """What happened, in the matrix's words."""
    status = response.status_code
    location = response.headers.get("Location", "")
    if status == 401 or (status in (302, 303) and "/sign-in" in location):
        return "anon"
    if status == 403:
        return "forbidden"
    if status == 404:
        return "hidden"
    if status == 409:
        return "conflict"
    if status == 422:
        return "invalid"
    if status >= 500:
        return f"server error {status}"
    if 200 <= status < 400:
        return "ok"
    return f"status {status}"


def _matches(expected: str, got: str) -> bool:
    if expected == "allowed":
        return got in {"ok", "conflict", "invalid"} or got.startswith("status 4")
    return expected == got


@pytest.fixture
def reset(app: Flask, session: Session) -> Any:
    """Rebuild the world from an empty database (same ids every time)."""
    engine: Engine = app.extensions["venturematch.engine"]

    def rebuild() -> World:
        session.rollback()
        session.expunge_all()
        empty_all_tables(engine)
        return build_world(session)

    return rebuild


def _label(spec: Spec) -> str:
    return f"{spec.method} {spec.url}" + (f" ({spec.note})" if spec.note else "")


@pytest.mark.parametrize("spec", SPECS, ids=_label)
def test_matrix(spec: Spec, app: Flask, session: Session, reset: Any) -> None:
    engine: Engine = app.extensions["venturematch.engine"]
    world = reset()
    # Refusals first (they must change nothing), then the actors who may act.
    order = sorted(ACTORS_IN_ORDER, key=lambda a: spec.outcome(a) in {"ok", "allowed", "conflict"})
    failures = []
    for name in order:
        expected = spec.outcome(name)
        actor = Actor(app, session, world, name)
        before = snapshot(engine) if expected not in {"ok", "allowed"} else None
        response = actor.send(spec, world)
        got = verdict(spec, response)
        if not _matches(expected, got):
            failures.append(f"{name}: expected {expected}, got {got} ({response.status_code})")
        if before is not None and snapshot(engine) != before:
            failures.append(f"{name}: was refused ({got}) but the database changed")
        if expected in {"ok", "allowed"} and spec.method != "GET":
            world = reset()  # the next actor starts from the same world
    assert not failures, f"{_label(spec)}\n" + "\n".join(failures)


def _family_url(rule: Rule) -> str:
    values = dict.fromkeys(rule.arguments, 1)
    path = rule.rule
    for name in rule.arguments:
        path = re.sub(rf"<(?:[^:<>]+:)?{name}>", str(values[name]), path)
    return path


def test_other_areas_endpoints_refuse_who_they_must(
    app: Flask, session: Session, reset: Any
) -> None:
    world = reset()
    actors = {name: Actor(app, session, world, name) for name in ACTORS_IN_ORDER}
    failures = []
    for method, endpoint, rule in _rules(app):
        policy = family(endpoint)
        if policy in (None, "public") or "path" in str(rule):
            continue
        api = rule.rule.startswith("/api/")
        refused = {
            "signed_in": ("anonymous",),
            "staff": ("anonymous", "founder", "investor"),
            "admin": ("anonymous", "founder", "investor", "staff"),
            "investor": ("anonymous", "founder", "staff"),
        }[policy]
        for name in refused:
            actor = actors[name]
            url = _family_url(rule)
            if api:
                response = actor.client.open(url, method=method, headers=actor.headers)
            elif method == "GET":
                response = actor.client.get(url)
            else:
                response = actor.client.open(url, method=method, data={"csrf_token": actor.csrf()})
            got = verdict(Spec(method, url), response)
            want = "anon" if name == "anonymous" else "forbidden"
            if got != want:
                failures.append(f"{method} {rule.rule} as {name}: expected {want}, got {got}")
    assert not failures, "\n".join(failures)


def test_every_endpoint_is_in_the_matrix(app: Flask) -> None:
    adapter = app.url_map.bind("localhost")
    covered = set()
    for spec in SPECS:
        path = _PLACEHOLDER.sub("1", spec.url).split("?", 1)[0]
        endpoint, _ = adapter.match(path, method=spec.method)
        covered.add((spec.method, endpoint))
    missing = [
        f"{method} {rule.rule} ({endpoint})"
        for method, endpoint, rule in _rules(app)
        if (method, endpoint) not in covered and family(endpoint) is None
    ]
    assert not missing, "endpoints with no access rule in the matrix:\n" + "\n".join(missing)
