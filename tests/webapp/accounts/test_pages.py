"""Sign-up and sign-in pages, redirects, role checks and the HTML error pages."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Blueprint, Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from tests.factories import AdminFactory, FounderFactory, OrganisationFactory, StaffFactory
from tests.webapp.web_client import post_form, sign_in
from webapp import create_app
from webapp.config import Settings
from webapp.models import Organisation, User
from webapp.web.auth import login_required, roles_required, safe_next

SIGN_UP = {
    "role": "investor",
    "name": "Priya Shah",
    "organisation": "Humber Seed Partners",
    "email": "priya@example.org",
    "password": "granite harbour lantern",
}


def test_investor_sign_up_creates_the_organisation_and_signs_in(
    client: FlaskClient, session: Session
) -> None:
    response = post_form(client, "/sign-up", SIGN_UP)
    assert response.status_code == 302
    user = session.exec(select(User)).one()
    assert user.role == "investor"
    organisation = session.get(Organisation, user.organisation_id)
    assert organisation is not None
    assert organisation.name == "Humber Seed Partners"
    assert client.get("/account").status_code == 200


def test_investors_may_not_name_an_existing_organisation(
    client: FlaskClient, session: Session
) -> None:
    OrganisationFactory(name="Humber Seed Partners")
    taken = post_form(client, "/sign-up", SIGN_UP)
    assert taken.status_code == 422
    assert "ask one of its members to invite you and leave this blank" in taken.get_data(
        as_text=True
    )
    assert session.exec(select(User)).all() == []


def test_an_invited_investor_signs_up_without_an_organisation(
    client: FlaskClient, session: Session
) -> None:
    # A colleague's invitation brings them into theirs; otherwise their first mandate makes one.
    joined = post_form(client, "/sign-up", {**SIGN_UP, "organisation": ""})
    assert joined.status_code == 302
    user = session.exec(select(User)).one()
    assert (user.role, user.organisation_id) == ("investor", None)


def test_sign_up_cannot_make_staff_or_admin(client: FlaskClient, session: Session) -> None:
    for role in ("staff", "admin"):
        response = post_form(client, "/sign-up", {**SIGN_UP, "role": role})
        assert response.status_code == 422
        assert 'id="role-error"' in response.get_data(as_text=True)
    assert session.exec(select(User)).all() == []


def test_sign_up_with_a_taken_email_shows_it_beside_the_field(client: FlaskClient) -> None:
    FounderFactory(email="priya@example.org")
    response = post_form(client, "/sign-up", SIGN_UP)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="email-error"' in html
    assert "already exists" in html
    assert 'class="error-summary"' in html
    assert 'href="#email"' in html  # the summary links to the field


def test_every_input_has_a_label(client: FlaskClient) -> None:
    import re

    for path in ("/sign-up", "/sign-in", "/forgot-password"):
        html = client.get(path).get_data(as_text=True)
        ids = re.findall(r'<input(?![^>]*type="hidden")[^>]*\bid="([^"]+)"', html)
        assert ids, path
        for input_id in ids:
            assert f'for="{input_id}"' in html, (path, input_id)


def test_sign_in_returns_to_the_page_asked_for(client: FlaskClient) -> None:
    user = FounderFactory()
    bounced = client.get("/account?tab=data")
    assert bounced.status_code == 302
    assert bounced.headers["Location"] == "/sign-in?next=/account?tab%3Ddata"
    page = client.get(bounced.headers["Location"]).get_data(as_text=True)
    assert 'value="/account?tab=data"' in page
    response = post_form(
        client,
        "/sign-in",
        {
            "email": str(user.email),
            "password": "correct-horse-battery-staple",
            "next": "/account?tab=data",
        },
    )
    assert response.headers["Location"] == "/account?tab=data"


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)", ""],
)
def test_sign_in_never_redirects_off_site(client: FlaskClient, target: str) -> None:
    user = FounderFactory()
    response = post_form(
        client,
        "/sign-in",
        {"email": str(user.email), "password": "correct-horse-battery-staple", "next": target},
    )
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("/")
    assert not location.startswith(("//", "/\\"))
    assert "evil" not in location
    assert "javascript" not in location


def test_safe_next_keeps_only_local_paths() -> None:
    assert safe_next("/ventures/3?x=1") == "/ventures/3?x=1"
    assert safe_next("https://evil.example") == "/"
    assert safe_next("//evil.example") == "/"
    assert safe_next("/\\evil.example") == "/"
    assert safe_next(None, "/home") == "/home"


def test_signed_in_home_goes_to_the_dashboard(client: FlaskClient) -> None:
    sign_in(client, str(FounderFactory().email))
    response = client.get("/")
    assert response.status_code == 302


def test_landing_page_explains_the_platform_to_each_audience(client: FlaskClient) -> None:
    html = client.get("/").get_data(as_text=True)
    for words in ("Founders and spinouts", "Investors", "Programme staff", "How it works"):
        assert words in html
    assert html.count("<h1") == 1


@pytest.fixture
def guarded_app(settings: Settings, db: object) -> Iterator[Flask]:
    """An app with extra routes that exercise the decorators and a failing view."""
    app = create_app({"TESTING": True}, settings=settings)
    probe = Blueprint("probe", __name__)

    @probe.get("/probe/private")
    @login_required
    def private() -> str:
        return "private page"

    @probe.get("/probe/staff")
    @roles_required("staff", "admin")
    def staff_only() -> str:
        return "staff page"

    @probe.get("/probe/boom")
    def boom() -> str:
        raise RuntimeError("a bug")

    app.register_blueprint(probe)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    yield app
    app.extensions["venturematch.engine"].dispose()


def test_login_and_role_decorators(guarded_app: Flask) -> None:
    client = guarded_app.test_client()
    assert client.get("/probe/private").headers["Location"] == "/sign-in?next=/probe/private"
    assert client.get("/probe/staff").status_code == 302
    sign_in(client, str(FounderFactory().email))
    assert client.get("/probe/private").get_data(as_text=True) == "private page"
    forbidden = client.get("/probe/staff")
    assert forbidden.status_code == 403
    assert "open to admin and staff accounts only" in forbidden.get_data(as_text=True)
    staff = guarded_app.test_client()
    sign_in(staff, str(StaffFactory().email))
    assert staff.get("/probe/staff").status_code == 200


def test_roles_required_refuses_unknown_roles() -> None:
    with pytest.raises(ValueError, match="unknown role"):
        roles_required("superuser")


def test_roles_required_with_no_role_fails_closed() -> None:
    """`@roles_required()` must not open a page to every signed-in account."""
    with pytest.raises(ValueError, match="at least one role"):
        roles_required()


def test_error_pages_are_html_with_the_right_status(guarded_app: Flask) -> None:
    client = guarded_app.test_client()
    missing = client.get("/no-such-page")
    assert missing.status_code == 404
    assert "Page not found" in missing.get_data(as_text=True)
    assert missing.content_type.startswith("text/html")
    failed = client.get("/probe/boom")
    assert failed.status_code == 500
    assert "Something went wrong on our side" in failed.get_data(as_text=True)
    api_missing = client.get("/api/v1/no-such-thing")
    assert api_missing.status_code == 404
    assert api_missing.content_type == "application/problem+json"


def test_admin_pages_are_for_admins_only(app: Flask) -> None:
    for factory in (FounderFactory, StaffFactory):
        client = app.test_client()
        sign_in(client, str(factory().email))
        assert client.get("/admin/users").status_code == 403
    admin = app.test_client()
    sign_in(admin, str(AdminFactory().email))
    assert admin.get("/admin/users").status_code == 200


def test_a_malformed_email_is_explained_in_plain_words(client: FlaskClient) -> None:
    response = post_form(client, "/sign-up", {**SIGN_UP, "email": "not-an-email"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Enter a full email address, like name@example.org: “not-an-email” has no @" in html
    assert "is not an email address" not in html
    assert "@-sign" not in html  # the email library's own wording
