"""CSV files people open in spreadsheets: streamed line by line, and safe from formula injection."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence

# A cell starting with one of these is run as a formula by Excel, LibreOffice and Sheets.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: object) -> object:
    """Text that a spreadsheet would evaluate gets a leading apostrophe; numbers pass through."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_lines(header: Sequence[str], rows: Iterable[Sequence[object]]) -> Iterator[str]:
    """The header, then one CSV line per row (RFC 4180, CRLF line ends)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def line(values: Sequence[object]) -> str:
        writer.writerow([csv_safe(v) for v in values])
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    yield line(header)
    for row in rows:
        yield line(row)
