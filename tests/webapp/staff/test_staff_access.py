"""Founders and investors get 403 on every staff endpoint, API and pages, found from the URL map
so that a new staff route is covered the day it is added. Anonymous callers get 401 / sign-in."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from werkzeug.routing import Rule

from tests.factories import FounderFactory, InvestorUserFactory, StaffFactory
from tests.webapp.staff.calls import bearer_for, signed_in
from tests.webapp.web_client import csrf_token

STAFF_API = ("/api/v1/pipeline", "/api/v1/programmes", "/api/v1/imports", "/api/v1/audit")
STAFF_PAGES = ("/staff",)


def _staff_routes(app: Flask) -> list[tuple[str, str]]:
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(STAFF_API + STAFF_PAGES):
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            found.append((method, _url(rule)))
    return sorted(found)


def _url(rule: Rule) -> str:
    return re.sub(r"<(?:[^:<>]+:)?[^<>]+>", "1", rule.rule)


def test_the_route_list_covers_every_staff_area(app):
    urls = {url for _, url in _staff_routes(app)}
    assert "/api/v1/pipeline/summary" in urls
    assert "/api/v1/pipeline/export.csv" in urls
    assert "/staff/" in urls
    assert "/staff/programmes/1/staff" in urls
    assert len(urls) >= 30


@pytest.mark.parametrize(
    "factory", [FounderFactory, InvestorUserFactory], ids=["founder", "investor"]
)
def test_founders_and_investors_get_403_on_every_staff_api_route(app, client, session, factory):
    headers = bearer_for(session, factory())
    failures = []
    for method, url in _staff_routes(app):
        if not url.startswith("/api/"):
            continue
        body = {} if method in {"POST", "PATCH", "PUT"} else None
        response = client.open(url, method=method, headers=headers, json=body)
        if response.status_code != 403:
            failures.append(f"{method} {url}: {response.status_code}")
    assert not failures, failures


@pytest.mark.parametrize(
    "factory", [FounderFactory, InvestorUserFactory], ids=["founder", "investor"]
)
def test_founders_and_investors_get_403_on_every_staff_page(app, session, factory):
    browser = signed_in(app, factory())
    token = csrf_token(browser, "/account")
    failures = []
    for method, url in _staff_routes(app):
        if url.startswith("/api/"):
            continue
        data = {"csrf_token": token} if method == "POST" else None
        response = browser.open(url, method=method, data=data)
        if response.status_code != 403:
            failures.append(f"{method} {url}: {response.status_code}")
    assert not failures, failures


def test_anonymous_callers_are_sent_to_sign_in_or_told_401(app, client, session):
    for method, url in _staff_routes(app):
        response = client.open(url, method=method, json={} if method == "POST" else None)
        if url.startswith("/api/"):
            assert response.status_code == 401, (method, url)
        elif method == "GET":
            assert response.status_code == 302, (method, url)
            assert "/sign-in" in response.headers["Location"]


def test_staff_reach_the_pages_the_others_cannot(app, session):
    browser = signed_in(app, StaffFactory())
    assert browser.get("/staff/").status_code == 200
    assert browser.get("/staff/audit").status_code == 200
