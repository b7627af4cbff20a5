"""What each role may do to each object, endpoint by endpoint: the access-control matrix.

Outcomes: `ok` (2xx; for pages 200, or a redirect that is not to sign-in), `allowed` (anything
but 401/403/404 — used where the body or state decides the rest), `hidden` (404: the caller may
not know the object exists), `forbidden` (403), `conflict` (409), `invalid` (422: used where an
id the caller may not see must read exactly like one that does not exist), `anon` (401 from the
API, a redirect to sign-in from pages). Every actor not named gets the spec's `default`, except
`programme_staff` (assigned to programme R only), who gets `staff`'s refusal when staff are
refused by role.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tests.webapp.access.world import ACTORS

VENTURE = {
    "name": "Matrix Materials",
    "summary": "Graphene membranes for water treatment, spun out of Manchester.",
    "sectors": ["graphene_2d_materials"],
    "stage": "seed",
    "raise_amount_gbp": 900_000,
    "instruments": ["equity"],
    "region": "greater_manchester_ca",
}
MANDATE = {
    "name": "Matrix Capital",
    "investor_type": "vc",
    "stages": ["seed"],
    "ticket_min_gbp": 100_000,
    "ticket_max_gbp": 1_000_000,
    "regions": ["north_west"],
    "instruments": ["equity"],
}
VENTURE_FORM = {
    "name": "Matrix Materials",
    "summary": "Graphene membranes for water treatment, spun out of Manchester.",
    "sectors": ["graphene_2d_materials"],
    "stage": "seed",
    "raise_amount_gbp": "900k",
    "instruments": ["equity"],
    "region": "greater_manchester_ca",
    "intent": "publish",
}
MANDATE_FORM = {
    "name": "Matrix Capital",
    "investor_type": "vc",
    "stages": ["seed"],
    "ticket_min_gbp": "100k",
    "ticket_max_gbp": "1m",
    "regions": ["north_west"],
    "instruments": ["equity"],
    "active": "y",
}
SIGNED_IN = (
    "founder", "other_founder", "investor", "other_investor", "staff", "admin", "programme_staff",
)  # fmt: skip


@dataclass(frozen=True)
class Spec:
    """One request and the outcome for each actor."""

    method: str
    url: str  # placeholders like {V} are filled from the world's ids
    expect: dict[str, str] = field(default_factory=dict)
    default: str = "hidden"
    body: dict[str, Any] | None = None  # JSON for the API, form fields for pages
    note: str = ""

    @property
    def is_api(self) -> bool:
        return self.url.startswith("/api/")

    def outcome(self, actor: str) -> str:
        if actor == "anonymous":
            return self.expect.get("anonymous", "anon")
        # A refusal by role reaches every staff account, whatever its programmes.
        by_role = self.expect.get("staff") == "forbidden"
        if actor == "programme_staff" and actor not in self.expect and by_role:
            return "forbidden"
        return self.expect.get(actor, self.default)


def roles(outcome: str, *actors: str) -> dict[str, str]:
    """The same outcome for several actors."""
    return dict.fromkeys(actors, outcome)


STAFF_READ = roles("ok", "staff", "admin")
STAFF_NO = roles("forbidden", "staff", "admin")
ALL_STAFF_NO = roles("forbidden", "staff", "admin", "programme_staff")
FOUNDERS_NO = roles("forbidden", "founder", "other_founder")
INVESTORS_NO = roles("forbidden", "investor", "other_investor")
NOT_STAFF = {**FOUNDERS_NO, **INVESTORS_NO}
PARTIES = roles("ok", "founder", "investor")
EVERY_STAFF = roles("ok", "staff", "admin", "programme_staff")

API_SPECS = [
    # Ventures: founders own them; investors see published ones; drafts are invisible.
    Spec("POST", "/api/v1/ventures", roles("ok", "founder", "other_founder"), "forbidden", VENTURE),
    Spec("GET", "/api/v1/ventures", roles("ok", *SIGNED_IN)),
    Spec(
        "GET",
        "/api/v1/ventures/{V}",
        {**roles("ok", "founder", "investor", "other_investor"), **STAFF_READ},
    ),
    Spec("GET", "/api/v1/ventures/{W}", {"other_founder": "ok", **STAFF_READ}, note="a draft"),
    Spec(
        "PATCH",
        "/api/v1/ventures/{V}",
        {"founder": "ok", **INVESTORS_NO, **STAFF_NO, "programme_staff": "hidden"},
        body={"summary": "Updated summary: graphene membranes for industrial water."},
    ),
    Spec(
        "PATCH",
        "/api/v1/ventures/{W}",
        {"other_founder": "ok", **STAFF_NO, "programme_staff": "hidden"},
        body={"visibility": "published"},
        note="nobody publishes another's draft",
    ),
    Spec(
        "DELETE",
        "/api/v1/ventures/{V}",
        {"founder": "ok", **INVESTORS_NO, **STAFF_NO, "programme_staff": "hidden"},
    ),
    Spec("GET", "/api/v1/ventures/{V}/matches", {"founder": "ok", **INVESTORS_NO, **STAFF_READ}),
    Spec("GET", "/api/v1/ventures/{V}/advice", {"founder": "ok", **INVESTORS_NO, **STAFF_READ}),
    # Investor profiles: members manage them, staff read them, nobody else knows them.
    Spec(
        "POST",
        "/api/v1/investors",
        {**roles("conflict", "investor", "other_investor"), **FOUNDERS_NO, **STAFF_NO},
        body=MANDATE,
    ),
    Spec("GET", "/api/v1/investors/mine", roles("ok", "investor", "other_investor")),
    Spec("GET", "/api/v1/investors/{P}", {"investor": "ok", **EVERY_STAFF}),
    Spec(
        "PATCH",
        "/api/v1/investors/{P}",
        {"investor": "ok", **STAFF_NO},
        body={"thesis": "Water, materials and the circular economy."},
    ),
    Spec("GET", "/api/v1/investors/{P}/matches", {"investor": "ok", **EVERY_STAFF}),
    Spec(
        "GET",
        "/api/v1/investors/{P}/profile",
        {**roles("ok", "founder", "investor"), **EVERY_STAFF},
        note="founders who have P in a published venture's list or an introduction with it",
    ),
    Spec(
        "POST",
        "/api/v1/investors/{P}/feedback",
        {"investor": "ok", **STAFF_NO},
        body={"venture_id": "{V2}", "action": "shortlist"},
    ),
    Spec(
        "POST",
        "/api/v1/investors/{Q}/feedback",
        {"other_investor": "hidden", **STAFF_NO},
        body={"venture_id": "{W}", "action": "shortlist"},
        note="a draft can't be judged",
    ),
    Spec("DELETE", "/api/v1/investors/{P}/feedback/{V}", {"investor": "ok", **STAFF_NO}),
    Spec("GET", "/api/v1/investors/{P}/members", {"investor": "ok", **EVERY_STAFF}),
    Spec(
        "POST",
        "/api/v1/investors/{P}/members",
        {"investor": "ok", **ALL_STAFF_NO},
        body={"email": "{loner}"},
        note="an invitation the loner answers",
    ),
    Spec(
        "POST",
        "/api/v1/investors/{P}/portfolio",
        {**roles("allowed", "investor", "staff", "admin", "programme_staff"), **FOUNDERS_NO},
        body={"csv": "company_name,funded_at\nAcme,2012-01-01\n"},
        note="the staff engineer's import: members and staff",
    ),
    # Introductions: double opt-in between a venture's founder and an investor's members.
    Spec(
        "POST",
        "/api/v1/introductions",
        {**PARTIES, **STAFF_NO},
        body={"venture_id": "{V3}", "investor_id": "{P}", "message": "Hello"},
    ),
    Spec("GET", "/api/v1/introductions", roles("ok", *SIGNED_IN)),
    Spec("GET", "/api/v1/introductions/{X}", {**PARTIES, **STAFF_READ}),
    Spec(
        "POST",
        "/api/v1/introductions/{X}/accept",
        {"founder": "ok", "investor": "forbidden", **STAFF_NO, "programme_staff": "hidden"},
    ),
    Spec(
        "POST",
        "/api/v1/introductions/{X}/decline",
        {"founder": "ok", "investor": "forbidden", **STAFF_NO, "programme_staff": "hidden"},
    ),
    Spec(
        "POST",
        "/api/v1/introductions/{X}/withdraw",
        {"investor": "ok", "founder": "forbidden", **STAFF_NO, "programme_staff": "hidden"},
    ),
    # Deals: the two parties move them; staff read them.
    Spec("GET", "/api/v1/deals", roles("ok", *SIGNED_IN)),
    Spec("GET", "/api/v1/deals/{D}", {**PARTIES, **STAFF_READ}),
    Spec(
        "PATCH",
        "/api/v1/deals/{D}",
        {**PARTIES, **STAFF_NO, "programme_staff": "hidden"},
        body={"stage": "in_conversation", "note": "First call booked"},
    ),
    # Search: every signed-in role; the service limits what each finds (tests/webapp/ventures).
    Spec("GET", "/api/v1/search?q=matrix", roles("ok", *SIGNED_IN)),
    # Programmes: staff see theirs (programme staff: R only); only admins touch staff assignments.
    Spec("GET", "/api/v1/programmes", {**EVERY_STAFF, **NOT_STAFF}),
    Spec(
        "POST",
        "/api/v1/programmes",
        {**STAFF_READ, "programme_staff": "forbidden", **NOT_STAFF},
        body={"name": "Matrix Cohort 2"},
        note="admins and platform-wide staff create programmes",
    ),
    Spec("GET", "/api/v1/programmes/{R}", {**EVERY_STAFF, **NOT_STAFF}),
    Spec("GET", "/api/v1/programmes/{R2}", {**STAFF_READ, **NOT_STAFF}, note="not theirs"),
    Spec("GET", "/api/v1/programmes/{R}/candidates?q=a", {**EVERY_STAFF, **NOT_STAFF}),
    Spec(
        "POST",
        "/api/v1/programmes/{R}/ventures",
        {**EVERY_STAFF, **NOT_STAFF},
        body={"venture_ids": ["{V}"]},
        note="a published venture",
    ),
    Spec(
        "POST",
        "/api/v1/programmes/{R}/ventures",
        {**STAFF_READ, "programme_staff": "invalid", **NOT_STAFF},
        body={"venture_ids": ["{W}"]},
        note="another founder's draft: asks its founder; programme staff can't even name it",
    ),
    Spec(
        "POST",
        "/api/v1/programmes/{R2}/ventures",
        {**STAFF_READ, **NOT_STAFF},
        body={"venture_ids": ["{V}"]},
        note="not theirs",
    ),
    Spec("DELETE", "/api/v1/programmes/{R}/ventures/{V3}", {**EVERY_STAFF, **NOT_STAFF}),
    Spec(
        "POST",
        "/api/v1/programmes/{R}/staff",
        {"admin": "ok", **roles("forbidden", "staff", "programme_staff"), **NOT_STAFF},
        body={"user_id": "{PS}"},
    ),
    Spec(
        "DELETE",
        "/api/v1/programmes/{R}/staff/{PS}",
        {"admin": "ok", **roles("forbidden", "staff", "programme_staff"), **NOT_STAFF},
        note="programme staff can't unassign themselves",
    ),
    Spec(
        "DELETE",
        "/api/v1/programmes/{R2}/staff/{PS}",
        {"admin": "hidden", "staff": "forbidden", "programme_staff": "hidden", **NOT_STAFF},
        note="not assigned there; not theirs",
    ),
    Spec("GET", "/api/v1/staff-access", {"admin": "ok"}, "forbidden"),
    Spec(
        "PATCH",
        "/api/v1/staff-access/{PS}",
        {"admin": "ok"},
        "forbidden",
        body={"platform_wide": True},
        note="nobody but an admin widens a staff account's view",
    ),
    # Enrolment requests: the venture's founder answers; to anyone else they don't exist.
    Spec("GET", "/api/v1/enrolment-requests", roles("ok", *SIGNED_IN)),
    Spec("POST", "/api/v1/enrolment-requests/{E}/accept", {"other_founder": "ok"}),
    Spec("POST", "/api/v1/enrolment-requests/{E}/decline", {"other_founder": "ok"}),
    # Invitations: members invite and revoke; only the invitee answers.
    Spec(
        "GET",
        "/api/v1/investors/{P}/invitations",
        {"investor": "ok", **STAFF_READ},
        note="invitees' addresses: not for programme staff",
    ),
    Spec(
        "DELETE",
        "/api/v1/investors/{P}/invitations/{I}",
        {"investor": "ok", **ALL_STAFF_NO},
    ),
    Spec("GET", "/api/v1/invitations", roles("ok", *SIGNED_IN)),
    Spec(
        "POST",
        "/api/v1/invitations/{I}/accept",
        {"other_investor": "conflict"},
        note="the invitee already manages Q's mandate",
    ),
    Spec("POST", "/api/v1/invitations/{I}/decline", {"other_investor": "ok"}),
    # Notifications belong to one person.
    Spec("GET", "/api/v1/notifications", roles("ok", *SIGNED_IN)),
    Spec("POST", "/api/v1/notifications/{N}/read", {"founder": "ok"}),
    Spec("POST", "/api/v1/notifications/read", roles("ok", *SIGNED_IN)),
    # The model card is the same for everyone signed in.
    Spec("GET", "/api/v1/model", roles("ok", *SIGNED_IN)),
]

FOUNDER_PAGE = {**INVESTORS_NO, **STAFF_NO}
PARTY_PAGE = {**PARTIES, **STAFF_NO}
INVESTOR_PAGE = {**roles("ok", "investor", "other_investor"), **FOUNDERS_NO, **STAFF_NO}
PAGE_SPECS = [
    Spec("GET", "/founder/ventures", {**roles("ok", "founder", "other_founder"), **FOUNDER_PAGE}),
    Spec(
        "GET", "/founder/ventures/new", {**roles("ok", "founder", "other_founder"), **FOUNDER_PAGE}
    ),
    Spec(
        "POST",
        "/founder/ventures/new",
        {**roles("ok", "founder", "other_founder"), **FOUNDER_PAGE},
        body=VENTURE_FORM,
    ),
    Spec("GET", "/founder/ventures/{V}", {"founder": "ok", **FOUNDER_PAGE}),
    Spec("GET", "/founder/ventures/{V}/edit", {"founder": "ok", **FOUNDER_PAGE}),
    Spec(
        "POST", "/founder/ventures/{V}/edit", {"founder": "ok", **FOUNDER_PAGE}, body=VENTURE_FORM
    ),
    Spec("GET", "/founder/ventures/{V}/delete", {"founder": "ok", **FOUNDER_PAGE}),
    Spec("POST", "/founder/ventures/{V}/delete", {"founder": "ok", **FOUNDER_PAGE}, body={}),
    Spec(
        "POST",
        "/founder/ventures/{V}/visibility",
        {"founder": "ok", **FOUNDER_PAGE},
        body={"visibility": "closed"},
    ),
    Spec(
        "POST",
        "/founder/ventures/{V3}/introductions",
        {"founder": "ok", **FOUNDER_PAGE},
        body={"investor_id": "{P}", "message": "Hello"},
    ),
    Spec("GET", "/introductions", {**roles("ok", *SIGNED_IN[:4]), **STAFF_NO}),
    Spec(
        "POST",
        "/introductions/{X}/accept",
        {"founder": "ok", "investor": "forbidden", **STAFF_NO},
        body={},
    ),
    Spec(
        "POST",
        "/introductions/{X}/decline",
        {"founder": "ok", "investor": "forbidden", **STAFF_NO},
        body={"reason": "Not now"},
    ),
    Spec(
        "POST",
        "/introductions/{X}/withdraw",
        {"investor": "ok", "founder": "forbidden", **STAFF_NO},
        body={},
    ),
    Spec("GET", "/investor/matches", INVESTOR_PAGE),
    Spec("GET", "/investor/mandate", INVESTOR_PAGE),
    Spec("POST", "/investor/mandate", INVESTOR_PAGE, body=MANDATE_FORM),
    Spec("POST", "/investor/mandate/members", INVESTOR_PAGE, body={"email": "{loner}"}),
    Spec("GET", "/investor/shortlist", INVESTOR_PAGE),
    Spec("POST", "/investor/matches/layout", INVESTOR_PAGE, body={"view": "compact"}),
    Spec("GET", "/investor/ventures/{V}", INVESTOR_PAGE),
    Spec("GET", "/investor/ventures/{W}", {**FOUNDERS_NO, **STAFF_NO}, note="a draft"),
    Spec(
        "POST",
        "/investor/feedback",
        INVESTOR_PAGE,
        body={"venture_id": "{V2}", "action": "shortlist"},
    ),
    Spec(
        "POST",
        "/investor/feedback",
        {**FOUNDERS_NO, **STAFF_NO},
        body={"venture_id": "{W}", "action": "shortlist"},
        note="a draft can't be judged",
    ),
    Spec(
        "POST",
        "/investor/feedback/{V}/undo",
        {"investor": "ok", **FOUNDERS_NO, **STAFF_NO},
        body={},
    ),
    Spec("POST", "/investor/introductions", INVESTOR_PAGE, body={"venture_id": "{V3}"}),
    Spec(
        "POST",
        "/investor/introductions",
        {**FOUNDERS_NO, **STAFF_NO},
        body={"venture_id": "{W}"},
        note="a draft can't be asked about",
    ),
    Spec("GET", "/search?q=matrix", roles("ok", *SIGNED_IN)),
    Spec("GET", "/investors/{P}", {**roles("ok", "founder", "investor"), **EVERY_STAFF}),
    Spec("GET", "/investors/{Q}", {"other_investor": "ok", **EVERY_STAFF}),
    Spec("GET", "/staff/programmes", {**EVERY_STAFF, **NOT_STAFF}),
    Spec(
        "POST",
        "/staff/programmes",
        {**STAFF_READ, "programme_staff": "forbidden", **NOT_STAFF},
        body={"name": "Matrix Cohort 2"},
    ),
    Spec("GET", "/staff/programmes/{R}", {**EVERY_STAFF, **NOT_STAFF}),
    Spec("GET", "/staff/programmes/{R}?q=a", {**EVERY_STAFF, **NOT_STAFF}, note="search"),
    Spec("GET", "/staff/programmes/{R2}", {**STAFF_READ, **NOT_STAFF}, note="not theirs"),
    Spec(
        "POST",
        "/staff/programmes/{R}/ventures",
        {**EVERY_STAFF, **NOT_STAFF},
        body={"venture_ids": "{V}"},
    ),
    Spec(
        "POST",
        "/staff/programmes/{R}/ventures",
        {**STAFF_READ, "programme_staff": "invalid", **NOT_STAFF},
        body={"venture_ids": "{W}"},
        note="another founder's draft",
    ),
    Spec(
        "POST",
        "/staff/programmes/{R}/ventures/{V3}/withdraw",
        {**EVERY_STAFF, **NOT_STAFF},
        body={},
    ),
    Spec(
        "POST",
        "/staff/programmes/{R}/staff",
        {"admin": "ok", **roles("forbidden", "staff", "programme_staff"), **NOT_STAFF},
        body={"user_id": "{PS}"},
    ),
    Spec(
        "POST",
        "/staff/programmes/{R}/staff/{PS}/remove",
        {"admin": "ok", **roles("forbidden", "staff", "programme_staff"), **NOT_STAFF},
        body={},
        note="programme staff can't unassign themselves",
    ),
    Spec(
        "POST",
        "/staff/programmes/staff-access/{PS}",
        {"admin": "ok"},
        "forbidden",
        body={"platform_wide": "1"},
    ),
    Spec("GET", "/founder/programmes", {**roles("ok", "founder", "other_founder")}, "forbidden"),
    Spec(
        "POST",
        "/founder/programmes/requests/{E}/accept",
        {"other_founder": "ok", "founder": "hidden"},
        "forbidden",
        body={},
    ),
    Spec(
        "POST",
        "/founder/programmes/requests/{E}/decline",
        {"other_founder": "ok", "founder": "hidden"},
        "forbidden",
        body={},
    ),
    Spec("GET", "/investor/invitations", roles("ok", "investor", "other_investor"), "forbidden"),
    Spec(
        "POST",
        "/investor/invitations/{I}/accept",
        {"other_investor": "ok", "investor": "hidden"},
        "forbidden",
        body={},
        note="refused with a message: the invitee already manages Q's mandate",
    ),
    Spec(
        "POST",
        "/investor/invitations/{I}/decline",
        {"other_investor": "ok", "investor": "hidden"},
        "forbidden",
        body={},
    ),
    Spec(
        "POST",
        "/investor/mandate/invitations/{I}/revoke",
        {"investor": "ok", "other_investor": "hidden"},
        "forbidden",
        body={},
    ),
    Spec("GET", "/deals", roles("ok", *SIGNED_IN)),
    Spec("GET", "/deals/{D}", {**PARTIES, **STAFF_READ}),
    Spec("POST", "/deals/{D}/move", PARTY_PAGE, body={"stage": "in_conversation"}),
    Spec("GET", "/notifications", roles("ok", *SIGNED_IN)),
    Spec("POST", "/notifications/{N}/read", {"founder": "ok"}, body={}),
    Spec("POST", "/notifications/read-all", roles("ok", *SIGNED_IN), body={}),
    # The regional observatory is open data: everyone, signed in or not.
    Spec("GET", "/observatory", roles("ok", "anonymous", *SIGNED_IN)),
    Spec("GET", "/api/v1/observatory", roles("ok", "anonymous", *SIGNED_IN)),
    Spec("GET", "/model", roles("ok", *SIGNED_IN)),
]
SPECS = API_SPECS + PAGE_SPECS
ACTORS_IN_ORDER = ACTORS


# Endpoints other engineers own, checked by family: who may reach them at all.
PUBLIC_ENDPOINTS = frozenset(
    {
        "static",
        "home.index",
        "health.healthz",
        "taxonomy.get_taxonomy",
        "api_docs",
        "auth_api.register",
        "auth_api.create_token",
    }
)
PUBLIC_PREFIXES = ("auth.", "openapi.", "swagger.", "legal.")
SELF_ENDPOINTS = frozenset(
    {"me_api.me", "me_api.export", "auth_api.revoke_current_token", "auth.sign_out"}
)
SELF_PREFIXES = ("account.",)
STAFF_PREFIXES = (
    "pipeline",
    "staff",
    "programmes",
    "audit",
    "imports_api.ventures",
    "imports_api.investors",
)
ADMIN_PREFIXES = ("admin.", "admin_api.")
INVESTOR_PREFIXES = ("portfolio_history.",)


def family(endpoint: str) -> str | None:
    """The family policy of an endpoint another area owns, or None when it has none."""
    if endpoint in PUBLIC_ENDPOINTS or endpoint.startswith(PUBLIC_PREFIXES):
        return "public"
    if endpoint in SELF_ENDPOINTS or endpoint.startswith(SELF_PREFIXES):
        return "signed_in"
    if endpoint.startswith(ADMIN_PREFIXES):
        return "admin"
    if endpoint.startswith(STAFF_PREFIXES):
        return "staff"
    if endpoint.startswith(INVESTOR_PREFIXES):
        return "investor"
    return None
