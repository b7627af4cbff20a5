"""Errors raised while reading or querying the reference data."""

from __future__ import annotations

from pathlib import Path


class TaxonomyError(ValueError):
    """A reference-data file is malformed; the message names the file, the line and the reason."""

    def __init__(self, path: Path, line: int, reason: str) -> None:
        self.path = path
        self.line = line
        self.reason = reason
        super().__init__(f"{path}: line {line}: {reason}")


class UnknownCodeError(LookupError):
    """A caller asked about a code that the taxonomy does not define."""

    def __init__(self, kind: str, code: str) -> None:
        self.kind = kind
        self.code = code
        super().__init__(f"unknown {kind} code {code!r}")
