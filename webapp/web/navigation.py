"""Role-aware navigation and dashboards, registered by the page modules that own them.

A page module registers its entries at import time::

    from webapp.web.navigation import add_nav_item, set_dashboard

    add_nav_item("ventures.index", "My ventures", roles={"founder"}, order=20)
    set_dashboard("founder", "ventures.index")

Entries whose endpoint isn't registered in the running app are skipped, so nothing breaks while
a page is being built. The header shows the entries for the signed-in user's role, in `order`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from flask import Flask, current_app, request, url_for

from webapp.models import User
from webapp.models.enums import Role

ALL_ROLES = frozenset(r.value for r in Role)


@dataclass(frozen=True)
class NavItem:
    """One header link."""

    endpoint: str
    label: str
    roles: frozenset[str]
    order: int
    count: Callable[[User], int] | None = None
    count_label: str = ""


@dataclass(frozen=True)
class NavLink:
    """A resolved link for the template; `current` marks the page being shown.

    `count` (e.g. unread notifications) is shown as a badge and read out as
    "Notifications, 3 unread" through `count_label`; 0 shows nothing.
    """

    url: str
    label: str
    current: bool
    count: int = 0
    count_label: str = ""


_items: dict[str, NavItem] = {}
_dashboards: dict[str, str] = {}
FALLBACK_DASHBOARD = "account.settings"


def add_nav_item(
    endpoint: str,
    label: str,
    *,
    roles: Iterable[str] = ALL_ROLES,
    order: int = 50,
    count: Callable[[User], int] | None = None,
    count_label: str = "",
) -> None:
    """Show a link to `endpoint` in the header for users with one of `roles`.

    `count(user)`, when given, is worked out on each page and shown as a badge beside the label.
    """
    wanted = frozenset(roles)
    unknown = wanted - ALL_ROLES
    if unknown:
        raise ValueError(f"unknown role(s) {sorted(unknown)}; roles are {sorted(ALL_ROLES)}")
    _items[endpoint] = NavItem(endpoint=endpoint, label=label, roles=wanted, order=order,
                               count=count, count_label=count_label)  # fmt: skip


def set_dashboard(role: str, endpoint: str) -> None:
    """Where `/` sends a signed-in user of this role."""
    if role not in ALL_ROLES:
        raise ValueError(f"unknown role {role!r}; roles are {sorted(ALL_ROLES)}")
    _dashboards[role] = endpoint


def dashboard_endpoint(user: User) -> str:
    """The role's registered dashboard if it exists in this app, else the account page."""
    endpoint = _dashboards.get(user.role)
    if endpoint and endpoint in current_app.view_functions:
        return endpoint
    return FALLBACK_DASHBOARD


def nav_links(user: User | None) -> list[NavLink]:
    """The header links for this user, skipping endpoints this app doesn't have."""
    if user is None:
        return []
    links = []
    for item in sorted(_items.values(), key=lambda i: (i.order, i.label)):
        if user.role not in item.roles or item.endpoint not in current_app.view_functions:
            continue
        links.append(
            NavLink(
                url=url_for(item.endpoint),
                label=item.label,
                current=request.endpoint == item.endpoint,
                count=item.count(user) if item.count else 0,
                count_label=item.count_label,
            )
        )
    return links


def init_app(app: Flask) -> None:
    """Expose `nav_links` to templates."""
    app.jinja_env.globals["nav_links"] = nav_links
