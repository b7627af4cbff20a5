"""The OpenAPI document, corrected where flask-openapi3's defaults disagree with our wire format.

flask-openapi3 adds a 422 response to every operation, documented as a JSON array of its own
error model. Ours is one `application/problem+json` object, and operations that take no input
(no parameters, no body) can't fail validation at all, so they don't get a 422.
"""

from __future__ import annotations

from typing import Any

from flask_openapi3 import OpenAPI

from webapp.api._openapi import problem_responses

_METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}


class VenturematchOpenAPI(OpenAPI):
    """flask-openapi3's app with a document that matches what the API really sends."""

    def generate_spec_json(self) -> None:
        """Build the document, then describe every 422 as problem+json (or drop it)."""
        super().generate_spec_json()  # type: ignore[no-untyped-call]
        problem_422: dict[str, Any] = dict(problem_responses(422)[422])  # type: ignore[arg-type]
        for path_item in self.spec_json["paths"].values():
            for method, operation in path_item.items():
                if method not in _METHODS:
                    continue
                responses = operation.setdefault("responses", {})
                takes_input = operation.get("parameters") or operation.get("requestBody")
                if not takes_input:
                    responses.pop("422", None)
                elif "application/problem+json" not in responses.get("422", {}).get("content", {}):
                    responses["422"] = problem_422
        self.spec_json.get("components", {}).get("schemas", {}).pop("ValidationErrorModel", None)
