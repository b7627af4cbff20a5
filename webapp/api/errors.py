"""RFC 9457 problem details for every API error, so clients get one shape for all failures."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, json, request
from pydantic import BaseModel, ValidationError
from pydantic_core import from_json
from werkzeug.exceptions import HTTPException, InternalServerError, RequestEntityTooLarge

from webapp.services.common.errors import FieldError, ServiceError, ValidationFailed
from webapp.web.error_pages import render_error_page

PROBLEM_MEDIA_TYPE = "application/problem+json"
JSON_METHODS = frozenset({"POST", "PUT", "PATCH"})


class FieldErrorModel(BaseModel):
    """One field's problem."""

    field: str
    message: str


class Problem(BaseModel):
    """The body of every error response."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    errors: list[FieldErrorModel] | None = None


def problem(
    status: int,
    detail: str,
    *,
    title: str | None = None,
    errors: list[FieldError] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """Build a problem+json response."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title or _reason(status),
        "status": status,
        "detail": detail,
    }
    if errors is not None:
        body["errors"] = [{"field": e.field, "message": e.message} for e in errors]
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM_MEDIA_TYPE)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def field_name(location: tuple[int | str, ...]) -> str:
    """`("sectors", 0)` becomes `sectors[0]`; the request part (body/query) is dropped."""
    name = ""
    for part in location:
        if isinstance(part, int):
            name += f"[{part}]"
        else:
            name += f".{part}" if name else str(part)
    return name or "body"


# Strict JSON types: say what to send and what was sent, not only "should be a valid integer".
_TYPE_MESSAGES = {
    "int_type": "Send a whole number as a JSON number (not text), e.g. 750000; got {value}",
    "bool_type": "Send true or false as a JSON boolean (not text); got {value}",
}


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:37]}..."


def field_errors(error: ValidationError) -> list[FieldError]:
    """Pydantic's errors as field/message pairs a person can act on."""
    found: list[FieldError] = []
    for item in error.errors(include_url=False):
        message = str(item["msg"]).removeprefix("Value error, ")
        if item["type"] == "missing":
            message = "This field is required"
        elif item["type"] in _TYPE_MESSAGES:
            message = _TYPE_MESSAGES[item["type"]].format(value=_shown(item.get("input")))
        found.append(FieldError(field=field_name(tuple(item["loc"])), message=message))
    return found


def validation_problem(error: ValidationError) -> Response:
    """flask-openapi3 calls this when a request fails its pydantic model."""
    errors = field_errors(error)
    return problem(422, f"{len(errors)} field(s) failed validation", errors=errors)


def _is_api_request() -> bool:
    return request.path.startswith("/api/")


def _check_json_body() -> Response | None:
    """415 for a body that isn't JSON and 400 for malformed JSON, before any view runs."""
    if not request.path.startswith("/api/v1/") or request.method not in JSON_METHODS:
        return None
    if request.content_length == 0 or (request.content_length is None and not request.data):
        return None  # bodiless actions (accept, read, …) are allowed
    if not request.is_json:
        return problem(415, "Send the body as JSON with Content-Type: application/json")
    try:
        # The parser the body models validate with: NaN, Infinity, 1e1000000 and 20-digit
        # integers are read here, so that validation can name the field they are in (422).
        from_json(request.get_data(cache=True), allow_inf_nan=True)
    except RequestEntityTooLarge:
        raise  # 413, not "malformed JSON": the body was never read
    except ValueError:
        return problem(400, "The body is not valid JSON")
    return None


def _handle_http(error: HTTPException) -> Response | HTTPException:
    headers = {}
    if error.code == 429 and error.response is not None:
        retry_after = error.response.headers.get("Retry-After")
        if retry_after:
            headers["Retry-After"] = retry_after
    if error.code == 429 and isinstance(getattr(error, "retry_after", None), int):
        headers["Retry-After"] = str(error.retry_after)  # type: ignore[attr-defined]
    if not _is_api_request():
        return render_error_page(error.code or 500, error.description, headers.get("Retry-After"))
    if error.code == 405:
        headers["Allow"] = ", ".join(error.valid_methods or [])  # type: ignore[attr-defined]
    return problem(error.code or 500, error.description or "", headers=headers)


def _handle_service(error: ServiceError) -> Response:
    if not _is_api_request():
        return render_error_page(error.status, error.detail)
    errors = error.errors if isinstance(error, ValidationFailed) else None
    return problem(error.status, error.detail, title=error.title, errors=errors)


def _handle_unexpected(_error: InternalServerError) -> Response:
    if not _is_api_request():
        return render_error_page(500)
    return problem(500, "Something went wrong on our side; it has been logged.")


def init_app(app: Flask) -> None:
    """Register the JSON body checks and the error handlers."""
    app.before_request(_check_json_body)
    app.register_error_handler(HTTPException, _handle_http)
    app.register_error_handler(ServiceError, _handle_service)
    app.register_error_handler(InternalServerError, _handle_unexpected)
