"""Plain records the app maps its rows to, and the small result types matching hands back."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple, TypeVar

from matching.errors import InputError


@dataclass(frozen=True, slots=True, kw_only=True)
class VentureRecord:
    """A venture seeking investment; empty instruments means open to any instrument."""

    id: int
    name: str
    summary: str = ""
    sectors: Sequence[str] = ()
    stage: str
    raise_amount_gbp: int
    instruments: Sequence[str] = ()
    region: str
    institution: str | None = None
    spinout: bool = False
    eis: bool = False
    seis: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class InvestorRecord:
    """An investor's mandate; an empty sectors/stages/regions/instruments list means "any"."""

    id: int
    name: str
    investor_type: str = ""
    sectors: Sequence[str] = ()
    excluded_sectors: Sequence[str] = ()
    stages: Sequence[str] = ()
    ticket_min_gbp: int
    ticket_max_gbp: int
    regions: Sequence[str] = ()
    regions_strict: bool = False
    instruments: Sequence[str] = ()
    thesis: str = ""
    eis: bool = False
    seis: bool = False
    institutions: Sequence[str] = ()
    hq_region: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class DealRecord:
    """One past investment by an investor (platform deal or imported portfolio history)."""

    investor_id: int
    company_key: str
    venture_id: int | None = None
    sectors: Sequence[str] = ()
    stage: str | None = None
    region: str | None = None
    amount_gbp: int | None = None
    date: dt.date


@dataclass(frozen=True, slots=True, kw_only=True)
class Outcome:
    """A label from the platform: what an investor did with a venture it was shown."""

    venture_id: int
    investor_id: int
    kind: str
    date: dt.date
    reason: str | None = None


class Reason(NamedTuple):
    """One plain-English reason for or against a pair."""

    code: str
    text: str
    effect: Literal["+", "-"]


class Ranked(NamedTuple):
    """An id and its score (0–1), as returned by the ranking calls, best first."""

    id: int
    score: float


@dataclass(frozen=True, slots=True)
class Hint:
    """A checked counterfactual: this change to the venture fits this many more investors."""

    code: str
    text: str
    change: Mapping[str, Any]
    added_investor_ids: tuple[int, ...]

    @property
    def added(self) -> int:
        """How many more investors the change lets through."""
        return len(self.added_investor_ids)


@dataclass(frozen=True, slots=True)
class Syndicate:
    """A lead plus co-investors whose ticket maxima together cover the raise."""

    lead_id: int
    co_investor_ids: tuple[int, ...]
    capacity_gbp: int
    score: float

    @property
    def investor_ids(self) -> tuple[int, ...]:
        """Lead first, then co-investors."""
        return (self.lead_id, *self.co_investor_ids)


R = TypeVar("R", VentureRecord, InvestorRecord, DealRecord, Outcome)

_INT_FIELDS = {"id", "investor_id", "venture_id", "raise_amount_gbp", "ticket_min_gbp"}
_INT_FIELDS |= {"ticket_max_gbp", "amount_gbp"}
_SEQ_FIELDS = {"sectors", "excluded_sectors", "stages", "regions", "instruments", "institutions"}


def _check_value(kind: str, name: str, value: Any) -> Any:
    """Normalise one field: whole numbers stay ints, code lists become tuples."""
    if name in _INT_FIELDS and value is not None and type(value) is not int:
        if isinstance(value, float) and math.isfinite(value) and value.is_integer():
            return int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise InputError(f"{kind}: {name} {value!r} is not a whole number")
    if name in _SEQ_FIELDS and type(value) is not tuple:
        if isinstance(value, str) or not isinstance(value, Sequence | frozenset | set):
            raise InputError(f"{kind}: {name} {value!r} is not a list of codes")
        return tuple(value)
    return value


_SHAPES: dict[str, tuple[tuple[str, ...], frozenset[str], tuple[str, ...]]] = {}


def _shape(cls: type) -> tuple[tuple[str, ...], frozenset[str], tuple[str, ...]]:
    """Field names, the required ones, and those that need checking, per record class."""
    if cls.__qualname__ in _SHAPES:
        return _SHAPES[cls.__qualname__]
    fields = dataclasses.fields(cls)
    names = tuple(f.name for f in fields)
    required = frozenset(
        f.name
        for f in fields
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    )
    checked = tuple(n for n in names if n in _INT_FIELDS or n in _SEQ_FIELDS)
    _SHAPES[cls.__qualname__] = (names, required, checked)
    return names, required, checked


def coerce(cls: type[R], item: R | Mapping[str, Any]) -> R:
    """Accept a record or a dict with the same keys (extra keys ignored), checking types."""
    names, required, checked = _shape(cls)
    if isinstance(item, cls):
        values = {n: getattr(item, n) for n in names}
    elif isinstance(item, Mapping):
        values = {n: item[n] for n in names if n in item}
        missing = required - values.keys()
        if missing:
            raise InputError(f"{cls.__name__}.{sorted(missing)[0]}: missing")
    else:
        kind = cls.__name__
        raise InputError(f"{kind}: expected a {kind} or a mapping, got {type(item).__name__}")
    label = f"{cls.__name__} {values['id']}" if "id" in values else cls.__name__
    changed = False
    for name in checked:
        if name in values:
            value = _check_value(label, name, values[name])
            if value is not values[name]:
                values[name] = value
                changed = True
    if isinstance(item, cls) and not changed:
        return item
    return cls(**values)


def coerce_all(cls: type[R], items: Sequence[R | Mapping[str, Any]] | None) -> list[R]:
    """`coerce` over a sequence; None means no records."""
    return [coerce(cls, item) for item in items or ()]
