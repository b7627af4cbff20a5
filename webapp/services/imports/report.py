"""What an import did: every bad row and why, and what was written."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

# Called as progress(phase, done, total), phase "checking" then "writing" (the CLI's progress bar).
Progress = Callable[[str, int, int], None]


class ImportMode(StrEnum):
    """What to do with a file in which some rows are bad."""

    ALL_OR_NOTHING = "all_or_nothing"  # write nothing unless every row is good
    GOOD_ROWS = "good_rows"  # write the good rows, report the bad ones


@dataclass(frozen=True, slots=True)
class RowError:
    """One problem in one row: `line` is the line number in the file (the header is line 1)."""

    line: int
    field: str
    value: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "line": self.line,
            "field": self.field,
            "value": self.value,
            "message": self.message,
        }


@dataclass
class ImportReport:
    """The outcome of one upload."""

    kind: str
    mode: ImportMode
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    written: int = 0
    duplicates: int = 0  # already present (or repeated in the file): nothing to write
    skipped: int = 0  # rows the upload was told to leave out (another investor's rows)
    committed: bool = False
    created_ids: list[int] = field(default_factory=list)

    @property
    def bad_lines(self) -> list[int]:
        """Lines with at least one error."""
        return sorted({e.line for e in self.errors})

    @property
    def good_rows(self) -> int:
        """Rows that passed every check (written or duplicates)."""
        return self.rows - len(self.bad_lines) - self.skipped

    def as_dict(self) -> dict[str, Any]:
        """The body the import endpoints return."""
        return {
            "kind": self.kind,
            "mode": self.mode.value,
            "rows": self.rows,
            "good_rows": self.good_rows,
            "bad_rows": len(self.bad_lines),
            "written": self.written,
            "duplicates": self.duplicates,
            "skipped": self.skipped,
            "committed": self.committed,
            "created_ids": self.created_ids,
            "errors": [e.as_dict() for e in self.errors],
        }
