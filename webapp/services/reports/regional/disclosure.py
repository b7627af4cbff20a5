"""Which published counts to withhold so that no venture can be singled out, totals included.

The primary rule is the evidence export's (`evidence.is_small`): a count from 1 to 4 is
withheld. The evidence table publishes no totals, so that is all it needs. A table that does
publish totals and subtotals also needs complementary withholding. If a total is published and
only one of its parts is withheld, the withheld part is the total minus the others. So in every
relation (a parent and the parts that add up to it) a withheld part never stands alone, and the
parts withheld together never add up to a small count. When that can't be arranged, the parent
is withheld too. Complements are the smallest non-zero parts still shown, which costs the reader
least. A hierarchy (the whole, the North and the rest, their regions) is one relation per level,
so a subtotal is protected like any other cell.

Parts here are counts of ventures. Money, shares and medians resting on a count are withheld with
it, as the evidence export withholds "money resting on them".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from webapp.services.reports.evidence import is_small

Key = str


@dataclass(frozen=True)
class Relation:
    """`parent` holds every venture of `parts` (its count is at most their sum)."""

    parent: Key
    parts: tuple[Key, ...]


def withhold_counts(values: Mapping[Key, int], relations: Sequence[Relation]) -> frozenset[Key]:
    """The cells of one count column to withhold: small ones, then complements until safe."""
    withheld = {key for key, value in values.items() if is_small(value)}
    changed = True
    while changed:
        changed = False
        for relation in relations:
            extra = _complement(values, withheld, relation)
            if extra is not None:
                withheld.add(extra)
                changed = True
    return frozenset(withheld)


def _complement(values: Mapping[Key, int], withheld: set[Key], relation: Relation) -> Key | None:
    """One more cell to withhold so this relation gives nothing away, or None if it is safe."""
    parts = relation.parts
    hidden = [key for key in parts if key in withheld]
    shown = sorted(
        (key for key in parts if key not in withheld and values[key] > 0),
        key=lambda key: (values[key], key),
    )
    if relation.parent in withheld:
        # The parent is the sum of its parts: with none hidden, adding them up recovers it.
        if hidden or not shown:
            return None
        return shown[0]
    if not hidden or values[relation.parent] == 0:
        return None  # nothing withheld, or every part is zero and the total says so
    recovered = sum(values[key] for key in hidden)
    if len(hidden) >= 2 and not is_small(recovered):
        return None
    return shown[0] if shown else relation.parent
