"""`flask --app webapp <group> …`: every module here that defines `group` (a click group)."""

from __future__ import annotations

import importlib
import pkgutil

import click
from flask import Flask


def init_app(app: Flask) -> None:
    """Add each command group found in this package to the app's CLI."""
    for module_info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if module_info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        group = getattr(module, "group", None)
        if isinstance(group, click.Command):
            app.cli.add_command(group)
