"""Read one taxonomy CSV strictly, so every fault is reported with its file and line."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from reference.taxonomy.errors import TaxonomyError

SOURCE_PREFIX = "# source:"
CODE_PATTERN = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
_BOOLEANS = {"true": True, "false": False}


@dataclass(frozen=True, slots=True)
class Row:
    """One data row, with its physical line number for error messages."""

    path: Path
    line: int
    values: Mapping[str, str]

    def fail(self, reason: str) -> TaxonomyError:
        """Build the error for a fault on this row."""
        return TaxonomyError(self.path, self.line, reason)

    def code(self, field: str = "code") -> str:
        """A required snake_case ASCII code."""
        value = self.values[field]
        if not CODE_PATTERN.fullmatch(value):
            raise self.fail(
                f"{field} {value!r} is not a code: use lowercase ASCII snake_case "
                "(letters, digits and single underscores, starting with a letter)"
            )
        return value

    def optional_code(self, field: str) -> str | None:
        """A snake_case code, or None when the cell is empty (e.g. a top-level parent)."""
        return self.code(field) if self.values[field] else None

    def text(self, field: str) -> str:
        """A required non-empty text cell."""
        value = self.values[field]
        if not value:
            raise self.fail(f"{field} is empty")
        return value

    def boolean(self, field: str) -> bool:
        """A boolean cell spelt exactly true or false."""
        value = self.values[field]
        if value not in _BOOLEANS:
            raise self.fail(f"{field} {value!r} is not a boolean: use true or false")
        return _BOOLEANS[value]

    def integer(self, field: str) -> int:
        """A positive whole number."""
        value = self.values[field]
        if not value.isdecimal() or int(value) < 1:
            raise self.fail(f"{field} {value!r} is not a positive whole number")
        return int(value)


def _lines(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8").splitlines(keepends=True)
    except FileNotFoundError:
        raise TaxonomyError(path, 0, "file not found") from None
    except UnicodeDecodeError as exc:
        raise TaxonomyError(path, 0, f"not valid UTF-8 ({exc.reason})") from None


def read_rows(path: Path, header: tuple[str, ...], *, key: str | None = "code") -> list[Row]:
    """Check the source line, header and codes of `path`; return its rows in file order.

    `key` names the column whose code must be valid and unique (None: rows need no unique key,
    or the caller checks its own).
    """
    lines = _lines(path)
    if not lines or not lines[0].startswith(SOURCE_PREFIX):
        raise TaxonomyError(
            path, 1, f"the first line must be '{SOURCE_PREFIX} <where the data comes from>'"
        )
    if not lines[0][len(SOURCE_PREFIX) :].strip():
        raise TaxonomyError(path, 1, "the source line does not say where the data comes from")
    reader = csv.reader(iter(lines[1:]), strict=True)
    try:
        found = next(reader, [])
    except csv.Error as exc:
        raise TaxonomyError(path, 2, f"unreadable CSV: {exc}") from None
    if tuple(cell.strip() for cell in found) != header:
        raise TaxonomyError(
            path, 2, f"header is {','.join(found)!r}; expected {','.join(header)!r}"
        )
    rows = list(_data_rows(path, reader, header))
    if not rows:
        raise TaxonomyError(path, 2, "the file has a header but no rows")
    if key is not None:
        _reject_duplicate_codes(rows, key)
    return rows


def source_of(path: Path) -> str:
    """What the `# source:` line says (call after `read_rows` has checked the line)."""
    return _lines(path)[0][len(SOURCE_PREFIX) :].strip()


def _data_rows(path: Path, reader: Iterator[list[str]], header: tuple[str, ...]) -> Iterator[Row]:
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            # The reader counts the lines it has consumed; the source line sits before them.
            raise TaxonomyError(path, _line_of(reader), f"unreadable CSV: {exc}") from None
        line = _line_of(reader)
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(header):
            raise TaxonomyError(
                path, line, f"has {len(cells)} fields; expected {len(header)} ({','.join(header)})"
            )
        yield Row(path, line, dict(zip(header, (c.strip() for c in cells), strict=True)))


def _line_of(reader: Iterator[list[str]]) -> int:
    return int(getattr(reader, "line_num", 0)) + 1


def _reject_duplicate_codes(rows: list[Row], key: str) -> None:
    first_seen: dict[str, int] = {}
    for row in rows:
        code = row.code(key)
        if code in first_seen:
            raise row.fail(f"duplicate code {code!r} (first defined on line {first_seen[code]})")
        first_seen[code] = row.line
