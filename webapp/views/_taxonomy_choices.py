"""Taxonomy codes as people see them: labels, grouped pickers and money, for the page templates."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from wtforms import SelectChoice

from webapp.services.common.taxonomy import reference_data
from webapp.services.deals.deal_wording import stage_words


@dataclass(frozen=True)
class Option:
    """One code in a picker; `depth` indents sub-sectors and sub-regions under their parent."""

    code: str
    label: str
    depth: int
    hint: str = ""


@dataclass(frozen=True)
class Group:
    """A titled group of options (a top-level sector, a region)."""

    title: str
    options: tuple[Option, ...]


def _tree(parents: dict[str, str | None], labels: dict[str, str]) -> list[Option]:
    """Every code in depth-first order under its parent, in file order within a level."""
    children: dict[str | None, list[str]] = {}
    for code, parent in parents.items():
        children.setdefault(parent, []).append(code)
    ordered: list[Option] = []

    def walk(parent: str | None, depth: int) -> None:
        for code in children.get(parent, []):
            ordered.append(Option(code, labels[code], depth))
            walk(code, depth + 1)

    walk(None, 0)
    return ordered


@cache
def sector_groups() -> tuple[Group, ...]:
    """Sectors grouped by top-level growth sector; the parent itself is the group's first box."""
    reference = reference_data()
    options = _tree(
        {s.code: s.parent for s in reference.sectors}, {s.code: s.label for s in reference.sectors}
    )
    groups: list[Group] = []
    current: list[Option] = []
    for option in options:
        if option.depth == 0 and current:
            groups.append(Group(current[0].label, tuple(current)))
            current = []
        current.append(option)
    if current:
        groups.append(Group(current[0].label, tuple(current)))
    return tuple(groups)


@cache
def region_options() -> tuple[Option, ...]:
    """Regions in tree order (UK, England, North East, its authorities, …)."""
    reference = reference_data()
    return tuple(
        _tree(
            {r.code: r.parent for r in reference.regions},
            {r.code: r.label for r in reference.regions},
        )
    )


@cache
def stage_options() -> tuple[Option, ...]:
    """Stages from earliest to latest, each with its description."""
    stages = sorted(reference_data().stages, key=lambda s: s.order)
    return tuple(Option(s.code, s.label, 0, s.description) for s in stages)


@cache
def instrument_options() -> tuple[Option, ...]:
    """Financing instruments with their descriptions."""
    return tuple(Option(i.code, i.label, 0, i.description) for i in reference_data().instruments)


@cache
def investor_type_options() -> tuple[Option, ...]:
    """Kinds of funder."""
    return tuple(Option(t.code, t.label, 0) for t in reference_data().investor_types)


@cache
def institution_groups() -> tuple[Group, ...]:
    """Universities grouped by the region they sit in."""
    reference = reference_data()
    regions = reference.region_by_code
    groups: dict[str, list[Option]] = {}
    for institution in reference.institutions:
        title = regions[reference.itl1_region(institution.region)].label
        groups.setdefault(title, []).append(Option(institution.code, institution.label, 0))
    return tuple(Group(title, tuple(options)) for title, options in groups.items())


def select_choices(options: tuple[Option, ...], blank: str | None = None) -> list[SelectChoice]:
    """Choices for a WTForms select, sub-items indented with spaces."""
    found = [SelectChoice("", blank)] if blank is not None else []
    found += [SelectChoice(o.code, "\u2003" * o.depth + o.label) for o in options]
    return found


def grouped_choices(groups: tuple[Group, ...]) -> list[SelectChoice]:
    """Choices in optgroups (universities by region) for a WTForms select."""
    return [SelectChoice(o.code, o.label, optgroup=g.title) for g in groups for o in g.options]


def choices(options: tuple[Option, ...]) -> list[SelectChoice]:
    """Plain choices (check boxes, radios) from options."""
    return [SelectChoice(o.code, o.label) for o in options]


class Labels:
    """`labels.sector(code)` and friends in templates; unknown codes show as they are."""

    def __init__(self) -> None:
        reference = reference_data()
        self._sector = {s.code: s.label for s in reference.sectors}
        self._stage = {s.code: s.label for s in reference.stages}
        self._region = {r.code: r.label for r in reference.regions}
        self._instrument = {i.code: i.label for i in reference.instruments}
        self._investor_type = {t.code: t.label for t in reference.investor_types}
        self._institution = {i.code: i.label for i in reference.institutions}

    def sector(self, code: str) -> str:
        return self._sector.get(code, code)

    def stage(self, code: str) -> str:
        return self._stage.get(code, code)

    def region(self, code: str) -> str:
        return self._region.get(code, code)

    def instrument(self, code: str) -> str:
        return self._instrument.get(code, code)

    def investor_type(self, code: str) -> str:
        return self._investor_type.get(code, code)

    def institution(self, code: str | None) -> str:
        return self._institution.get(code, code) if code else ""

    @staticmethod
    def stage_name(stage: str) -> str:
        """A deal stage or status in words: `due_diligence` → `Due diligence`."""
        return stage_words(stage)

    @staticmethod
    def gbp(amount: int | None) -> str:
        """Whole pounds with separators: 1250000 → £1,250,000."""
        return "—" if amount is None else f"£{amount:,}"


@cache
def labels() -> Labels:
    """One label table per process."""
    return Labels()
