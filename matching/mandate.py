"""What "fits the mandate" means: the one definition, rule by rule, vectorised over investors.

An investor's stated mandate is a list of rules; an empty list means "any". A venture passes:

- ``excluded_sector``: none of its sectors lies within a sector the investor excludes (an
  excluded parent bars every sub-sector);
- ``sector``: one of its sectors lies within a mandate sector (a parent covers its
  sub-sectors); a venture naming no sector passes only investors open to every sector;
- ``stage``: its stage is one of the mandate's stages;
- ``ticket_min`` / ``ticket_max``: the raise is at least the smallest and at most the largest
  ticket (together, "the ticket fits");
- ``region``: its region lies within a mandate region, whether or not the investor marked its
  regions strict;
- ``instrument``: it offers an instrument the investor uses (either side naming none passes);
- ``tax_relief``: an investor that invests through SEIS or EIS needs a venture eligible for
  one of the schemes it uses.

Every view asks these same rules:

- the ranker drops a pair only for the *bars* (an excluded sector, no usable instrument, a
  region outside a strict mandate); every other broken rule keeps the pair in the list and is
  always shown as a reason against it (`matching.reasons`);
- a founder's hints and the syndicate suggestion count an investor as fitting when every rule
  passes (`ticket="whole"`); syndicate members need only reach their minimum
  (`ticket="part"`: they take a share of the round);
- the staff gap and coverage views ask "who could take part in this round?", which is the same
  rules with `ticket="part"` (the raise may be above one investor's largest ticket, never
  below its smallest).
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from scipy import sparse

from matching.frames import InvestorFrame, VentureFrame

B = npt.NDArray[np.bool_]
I64 = npt.NDArray[np.int64]
Ticket = Literal["whole", "part", "none"]

RULES: tuple[str, ...] = (
    "excluded_sector",
    "sector",
    "stage",
    "ticket_min",
    "ticket_max",
    "region",
    "instrument",
    "tax_relief",
)
# Broken rules that take a pair out of the ranked lists altogether.
BARS: tuple[str, ...] = ("excluded_sector", "instrument", "region_strict")
# The reason code each broken rule is reported under (ticket_min and ticket_max are one code).
REASON_CODE: dict[str, str] = {
    "excluded_sector": "excluded_sector",
    "sector": "sector_fit",
    "stage": "stage_fit",
    "ticket_min": "ticket_fit",
    "ticket_max": "ticket_fit",
    "region": "region_fit",
    "instrument": "instrument_fit",
    "tax_relief": "tax_relief_fit",
}
MANDATE_CODES: tuple[str, ...] = tuple(dict.fromkeys(REASON_CODE.values()))


@dataclass(frozen=True, eq=False)
class MandateTables:
    """Each rule as a boolean table (codes × investors), built once per investor frame.

    Sector tables carry two extra rows: one for an unused sector slot (never passes "any") and
    one for a venture that names no sector.
    """

    frame: InvestorFrame
    sector: B  # (sectors + 2) × investors
    excluded: B  # (sectors + 2) × investors
    stage: B  # stages × investors
    region: B  # regions × investors
    strict: B  # investors: a region outside the mandate bars the pair
    instruments: B  # instruments × investors
    instruments_any: B  # investors naming no instrument
    tax_relief: B  # 4 × investors, row = 2·eis + seis of the venture
    ticket_min: npt.NDArray[np.float64]
    ticket_max: npt.NDArray[np.float64]

    @classmethod
    def build(cls, frame: InvestorFrame) -> MandateTables:
        """Expand every mandate through the code trees (a parent covers its children)."""
        tax = frame.taxonomy
        sector_below = sparse.csr_matrix(tax.sectors.below.astype(np.float32))
        region_below = sparse.csr_matrix(tax.regions.below.astype(np.float32))
        any_sector = np.diff(frame.sectors.indptr) == 0
        covers = (frame.sectors @ sector_below).toarray().T > 0
        covers[:, any_sector] = True
        pad = np.zeros((1, len(frame)), dtype=np.bool_)
        sector = np.vstack([covers, pad, any_sector[None, :]])
        excluded = (frame.excluded_sectors @ sector_below).toarray().T > 0
        excluded = np.vstack([excluded, pad, pad])
        stage = frame.stages.T.copy()
        stage[:, ~frame.stages.any(axis=1)] = True
        any_region = np.diff(frame.regions.indptr) == 0
        region = (frame.regions @ region_below).toarray().T > 0
        region[:, any_region] = True
        relief = np.empty((4, len(frame)), dtype=np.bool_)
        wants = frame.eis | frame.seis
        for code in range(4):
            eis, seis = bool(code & 2), bool(code & 1)
            relief[code] = ~wants | (frame.eis & eis) | (frame.seis & seis)
        return cls(
            frame=frame,
            sector=np.ascontiguousarray(sector),
            excluded=np.ascontiguousarray(excluded),
            stage=np.ascontiguousarray(stage),
            region=np.ascontiguousarray(region),
            strict=np.asarray(frame.regions_strict & ~any_region, dtype=np.bool_),
            instruments=np.ascontiguousarray(frame.instruments.T),
            instruments_any=np.asarray(~frame.instruments.any(axis=1), dtype=np.bool_),
            tax_relief=relief,
            ticket_min=frame.ticket_min,
            ticket_max=frame.ticket_max,
        )


_TABLES: weakref.WeakKeyDictionary[InvestorFrame, MandateTables] = weakref.WeakKeyDictionary()


def tables(frame: InvestorFrame) -> MandateTables:
    """The rule tables of an investor frame, built on first use and kept with the frame."""
    found = _TABLES.get(frame)
    if found is None:
        found = _TABLES[frame] = MandateTables.build(frame)
    return found


def sector_slots(ventures: VentureFrame) -> I64:
    """Each venture's sector rows in the sector tables (pad row, or the "no sector" row)."""
    n = len(ventures.taxonomy.sectors)
    raw = ventures.sector_slots
    slots = np.where(raw >= 0, raw, n)
    slots[:, 0] = np.where(raw[:, 0] >= 0, slots[:, 0], n + 1)
    return slots


