"""Read an investments CSV (Crunchbase columns) and convert it into the product's records.

Historical rounds become what the platform holds: investors (`InvestorRecord`, with open
mandates: the data has none), past deals (`DealRecord`, the company id doubling as a venture
id so follow-ons link) and, for each round to rank, the venture seeking it (`VentureRecord`).
"""

from __future__ import annotations

import csv
import datetime as dt
import os
from collections.abc import Sequence
from dataclasses import dataclass, replace

from matching.errors import InputError
from matching.labels import TypicalRaise
from matching.records import DealRecord, InvestorRecord, VentureRecord
from matching.taxonomy import Taxonomy

COLUMNS = (
    "round_id",
    "company_name",
    "investor_name",
    "funded_at",
    "amount_usd",
    "funding_round_type",
    "category_code",
    "country_code",
    "state_code",
    "region",
    "city",
)
UNKNOWN = "unknown"
# Round types in rough order of company maturity; only the track record uses them here.
ROUND_ORDER = (
    "angel",
    "series-a",
    "series-b",
    "series-c+",
    "venture",
    "private-equity",
    "post-ipo",
    "other",
    UNKNOWN,
)
_OPEN_TICKET = (1, 10**13)  # Crunchbase has no mandates: every ticket fits
# Places are read at metro-area level (country/state/metro), the state being the broader
# level, like the product's regions (combined authorities within a region). City level was
# worse on validation (bench/RESULTS.md).
PLACE_DEPTH = 3


@dataclass(frozen=True, slots=True)
class Row:
    """One investor's part in one funding round."""

    round_id: str
    company: str
    investor: str
    date: dt.date
    amount: int | None
    stage: str
    sector: str
    place: str  # finest known region code, or "unknown"


def _place(country: str, state: str, region: str, city: str) -> str:
    parts = [country, state, region, city]
    known = []
    for part in parts:
        if not part:
            break
        known.append(part)
    return "/".join(known) if known else UNKNOWN


def read_rows(path: str | os.PathLike[str]) -> list[Row]:
    """Parse the CSV, checking its columns; amounts stay in the file's currency units."""
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or ())]
        if missing:
            raise InputError(f"{path}: missing columns {', '.join(missing)}")
        rows = []
        for n, raw in enumerate(reader, start=2):
            try:
                date = dt.date.fromisoformat(raw["funded_at"])
            except ValueError:
                raise InputError(
                    f"{path}:{n}: funded_at {raw['funded_at']!r} is not a date"
                ) from None
            amount = raw["amount_usd"].strip()
            stage = raw["funding_round_type"].strip() or UNKNOWN
            rows.append(
                Row(
                    round_id=raw["round_id"],
                    company=raw["company_name"],
                    investor=raw["investor_name"],
                    date=date,
                    amount=int(float(amount)) if amount and float(amount) > 0 else None,
                    stage=stage if stage in ROUND_ORDER else "other",
                    sector=raw["category_code"].strip() or UNKNOWN,
                    place=_place(
                        raw["country_code"].strip(),
                        raw["state_code"].strip(),
                        raw["region"].strip(),
                        raw["city"].strip(),
                    ),
                )
            )
    return rows


def coarsen(rows: Sequence[Row], depth: int = PLACE_DEPTH) -> list[Row]:
    """Cut every place code to `depth` levels (country/state/metro/city)."""
    return [replace(r, place="/".join(r.place.split("/")[:depth])) for r in rows]


def build_taxonomy(rows: Sequence[Row]) -> Taxonomy:
    """Flat categories, the round-type ladder, and a country/state/metro/city region tree."""
    regions: dict[str, str | None] = {UNKNOWN: None}
    for row in rows:
        parts = row.place.split("/")
        for depth in range(len(parts)):
            code = "/".join(parts[: depth + 1])
            regions.setdefault(code, "/".join(parts[:depth]) or None)
    return Taxonomy(
        sector_parent=dict.fromkeys(sorted({r.sector for r in rows})),
        stage_order=ROUND_ORDER,
        region_parent=regions,
    ).validate()


@dataclass(frozen=True)
class Universe:
    """Stable integer ids for investor and company names (ids follow sorted name order)."""

    investor_ids: dict[str, int]
    company_ids: dict[str, int]

    @classmethod
    def of(cls, rows: Sequence[Row]) -> Universe:
        """Number every name once."""
        investors = sorted({r.investor for r in rows})
        companies = sorted({r.company for r in rows})
        return cls(
            {name: n + 1 for n, name in enumerate(investors)},
            {name: n + 1 for n, name in enumerate(companies)},
        )

    def deals(self, rows: Sequence[Row]) -> list[DealRecord]:
        """History records (the company id doubles as the venture id, for follow-ons)."""
        return [
            DealRecord(
                investor_id=self.investor_ids[r.investor],
                company_key=r.company,
                venture_id=self.company_ids[r.company],
                # A missing category or place is missing, not a category or place of its own.
                sectors=() if r.sector == UNKNOWN else (r.sector,),
                stage=r.stage,
                region=None if r.place == UNKNOWN else r.place,
                amount_gbp=r.amount,
                date=r.date,
            )
            for r in rows
        ]

    def investors(self, names: Sequence[str]) -> list[InvestorRecord]:
        """Investors with open mandates: everything they are is in their track record."""
        low, high = _OPEN_TICKET
        return [
            InvestorRecord(id=self.investor_ids[n], name=n, ticket_min_gbp=low, ticket_max_gbp=high)
            for n in names
        ]

    def venture(self, row: Row, typical: TypicalRaise, venture_id: int) -> VentureRecord:
        """A round as the venture seeking it (unknown round size: a typical one for its type).

        An "unknown" place stays a region code, but no past deal sits there, so its lift is 0.
        """
        return VentureRecord(
            id=venture_id,
            name=row.company,
            sectors=() if row.sector == UNKNOWN else (row.sector,),
            stage=row.stage,
            raise_amount_gbp=row.amount or typical(row.stage),
            region=row.place,
        )
