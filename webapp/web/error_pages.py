"""HTML error pages for people (the API answers problem+json instead; see webapp.api.errors)."""

from __future__ import annotations

from http import HTTPStatus

from flask import Response, render_template

# What a person sees for each status: a title and what they can do next.
PAGES: dict[int, tuple[str, str]] = {
    400: (
        "We couldn't accept that",
        "The form may have expired or been sent from another site. Go back, reload the page "
        "and try again.",
    ),
    403: (
        "You don't have access to this page",
        "Your account can't open this page. If you think it should, contact the programme team.",
    ),
    404: (
        "Page not found",
        "The page may have moved, or the link may be wrong. Check the address or start from "
        "the home page.",
    ),
    405: ("That action isn't available here", "Go back and use the buttons on the page."),
    413: (
        "That was too large to upload",
        "Requests are limited to 2 MB. Try a smaller file or shorter text.",
    ),
    422: (
        "We couldn't use what was sent",
        "Go back, correct it and try again.",
    ),
    429: (
        "Too many attempts",
        "For your security we've paused this for a short while. Please wait and try again.",
    ),
    500: (
        "Something went wrong on our side",
        "The problem has been logged. Please try again in a few minutes.",
    ),
}


def render_error_page(
    status: int, detail: str | None = None, retry_after: str | None = None
) -> Response:
    """The page for an HTTP error status, with the same status code."""
    title, advice = PAGES.get(status, (_phrase(status), "Go back and try again."))
    html = render_template(
        "errors/error.html",
        status=status,
        title=title,
        advice=advice,
        detail=detail if status in (403, 422, 429) else None,
        retry_after=retry_after,
    )
    response = Response(html, status=status, mimetype="text/html")
    if retry_after:
        response.headers["Retry-After"] = retry_after
    return response


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"
