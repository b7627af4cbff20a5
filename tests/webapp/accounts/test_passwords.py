"""Password rules, argon2id with OWASP's parameters, and rehash on sign-in."""

from __future__ import annotations

from argon2 import PasswordHasher
from flask.testing import FlaskClient
from sqlmodel import Session
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from tests.factories import DEFAULT_PASSWORD, FounderFactory
from tests.webapp.web_client import fresh, sign_in
from webapp.models import User
from webapp.services.accounts import passwords


def _common_long_password() -> str:
    """A password of allowed length that is nevertheless among the 10,000 commonest."""
    return next(p for p in FREQUENCY_LISTS["passwords"][:10_000] if len(p) >= 12)


def test_length_limits_are_12_to_128_characters() -> None:
    short = passwords.password_problems("short pass!")
    assert short[0].field == "password"
    assert "at least 12" in short[0].message
    assert passwords.password_problems("tidal-moss-quarry") == []
    assert passwords.password_problems("x7" * 64) == []  # 128 characters
    too_long = passwords.password_problems("x7" * 64 + "x")
    assert "at most 128" in too_long[0].message


def test_the_commonest_10000_passwords_are_refused_whatever_the_case() -> None:
    common = _common_long_password()
    assert len(passwords.common_passwords()) == 10_000
    for candidate in (common, common.upper()):
        problems = passwords.password_problems(candidate)
        assert problems, candidate
        assert "10,000 most common" in problems[0].message
    # Rank 10,001 onwards is not refused for being common.
    beyond = next(
        p
        for p in FREQUENCY_LISTS["passwords"][10_000:]
        if len(p) >= 12 and p not in passwords.common_passwords()
    )
    assert passwords.password_problems(beyond) == []


def test_own_email_is_refused_as_password() -> None:
    problems = passwords.password_problems("ada@example.org", email="Ada@Example.org")
    assert problems[0].message.startswith("Don't use your email")


def test_hashes_are_argon2id_with_owasp_parameters() -> None:
    stored = passwords.hash_password("tidal-moss-quarry")
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert passwords.verify_password(stored, "tidal-moss-quarry")
    assert not passwords.verify_password(stored, "tidal-moss-quarrY")
    assert not passwords.verify_password("not a hash", "tidal-moss-quarry")
    assert not passwords.needs_rehash(stored)


def test_sign_in_rehashes_a_password_stored_with_other_parameters(
    client: FlaskClient, session: Session
) -> None:
    # argon2-cffi's defaults (m=65536, t=3, p=4): what an older release of the app stored
    old_hash = PasswordHasher().hash(DEFAULT_PASSWORD)
    user = FounderFactory(password_hash=old_hash)
    assert passwords.needs_rehash(old_hash)
    sign_in(client, str(user.email))
    fresh(session)
    new_hash = session.get(User, user.id).password_hash
    assert new_hash != old_hash
    assert new_hash.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert passwords.verify_password(new_hash, DEFAULT_PASSWORD)


def test_sign_up_refuses_a_common_password_next_to_the_field(client: FlaskClient) -> None:
    from tests.webapp.web_client import post_form

    response = post_form(
        client,
        "/sign-up",
        {
            "role": "founder",
            "name": "Ada Lovelace",
            "email": "ada@example.org",
            "password": _common_long_password(),
        },
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="password-error"' in html
    assert "10,000 most common passwords" in html
    assert 'aria-describedby="password-hint password-error"' in html
