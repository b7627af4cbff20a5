"""The bounds every number and date given to us must respect, in one place.

The API models, the HTML forms and the CSV imports all check against these before any work is
done: an unbounded number once cost 26 s of CPU (a `1e1000000` cell) or failed in the database
(a 20-digit amount does not fit a 64-bit column). Text lengths are the models' own
`max_length`s; `max_length` reads one, so a form never repeats the number.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any

from annotated_types import MaxLen
from pydantic import AfterValidator, BaseModel, BeforeValidator

# £10bn: above any raise, ticket, round or fund in UK early-stage finance, and far inside the
# 64-bit columns money is stored in.
MAX_MONEY_GBP = 10_000_000_000
MIN_RAISE_GBP = 1_000
MAX_TEAM_SIZE = 100_000
MIN_TRL, MAX_TRL = 1, 9
# Ids are 32-bit in PostgreSQL; a larger number can't name anything.
MAX_ID = 2**31 - 1
# The longest text read as a number ("£10,000,000,000.00" and some spaces): anything longer is
# refused unread, so a million-digit value costs nothing to turn away.
MAX_NUMBER_CHARS = 32
# The oldest company on the register we expect dates from 1800-01-01: earlier is a typing slip.
EARLIEST_INCORPORATION = date(1800, 1, 1)
# UTC+14 is the first place on Earth to reach each new day.
_AHEAD_OF_UTC = timedelta(hours=14)
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def max_length(model: type[BaseModel], field: str) -> int:
    """The `max_length` a model declares for a text field (what the database column holds)."""
    for rule in model.model_fields[field].metadata:
        if isinstance(rule, MaxLen):
            return int(rule.max_length)
    raise LookupError(f"{model.__name__}.{field} declares no max_length")


def latest_date() -> date:
    """Today, wherever on Earth the person is: no later date can be in the past."""
    return (datetime.now(UTC) + _AHEAD_OF_UTC).date()


def _iso_date_only(value: Any) -> Any:
    """Dates come as YYYY-MM-DD; pydantic would also read `0` or `"0"` as a Unix time."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value.strip()):
        return value.strip()
    raise ValueError("Write the date as YYYY-MM-DD, e.g. 2024-03-01")


def incorporation_problem(value: date) -> str | None:
    """Why a date can't be a date of incorporation, or None when it can."""
    if EARLIEST_INCORPORATION <= value <= latest_date():
        return None
    return (
        f"Give a date from {EARLIEST_INCORPORATION.isoformat()} to today; "
        f"{value.isoformat()} can't be a date of incorporation"
    )


def _incorporation_range(value: date) -> date:
    problem = incorporation_problem(value)
    if problem:
        raise ValueError(problem)
    return value


IsoDate = Annotated[date, BeforeValidator(_iso_date_only)]
IncorporationDate = Annotated[
    date, BeforeValidator(_iso_date_only), AfterValidator(_incorporation_range)
]


_DIGITS = re.compile(rf"[0-9]{{1,{MAX_NUMBER_CHARS}}}")


def whole_number(text: str, *, low: int = 0, high: int = MAX_ID) -> int | None:
    """The whole number `text` holds if it lies from `low` to `high`, else None.

    ASCII digits only: `str.isdigit()` also accepts '²', which `int()` then refuses.
    """
    text = text.strip()
    if not _DIGITS.fullmatch(text):
        return None
    value = int(text)
    return value if low <= value <= high else None
