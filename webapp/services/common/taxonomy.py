"""Reference data for the app: code checks for every write, and the ranker's view of it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

import matching
from reference.taxonomy import ReferenceData, load_reference_data
from webapp.services.common.errors import FieldError

# The kinds of code a field can hold, with the words used in error messages.
KINDS = {
    "sector": "sector",
    "stage": "stage",
    "region": "region",
    "instrument": "instrument",
    "investor_type": "investor type",
    "institution": "institution",
}


def reference_data() -> ReferenceData:
    """The taxonomies shipped in `reference/taxonomy/`, loaded and validated once per process."""
    return load_reference_data()


def _codes(reference: ReferenceData, kind: str) -> frozenset[str]:
    return {
        "sector": reference.sector_codes,
        "stage": reference.stage_codes,
        "region": reference.region_codes,
        "instrument": reference.instrument_codes,
        "investor_type": reference.investor_type_codes,
        "institution": reference.institution_codes,
    }[kind]


def check_codes(
    values: Mapping[str, Any], fields: Mapping[str, str], reference: ReferenceData | None = None
) -> list[FieldError]:
    """Errors for every field (name → kind) whose code(s) the taxonomy doesn't know."""
    reference = reference or reference_data()
    errors: list[FieldError] = []
    for field, kind in fields.items():
        value = values.get(field)
        if value is None:
            continue
        known = _codes(reference, kind)
        items: Iterable[tuple[str, str]] = (
            ((f"{field}[{i}]", code) for i, code in enumerate(value))
            if isinstance(value, list | tuple)
            else ((field, value),)
        )
        for name, code in items:
            if code not in known:
                errors.append(
                    FieldError(
                        name,
                        f"unknown {KINDS[kind]} code {code!r}; see GET /api/v1/taxonomy "
                        f"for the accepted codes",
                    )
                )
    return errors


VENTURE_CODE_FIELDS = {
    "sectors": "sector",
    "stage": "stage",
    "region": "region",
    "instruments": "instrument",
    "institution": "institution",
}
INVESTOR_CODE_FIELDS = {
    "investor_type": "investor_type",
    "sectors": "sector",
    "excluded_sectors": "sector",
    "stages": "stage",
    "regions": "region",
    "instruments": "instrument",
    "institutions": "institution",
    "hq_region": "region",
}


@cache
@cache
def matching_taxonomy() -> matching.Taxonomy:
    """The hierarchy the ranker is handed (it knows no codes of its own), with every label.

    Cached: the reference files are fixed for the life of a process, and the taxonomy's code
    trees are built once. Reasons and hints are worded with these labels at display time.
    """
    reference = reference_data()
    labels: dict[str, str] = {}
    for items in (
        reference.sectors,
        reference.stages,
        reference.regions,
        reference.instruments,
        reference.institutions,
    ):
        labels.update({item.code: item.label for item in items})
    return matching.Taxonomy(
        sector_parent={s.code: s.parent for s in reference.sectors},
        stage_order=[s.code for s in sorted(reference.stages, key=lambda s: s.order)],
        region_parent={r.code: r.parent for r in reference.regions},
        northern_regions=frozenset(r.code for r in reference.regions if r.northern),
        instruments=[i.code for i in reference.instruments],
        institution_region={i.code: i.region for i in reference.institutions},
        labels=labels,
    )


def taxonomy_document() -> dict[str, list[dict[str, object]]]:
    """The body of `GET /api/v1/taxonomy`."""
    reference = reference_data()
    return {
        "sectors": [
            {"code": s.code, "label": s.label, "parent": s.parent} for s in reference.sectors
        ],
        "stages": [
            {"code": s.code, "label": s.label, "order": s.order, "description": s.description}
            for s in sorted(reference.stages, key=lambda s: s.order)
        ],
        "regions": [
            {"code": r.code, "label": r.label, "parent": r.parent, "northern": r.northern}
            for r in reference.regions
        ],
        "instruments": [
            {"code": i.code, "label": i.label, "description": i.description}
            for i in reference.instruments
        ],
        "investor_types": [{"code": t.code, "label": t.label} for t in reference.investor_types],
        "institutions": [
            {"code": i.code, "label": i.label, "region": i.region} for i in reference.institutions
        ],
    }
