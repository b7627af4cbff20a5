"""Reading an uploaded CSV: encoding, header, and the cell formats every import shares."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from webapp.models.bounds import MAX_MONEY_GBP, MAX_NUMBER_CHARS
from webapp.services.common.errors import FieldError, ValidationFailed

LIST_SEPARATOR = ";"
TRUE_WORDS = frozenset({"true", "yes", "y", "1"})
FALSE_WORDS = frozenset({"false", "no", "n", "0", ""})


class CellError(ValueError):
    """A cell that cannot be read as the column's type; the message says what is accepted."""


@dataclass(frozen=True, slots=True)
class Row:
    """One data row: the file line it started on and its cells by column name."""

    line: int
    cells: dict[str, str]


def read_rows(
    content: bytes | str,
    *,
    required: Sequence[str],
    optional: Sequence[str],
    max_rows: int | None,
) -> list[Row]:
    """Decode, check the header and return the rows; a file-level fault is a 422 on `file`."""
    if isinstance(content, bytes):
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise _file_error(
                f"is not UTF-8 text (byte {exc.start}); save it as 'CSV UTF-8'"
            ) from None
    else:
        text = content.removeprefix("\ufeff")
    if "\x00" in text:
        raise _file_error("holds NUL bytes; it is not a CSV text file")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise _file_error("is empty; the first line must name the columns") from None
    except csv.Error as exc:
        raise _file_error(f"is not valid CSV: {exc}") from None
    names = [name.strip().lower() for name in header]
    missing = [name for name in required if name not in names]
    if missing:
        raise _file_error(
            f"has no column {', '.join(missing)}; the columns are "
            f"{', '.join(required)} (required) and {', '.join(optional)} (optional)"
        )
    repeated = sorted({n for n in names if names.count(n) > 1 and n})
    if repeated:
        raise _file_error(f"names the column {', '.join(repeated)} twice")
    rows: list[Row] = []
    try:
        for values in reader:
            if not any(v.strip() for v in values):
                continue  # blank lines are not rows
            if max_rows is not None and len(rows) >= max_rows:
                raise _file_error(f"has more than {max_rows:,} rows; split it into smaller files")
            cells = {
                name: (values[i].strip() if i < len(values) else "") for i, name in enumerate(names)
            }
            rows.append(Row(line=reader.line_num, cells=cells))
    except csv.Error as exc:
        raise _file_error(f"is not valid CSV at line {reader.line_num}: {exc}") from None
    return rows


def _file_error(problem: str) -> ValidationFailed:
    return ValidationFailed([FieldError("file", f"The file {problem}")])


def as_list(text: str) -> list[str]:
    """`a; b;c` → ['a', 'b', 'c'] (empty → [])."""
    return [part.strip() for part in text.split(LIST_SEPARATOR) if part.strip()]


def as_bool(text: str) -> bool:
    """true/false, yes/no, 1/0 (empty is false)."""
    word = text.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise CellError("is not true or false; write true, false, yes, no, 1 or 0")


def as_decimal(text: str, *, symbols: str = "") -> Decimal:
    """A finite number no longer than any amount is written, allowing thousands separators.

    The length is checked before the text is read, and the size before any arithmetic, so a
    cell like `1e1000000` is turned away at once instead of costing seconds of CPU.
    """
    cleaned = text.replace(",", "").replace("_", "").strip()
    for symbol in symbols:
        cleaned = cleaned.replace(symbol, "")
    if len(cleaned) > MAX_NUMBER_CHARS:
        raise CellError(f"is too long for a number; the largest accepted is {MAX_MONEY_GBP:,}")
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        raise CellError("is not a number; write digits only, e.g. 750000") from None
    if not number.is_finite():
        raise CellError("is not a number; write digits only, e.g. 750000")
    if number.copy_abs() > MAX_MONEY_GBP:  # copy_abs: abs() would overflow on 1e1000000
        raise CellError(f"is more than {MAX_MONEY_GBP:,}, the largest number accepted")
    return number


def as_whole_number(text: str) -> int:
    """A whole number, allowing thousands separators, a pound sign and a trailing `.0`."""
    number = as_decimal(text, symbols="£")
    if number != number.to_integral_value():
        raise CellError("is not a whole number; write digits only, e.g. 750000")
    return int(number)


def as_date(text: str) -> date:
    """An ISO date, YYYY-MM-DD."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise CellError("is not a date; write it as YYYY-MM-DD, e.g. 2024-03-01") from None