@dataclass(frozen=True)
class RuleChecks:
    """Which rules each pair passes: block (rows × investors) or pairs (equal-length)."""

    passed: Mapping[str, B]
    strict: B  # broadcast like the rule arrays

    def fits(self, ticket: Ticket = "whole") -> B:
        """Every rule passes; `ticket` says how much of the round the investor must take."""
        skip = {"whole": (), "part": ("ticket_max",), "none": ("ticket_min", "ticket_max")}
        out: B | None = None
        for rule in RULES:
            if rule in skip[ticket]:
                continue
            out = self.passed[rule].copy() if out is None else out & self.passed[rule]
        assert out is not None
        return out

    def barred(self) -> B:
        """The ranker's exclusions: excluded sector, no usable instrument, strict region."""
        p = self.passed
        return ~p["excluded_sector"] | ~p["instrument"] | (~p["region"] & self.strict)

    def broken(self, index: Any) -> list[str]:
        """The rules one pair (an index into the arrays) breaks, in `RULES` order."""
        return [rule for rule in RULES if not bool(self.passed[rule][index])]


def check(
    ventures: VentureFrame,
    investors: InvestorFrame,
    rows: I64 | None = None,
    cols: I64 | None = None,
    rules: tuple[str, ...] = RULES,
) -> RuleChecks:
    """The `rules` for the block `rows` × all investors, or for the pairs (rows[j], cols[j])."""
    t = tables(investors)
    rows = np.arange(len(ventures)) if rows is None else np.asarray(rows, dtype=np.int64)

    def take(table: B, keys: I64) -> B:
        return table[keys] if cols is None else table[keys, cols]

    def inv(vector: npt.NDArray[Any]) -> npt.NDArray[Any]:
        return vector[None, :] if cols is None else vector[cols]

    def ven(vector: npt.NDArray[Any]) -> npt.NDArray[Any]:
        return vector[:, None] if cols is None else vector

    def over_slots(table: B) -> B:
        slots = sector_slots(ventures)[rows]
        out = take(table, slots[:, 0]).copy()
        for j in range(1, slots.shape[1]):
            out |= take(table, slots[:, j])
        return out

    def instrument() -> B:
        offered = ventures.instruments[rows]
        shared: B
        if cols is None:
            with np.errstate(invalid="ignore"):  # 0/1 flags: only OpenBLAS's spurious flag
                shared = np.asarray(
                    offered.astype(np.float32) @ t.instruments.astype(np.float32) > 0
                )
        else:
            shared = np.asarray((offered & t.instruments.T[cols]).any(axis=1))
        silent = np.asarray(~offered.any(axis=1), dtype=np.bool_)
        return np.asarray(shared | inv(t.instruments_any) | ven(silent))

    def tax_relief() -> B:
        code = ventures.eis[rows].astype(np.int64) * 2 + ventures.seis[rows].astype(np.int64)
        return take(t.tax_relief, code)

    raise_gbp = ven(ventures.raise_gbp[rows])
    region = take(t.region, ventures.region[rows])
    shape = region.shape
    compute = {
        "excluded_sector": lambda: ~over_slots(t.excluded),
        "sector": lambda: over_slots(t.sector),
        "stage": lambda: take(t.stage, ventures.stage[rows]),
        "ticket_min": lambda: raise_gbp >= inv(t.ticket_min),
        "ticket_max": lambda: raise_gbp <= inv(t.ticket_max),
        "region": lambda: region,
        "instrument": instrument,
        "tax_relief": tax_relief,
    }
    passed = {rule: np.broadcast_to(compute[rule](), shape) for rule in rules}
    return RuleChecks(passed, np.broadcast_to(inv(t.strict), shape))


def barred(
    ventures: VentureFrame, investors: InvestorFrame, rows: I64, cols: I64 | None = None
) -> B:
    """The ranker's exclusions for a block or for pairs (only the rules the bars need)."""
    rules = ("excluded_sector", "instrument", "region")
    return np.asarray(check(ventures, investors, rows, cols, rules).barred())
