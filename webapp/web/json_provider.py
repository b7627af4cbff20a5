"""Flask's JSON through orjson: several times faster for the list endpoints' large bodies."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import orjson
from flask.json.provider import DefaultJSONProvider

_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY


def _fallback(value: Any) -> Any:
    """Types orjson leaves to us: PostgreSQL sums come back as Decimal."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


class OrjsonProvider(DefaultJSONProvider):
    """Flask's JSON provider encoded by orjson; datetimes come out as ISO 8601, as the API
    contract says (Flask's default would send HTTP-date strings)."""

    def dumps(self, obj: Any, **kwargs: Any) -> str:  # noqa: ARG002 - orjson takes no options
        """Serialise to a JSON string."""
        return orjson.dumps(obj, default=_fallback, option=_OPTIONS).decode()

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:  # noqa: ARG002
        """Parse a JSON document."""
        return orjson.loads(s)
