"""The JSON API (`../shared/API.md`): every module here that defines `api` is registered.

Modules own one resource each (ventures, investors, …) and expose
`api = APIBlueprint(...)`; registration by discovery lets them be added independently.
"""

from __future__ import annotations

import importlib
import pkgutil

from flask import Flask, redirect
from flask_openapi3 import APIBlueprint, OpenAPI
from werkzeug.wrappers import Response

from webapp.api import errors


def _blueprints() -> list[APIBlueprint]:
    found = []
    for module_info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if module_info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        blueprint = getattr(module, "api", None)
        if isinstance(blueprint, APIBlueprint):
            found.append(blueprint)
    return found


def _docs() -> Response:
    """`/api/docs` is the documented address of the interactive reference."""
    return redirect("/api/swagger", code=302)


def init_app(app: Flask) -> None:
    """Register error handling and every API blueprint."""
    assert isinstance(app, OpenAPI)
    errors.init_app(app)
    for blueprint in _blueprints():
        app.register_api(blueprint)
    app.add_url_rule("/api/docs", endpoint="api_docs", view_func=_docs)
