"""Turning a CSV row into a model's fields, with each problem named by column and line."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pydantic import BaseModel, ValidationError

from webapp.services.common.taxonomy import check_codes
from webapp.services.common.text_checks import text_errors
from webapp.services.imports.csvfile import CellError, Row
from webapp.services.imports.report import RowError

Parser = Callable[[str], Any]


def parse_cells(row: Row, parsers: Mapping[str, Parser], errors: list[RowError]) -> dict[str, Any]:
    """Each column's text through its parser; empty cells are left out (the model's default)."""
    values: dict[str, Any] = {}
    for name, parse in parsers.items():
        text = row.cells.get(name, "")
        if text == "":
            continue
        try:
            values[name] = parse(text)
        except CellError as exc:
            errors.append(RowError(row.line, name, text, f"{text!r} {exc}"))
    return values


def validate_model(
    row: Row,
    model: type[BaseModel],
    values: dict[str, Any],
    code_fields: Mapping[str, str],
    errors: list[RowError],
) -> BaseModel | None:
    """The model built from the values, or None with every field's problem added to `errors`."""
    found = text_errors(values) + check_codes(values, code_fields)
    for list_field in ("sectors", "instruments", "stages", "regions"):
        codes = values.get(list_field)
        if isinstance(codes, list) and len(set(codes)) != len(codes):
            errors.append(RowError(row.line, list_field, ";".join(codes), "lists a code twice"))
    for problem in found:
        column = problem.field.split("[")[0]
        errors.append(RowError(row.line, column, row.cells.get(column, ""), problem.message))
    unreadable = {e.field for e in errors if e.line == row.line}
    try:
        built = model.model_validate(values)
    except ValidationError as exc:
        for item in exc.errors(include_url=False):
            message = str(item["msg"]).removeprefix("Value error, ")
            # A rule across fields has no location; its message starts with the field it names.
            first_word = message.split(" ", 1)[0]
            column = str(item["loc"][0]) if item["loc"] else first_word
            if column not in model.model_fields:
                column = "row"
            if column in unreadable:
                continue  # already reported: the cell could not be read
            if item["type"] == "missing":
                message = "is required"
            errors.append(RowError(row.line, column, row.cells.get(column, ""), message))
        return None
    return built if not found else None
