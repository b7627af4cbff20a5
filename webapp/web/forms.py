"""Helpers for WTForms pages: show a service's field errors next to the fields they name."""

from __future__ import annotations

from collections.abc import Mapping

from flask_wtf import FlaskForm

from webapp.services.common.errors import ValidationFailed


def attach_errors(
    form: FlaskForm, error: ValidationFailed, field_map: Mapping[str, str] | None = None
) -> None:
    """Put each FieldError on the form field it names (via `field_map` if names differ).

    Errors for fields the form doesn't have go to `form.form_errors`, shown in the summary.
    """
    field_map = field_map or {}
    for item in error.errors:
        name = field_map.get(item.field, item.field)
        base = name.split("[", 1)[0].split(".", 1)[0]
        target = form._fields.get(name) or form._fields.get(base)
        if target is None:
            form.form_errors.append(f"{item.field}: {item.message}")
            continue
        target.errors = [*target.errors, item.message]
