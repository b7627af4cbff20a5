"""Search by name: ventures for investors, investors for founders, both for staff."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request

from webapp.services.common.errors import ValidationFailed
from webapp.services.ventures import search as search_service
from webapp.services.ventures.search import SearchKind
from webapp.views._taxonomy_choices import labels
from webapp.web.auth import require_user, roles_required
from webapp.web.db_session import get_session
from webapp.web.navigation import add_nav_item

bp = Blueprint("search", __name__, url_prefix="/search")
add_nav_item("search.index", "Search", order=55)
PAGE_SIZE = 20
KIND_WORDS = {SearchKind.VENTURE: "Ventures", SearchKind.INVESTOR: "Investors"}
SCOPE_WORDS = {
    (SearchKind.VENTURE,): "published ventures",
    (SearchKind.INVESTOR,): "the investors in your ventures' ranked lists and introductions",
    (SearchKind.VENTURE, SearchKind.INVESTOR): "published ventures and investors",
}


def _offset() -> int:
    try:
        return max(0, min(int(request.args.get("offset", "0")), 10_000))
    except ValueError:
        return 0


@bp.get("")
@roles_required("founder", "investor", "staff", "admin")
def index() -> Any:
    """The search form, and a page of names when there is a query."""
    user = require_user()
    allowed = search_service.searchable_kinds(user)
    query = " ".join(request.args.get("q", "").split())
    wanted = request.args.get("kind", "")
    kind = SearchKind(wanted) if wanted in {k.value for k in allowed} else None
    page, problem = None, None
    if query:
        try:
            page = search_service.search(
                session=get_session(),
                viewer=user,
                query=query,
                kind=kind,
                limit=PAGE_SIZE,
                offset=_offset(),
            )
        except ValidationFailed as exc:
            problem = exc.errors[0].message
    link_args = {"q": query} | ({"kind": kind.value} if kind else {})
    return render_template(
        "search/index.html",
        query=query,
        kind=kind,
        kinds=[(k, KIND_WORDS[k]) for k in allowed],
        scope=SCOPE_WORDS.get(allowed, "nothing"),
        page=page,
        problem=problem,
        link_args=link_args,
        labels=labels(),
    ), (422 if problem else 200)
