"""Primary keys of rows that are known to be stored (ids are optional only before a flush)."""

from __future__ import annotations

from typing import Any


def saved_id(row: Any) -> int:
    """The id of a flushed or loaded row; a missing one is a programming error, not input."""
    value = row.id
    if not isinstance(value, int):
        raise RuntimeError(f"{type(row).__name__} has no id yet: flush it before using its id")
    return value
