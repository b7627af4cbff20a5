"""Sign-in throttling: per IP+account and per IP, short windows, never fatal without Redis."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.factories import DEFAULT_PASSWORD, FounderFactory
from tests.webapp.web_client import csrf_token
from webapp import create_app
from webapp.config import Settings
from webapp.services.accounts import accounts
from webapp.services.accounts.rate_limits import Throttle

WRONG = "definitely-not-the-password"


def _attempt(client: FlaskClient, email: str, password: str, ip: str) -> int:
    token = csrf_token(client)
    response = client.post(
        "/sign-in",
        data={"csrf_token": token, "email": email, "password": password},
        environ_base={"REMOTE_ADDR": ip},
    )
    return response.status_code


def test_five_failures_pause_that_ip_and_account_only(client: FlaskClient) -> None:
    user = FounderFactory()
    email = str(user.email)
    for _ in range(5):
        assert _attempt(client, email, WRONG, "203.0.113.7") == 401
    # Even the right password is paused from the attacking address…
    assert _attempt(client, email, DEFAULT_PASSWORD, "203.0.113.7") == 429
    # …but the owner, from anywhere else, signs in at once: no lock-out of the account.
    assert _attempt(app_client := client, email, DEFAULT_PASSWORD, "198.51.100.23") == 302
    assert app_client is client


def test_the_429_page_says_when_to_try_again(client: FlaskClient) -> None:
    email = str(FounderFactory().email)
    for _ in range(5):
        _attempt(client, email, WRONG, "203.0.113.8")
    token = csrf_token(client)
    response = client.post(
        "/sign-in",
        data={"csrf_token": token, "email": email, "password": WRONG},
        environ_base={"REMOTE_ADDR": "203.0.113.8"},
    )
    assert response.status_code == 429
    retry_after = int(response.headers["Retry-After"])
    assert 0 < retry_after <= 300
    assert "Too many failed attempts" in response.get_data(as_text=True)


def test_a_pause_ends_by_itself(client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(accounts, "FAILED_PER_ACCOUNT_AND_IP", "2/1second")
    email = str(FounderFactory().email)
    for _ in range(2):
        assert _attempt(client, email, WRONG, "203.0.113.9") == 401
    assert _attempt(client, email, DEFAULT_PASSWORD, "203.0.113.9") == 429
    time.sleep(1.2)  # the window moves on; nobody has to unlock anything
    assert _attempt(client, email, DEFAULT_PASSWORD, "203.0.113.9") == 302


def test_password_spraying_from_one_ip_is_paused_for_that_ip(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(accounts, "FAILED_PER_IP", "3/15minutes")
    users = [FounderFactory() for _ in range(4)]
    for user in users[:3]:
        assert _attempt(client, str(user.email), WRONG, "203.0.113.10") == 401
    assert _attempt(client, str(users[3].email), DEFAULT_PASSWORD, "203.0.113.10") == 429
    assert _attempt(client, str(users[3].email), DEFAULT_PASSWORD, "192.0.2.44") == 302


def test_a_good_sign_in_clears_the_failures_for_that_ip_and_account(app: Flask) -> None:
    email = str(FounderFactory().email)
    first = app.test_client()
    for _ in range(4):
        assert _attempt(first, email, WRONG, "203.0.113.11") == 401
    assert _attempt(first, email, DEFAULT_PASSWORD, "203.0.113.11") == 302
    later = app.test_client()  # the count restarted: four more typos are still only typos
    for _ in range(4):
        assert _attempt(later, email, WRONG, "203.0.113.11") == 401


def test_token_endpoint_answers_429_problem_with_retry_after(client: FlaskClient) -> None:
    email = str(FounderFactory().email)
    for _ in range(5):
        response = client.post("/api/v1/auth/tokens", json={"email": email, "password": WRONG})
        assert response.status_code == 401
    response = client.post(
        "/api/v1/auth/tokens", json={"email": email, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 429
    assert response.content_type == "application/problem+json"
    assert int(response.headers["Retry-After"]) > 0


@pytest.fixture
def app_without_redis(settings: Settings, db: object) -> Iterator[Flask]:
    """The app pointed at a Redis that isn't there (nothing listens on port 1)."""
    broken = settings.model_copy(update={"redis_url": "redis://127.0.0.1:1/0"})
    app = create_app({"TESTING": True}, settings=broken)
    yield app
    app.extensions["venturematch.engine"].dispose()


def test_sign_in_works_and_is_still_throttled_when_redis_is_down(app_without_redis: Flask) -> None:
    client = app_without_redis.test_client()
    email = str(FounderFactory().email)
    for _ in range(5):
        assert _attempt(client, email, WRONG, "203.0.113.12") == 401
    assert _attempt(client, email, DEFAULT_PASSWORD, "203.0.113.12") == 429  # counted in memory
    assert _attempt(client, email, DEFAULT_PASSWORD, "198.51.100.2") == 302


def test_throttle_falls_back_to_memory_and_counts_in_redis_when_up(redis_url: str) -> None:
    down = Throttle("redis://127.0.0.1:1/0")
    assert down.hit("1/minute", "k").allowed
    assert not down.hit("1/minute", "k").allowed
    assert not down.using_redis
    down.close()
    up = Throttle(redis_url)
    assert up.hit("1/minute", "k2").allowed
    verdict = up.hit("1/minute", "k2")
    assert not verdict.allowed
    assert 0 < verdict.retry_after_s <= 60
    assert up.using_redis
    up.close()
