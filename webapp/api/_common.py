"""Shared pieces of the resource APIs: documented error responses, ids, pages, text checks.

The module name starts with an underscore, so API discovery does not look for a blueprint here.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Annotated, Any, TypeVar, cast, get_type_hints

from flask import abort, request
from pydantic import AfterValidator, BaseModel, Field, ValidationError

from webapp.api._openapi import ResponseEntries, problem_responses
from webapp.api.errors import validation_problem
from webapp.models.bounds import MAX_ID
from webapp.models.codes import InstitutionCode, RegionCode, SectorCode, StageCode
from webapp.services.common.pagination import DEFAULT_LIMIT, MAX_LIMIT, Page
from webapp.services.common.text_checks import text_problem

MAX_OFFSET = 2**31 - 1


def problems(*statuses: int) -> ResponseEntries:
    """OpenAPI responses for error statuses, each an `application/problem+json` Problem."""
    return problem_responses(*statuses)


F = TypeVar("F", bound=Callable[..., Any])


def _list_parameters(model: type[BaseModel]) -> list[str]:
    """Names of the query parameters whose schema is an array (or an optional array)."""
    properties = model.model_json_schema().get("properties", {})
    found = []
    for name, field in model.model_fields.items():
        schema = properties.get(field.alias or name, {})
        options = [schema, *schema.get("anyOf", [])]
        if any(option.get("type") == "array" for option in options):
            found.append(field.alias or name)
    return found


def validated(view: F) -> F:
    """Validate path, query and body models here, beneath `api_auth`: 401 comes before 422.

    Path and query values are text by nature and are converted; a JSON body is validated
    strictly, so a client sending a number as a string hears about it.

    flask-openapi3 would otherwise validate before any decorator runs (so an anonymous caller
    with a bad body would hear about the body, not about signing in), and it rebuilds each
    model's JSON schema on every request; here the models are looked up once per view.
    The OpenAPI document still comes from the view's annotations.
    """
    models: dict[str, type[BaseModel]] = {}
    list_params: list[str] = []  # query parameters that may repeat (?sector=a&sector=b)
    looked_up = False

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        nonlocal looked_up
        if not looked_up:
            hints = get_type_hints(view)
            models.update({k: hints[k] for k in ("path", "query", "body") if k in hints})
            if "query" in models:
                list_params.extend(_list_parameters(models["query"]))
            looked_up = True
        values: dict[str, Any] = {}
        try:
            if "path" in models:
                values["path"] = models["path"].model_validate(kwargs)
                kwargs = {k: v for k, v in kwargs.items() if k not in models["path"].model_fields}
            if "query" in models:
                query: dict[str, Any] = request.args.to_dict()
                query.update({k: request.args.getlist(k) for k in list_params if k in query})
                values["query"] = models["query"].model_validate(query)
            if "body" in models:
                # Strict JSON: "1000000" is not a number, nor "true" a boolean (dates still
                # come as ISO strings). The body was checked to be JSON before the view ran.
                values["body"] = models["body"].model_validate_json(
                    request.get_data(cache=True) or b"null", strict=True
                )
        except ValidationError as error:
            abort(validation_problem(error))
        return view(*args, **kwargs, **values)

    wrapper.__delay_validate_request__ = True  # type: ignore[attr-defined]
    return cast(F, wrapper)


# What every authenticated operation can answer besides its success.
READ_ERRORS = (401, 403, 404, 422, 429)
WRITE_ERRORS = (400, 401, 403, 404, 409, 413, 415, 422, 429)


def _storable(value: str) -> str:
    problem = text_problem(value)
    if problem:
        raise ValueError(problem)
    return value


Text = Annotated[str, AfterValidator(_storable)]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


class PageQuery(BaseModel):
    """`?limit=` (1–100, default 20) and `?offset=`."""

    limit: int = Field(default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    offset: int = Field(default=0, ge=0, le=MAX_OFFSET)


class CodeFilterQuery(PageQuery):
    """A page filtered by taxonomy codes; a parent sector or region matches everything below."""

    sector: SectorCode | None = Field(
        default=None, description="sector code (parents match children)"
    )
    stage: StageCode | None = Field(default=None, description="stage code")
    region: RegionCode | None = Field(
        default=None, description="region code (parents match children)"
    )
    institution: InstitutionCode | None = Field(default=None, description="institution code")


def page_body(page: Page[Any], item: Callable[[Any], BaseModel]) -> dict[str, Any]:
    """The list envelope `{items, total, limit, offset}` as JSON-ready data."""
    return {
        "items": [item(x).model_dump(mode="json") for x in page.items],
        "total": page.total,
        "limit": page.limit,
        "offset": page.offset,
    }
