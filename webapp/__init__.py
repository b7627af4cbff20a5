"""The venturematch web application: `flask --app webapp ...` finds `create_app` here.

Nothing heavy is imported at package import, so workers can use `webapp.config`, `webapp.db`,
`webapp.models` and `webapp.services` without loading Flask views.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask

    from webapp.config import Settings


def create_app(
    test_config: Mapping[str, Any] | None = None, *, settings: Settings | None = None
) -> Flask:
    """Build the Flask app; tests pass their own settings and config overrides."""
    from webapp.app_factory import build_app

    return build_app(test_config=test_config, settings=settings)
