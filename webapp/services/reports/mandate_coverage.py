"""Loading every investor's mandate into `matching.coverage`, the gap and coverage views' index.

The rules themselves (what "in mandate" means) live in `matching.mandate`; this module only reads
the rows, and keeps the index between requests until an investor profile changes.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import func, select
from sqlmodel import Session, col

import matching
from matching.coverage import Coverage, Mask, Miss, VentureShape
from webapp.models import InvestorProfile
from webapp.services.common.taxonomy import matching_taxonomy

MandateIndex = Coverage
__all__ = ["MandateIndex", "Mask", "Miss", "VentureShape", "cached_mandates", "load_mandates"]


def load_mandates(*, session: Session) -> MandateIndex:
    """Every investor's mandate, in one query."""
    query = select(
        col(InvestorProfile.id),
        col(InvestorProfile.name),
        col(InvestorProfile.investor_type),
        col(InvestorProfile.sectors),
        col(InvestorProfile.excluded_sectors),
        col(InvestorProfile.stages),
        col(InvestorProfile.regions),
        col(InvestorProfile.instruments),
        col(InvestorProfile.ticket_min_gbp),
        col(InvestorProfile.ticket_max_gbp),
        col(InvestorProfile.hq_region),
        col(InvestorProfile.active),
        col(InvestorProfile.regions_strict),
        col(InvestorProfile.eis),
        col(InvestorProfile.seis),
    ).order_by(col(InvestorProfile.id))
    rows = session.connection().execute(query).all()
    records = [
        matching.InvestorRecord(
            id=cast(int, r[0]),
            name=r[1],
            investor_type=r[2],
            sectors=tuple(r[3] or ()),
            excluded_sectors=tuple(r[4] or ()),
            stages=tuple(r[5] or ()),
            regions=tuple(r[6] or ()),
            instruments=tuple(r[7] or ()),
            ticket_min_gbp=r[8],
            ticket_max_gbp=r[9],
            hq_region=r[10],
            regions_strict=bool(r[12]),
            eis=bool(r[13]),
            seis=bool(r[14]),
        )
        for r in rows
    ]
    return Coverage(records, [bool(r[11]) for r in rows], matching_taxonomy())


_CACHE: dict[tuple[str, tuple[Any, ...]], MandateIndex] = {}
_CACHE_SIZE = 4


def cached_mandates(*, session: Session) -> MandateIndex:
    """The mandate index, rebuilt only when an investor profile was added, changed or removed.

    Services bump `updated_at` on every change, so the count, the newest id and the newest update
    time together fingerprint the table; one cheap aggregate replaces a full reload per request.
    """
    fingerprint = tuple(
        session.connection()
        .execute(
            select(
                func.count(),
                func.max(col(InvestorProfile.id)),
                func.max(col(InvestorProfile.updated_at)),
            )
        )
        .one()
    )
    key = (str(session.get_bind().engine.url), fingerprint)
    index = _CACHE.get(key)
    if index is None:
        index = load_mandates(session=session)
        if len(_CACHE) >= _CACHE_SIZE:
            _CACHE.clear()
        _CACHE[key] = index
    return index
