"""Server-rendered pages: every module here that defines `bp` (a Blueprint) is registered."""

from __future__ import annotations

import importlib
import pkgutil

from flask import Blueprint, Flask


def init_app(app: Flask) -> None:
    """Register every page blueprint found in this package."""
    for module_info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if module_info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        blueprint = getattr(module, "bp", None)
        if isinstance(blueprint, Blueprint):
            app.register_blueprint(blueprint)
