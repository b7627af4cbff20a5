"""Fictional founders and their ventures, with the correlations real ones show
(stage drives round size, TRL, team and age; spinouts cluster near research-heavy universities)."""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cached_property

from reference.taxonomy import ReferenceData
from seeds.demo import distributions as dist
from seeds.demo.clock import Clock
from seeds.demo.names import UniqueNames, company_name, demo_email, person_name
from seeds.demo.places import Places
from seeds.demo.records import DemoUser, DemoVenture
from seeds.demo.text import growth_sector, venture_summary

NORTHERN_SHARE = 0.72  # of ventures that are not spinouts (spinouts are all Northern)
SPINOUT_SHARE = {
    "proof_of_concept": 0.65,
    "pre_seed": 0.35,
    "seed": 0.30,
    "series_a": 0.25,
    "series_b": 0.20,
    "growth": 0.10,
}
SECTOR_COUNT_WEIGHTS = (0.55, 0.35, 0.10)  # one, two or three sectors
VISIBILITY_WEIGHTS = {"published": 0.86, "draft": 0.11, "closed": 0.03}
SEIS_MAX_RAISE = 350_000
# The demo founder's two ventures: (stage, sectors), inside the demo investor's mandate.
DEMO_VENTURES = (("seed", ("digital_health", "ai")), ("series_a", ("quantum",)))
EIS_MAX_RAISE, EIS_MAX_RAISE_KNOWLEDGE_INTENSIVE = 5_000_000, 10_000_000

# Northern strengths are more common; spinouts lean to deep tech, startups to software.
# fmt: off
SECTOR_WEIGHTS = {
    "ai": 3.0, "software_saas": 2.5, "digital_health": 3.0, "games": 2.5, "medtech": 2.0,
    "diagnostics": 2.0, "offshore_wind": 2.0, "hydrogen": 2.0, "fintech": 2.0,
    "cyber_security": 2.0, "immersive_tech": 1.5, "space": 1.5, "engineering_biology": 1.5,
    "composites": 1.5, "agritech": 1.5, "robotics_automation": 1.5, "ccus": 1.2,
    "nuclear_fission": 1.2, "chemicals_materials": 1.2,
}
DEEP_TECH = frozenset((
    "quantum", "semiconductors", "graphene_2d_materials", "drug_discovery", "advanced_therapies",
    "diagnostics", "engineering_biology", "fusion", "batteries", "composites", "medtech",
    "speciality_chemicals", "therapeutics", "nuclear_fission", "hydrogen", "space", "ai",
))
# Technologies that turn up as a second sector anywhere ("AI for diagnostics").
CROSS_CUTTING = (
    "ai", "software_saas", "robotics_automation", "industrial_digital", "cyber_security",
    "engineering_biology", "chemicals_materials", "digital_health",
)
# fmt: on
SPINOUT_DEEP_TECH_BOOST = 4.0
SPINOUT_OTHER_DAMPING = 0.25


@dataclass(frozen=True)
class VentureFactory:
    """Draws ventures one at a time from a seeded random stream."""

    reference: ReferenceData
    places: Places
    clock: Clock

    @cached_property
    def _choices(self) -> dict[bool, tuple[tuple[str, ...], tuple[float, ...]]]:
        """Per spinout flag: the sub-sectors (never a bare growth sector) and their weights."""
        codes = tuple(s.code for s in self.reference.sectors if s.parent is not None)
        choices = {}
        for spinout in (False, True):
            weights = []
            for code in codes:
                weight = SECTOR_WEIGHTS.get(code, 1.0)
                if spinout:
                    deep = code in DEEP_TECH
                    weight *= SPINOUT_DEEP_TECH_BOOST if deep else SPINOUT_OTHER_DAMPING
                weights.append(weight)
            choices[spinout] = (codes, tuple(weights))
        return choices

    @cached_property
    def _same_growth_sector(self) -> dict[str, tuple[str, ...]]:
        """Sub-sectors grouped by their growth sector, for picking related second sectors."""
        codes = self._choices[False][0]
        groups: dict[str, list[str]] = {}
        for code in codes:
            groups.setdefault(growth_sector(self.reference, code), []).append(code)
        return {home: tuple(group) for home, group in groups.items()}

    def sectors(self, rng: random.Random, spinout: bool) -> tuple[str, ...]:
        """One to three sectors, none an ancestor of another, mostly within one growth sector."""
        codes, weights = self._choices[spinout]
        count = rng.choices((1, 2, 3), SECTOR_COUNT_WEIGHTS)[0]
        chosen = [rng.choices(codes, weights)[0]]
        same = self._same_growth_sector[growth_sector(self.reference, chosen[0])]
        for _ in range(8 * count):
            if len(chosen) == count:
                break
            candidate = rng.choice(same if rng.random() < 0.75 else CROSS_CUTTING)
            if not any(self._related(candidate, c) for c in chosen):
                chosen.append(candidate)
        return tuple(chosen)

    def _related(self, a: str, b: str) -> bool:
        return a in self.reference.sector_ancestors(b) or b in self.reference.sector_ancestors(a)

    def build(
        self,
        rng: random.Random,
        *,
        owner_email: str,
        names: UniqueNames,
        stage: str | None = None,
        sectors: tuple[str, ...] | None = None,
        northern: bool | None = None,
        visibility: str | None = None,
        chn: str,
    ) -> DemoVenture:
        """One venture; keyword overrides pin the attributes the demo accounts rely on."""
        if stage is None:
            stage = rng.choices(tuple(dist.STAGES), [p.share for p in dist.STAGES.values()])[0]
        profile = dist.STAGES[stage]
        spinout = rng.random() < SPINOUT_SHARE[stage]
        institution: str | None = None
        if spinout:
            chosen = self.places.spinout_institution(rng)
            institution = chosen.code
            moved = rng.random() < 0.1
            region = self.places.northern_area(rng) if moved else chosen.region
        else:
            is_north = rng.random() < NORTHERN_SHARE if northern is None else northern
            region = self.places.northern_area(rng) if is_north else self.places.other_area(rng)
            nearby = self.places.institutions_in(region) if is_north else ()
            if nearby and rng.random() < 0.15:
                institution = rng.choice(nearby).code
        sectors = sectors or self.sectors(rng, spinout)
        name = names.claim(company_name(rng, growth_sector(self.reference, sectors[0])))
        raise_gbp = dist.raise_amount(rng, stage)
        age_days = int(365 * rng.uniform(*profile.age_years))
        unincorporated = stage == "proof_of_concept" and rng.random() < (0.6 if spinout else 0.3)
        incorporated_on = None if unincorporated else self.clock.today - timedelta(age_days + 30)
        team = round(dist.log_uniform(rng, profile.team[0], profile.team[1] + 0.99) - 0.49)
        knowledge_intensive = spinout or any(s in DEEP_TECH for s in sectors)
        return DemoVenture(
            owner_email=owner_email,
            name=name,
            summary=venture_summary(
                rng,
                self.reference,
                self.places,
                name=name,
                sectors=sectors,
                stage=stage,
                region=region,
                institution=institution,
                spinout=spinout,
            ),
            sectors=sectors,
            stage=stage,
            raise_amount_gbp=raise_gbp,
            instruments=_instruments(rng, stage),
            region=region,
            institution=institution,
            spinout=spinout,
            incorporated_on=incorporated_on,
            companies_house_number=None if incorporated_on is None else chn,
            trl=rng.randint(*profile.trl),
            team_size=max(1, team),
            eis=_eis(rng, stage, raise_gbp, incorporated_on, self.clock.today, knowledge_intensive),
            seis=_seis(rng, stage, raise_gbp, incorporated_on, self.clock.today, team),
            visibility=visibility or _weighted(rng, VISIBILITY_WEIGHTS),
            created_at=self.clock.instant(rng, not_before=incorporated_on),
        )


def generate_ventures(
    rng: random.Random,
    factory: VentureFactory,
    count: int,
    *,
    demo_founder_email: str,
    progress: Iterable[int] | None = None,
) -> tuple[list[DemoUser], list[DemoVenture]]:
    """`count` ventures and their founders; the first two belong to the demo founder and are
    published Northern ventures the demo investor's fund can back.

    Drawing everything per venture keeps the output prefix-stable: asking for more ventures
    appends to the list instead of changing the ones already there.
    """
    founders: list[tuple[str, str]] = []  # (email, name)
    ventures: list[DemoVenture] = []
    names = UniqueNames()
    numbers: set[int] = set()  # Companies House numbers, all distinct
    for index in progress if progress is not None else range(count):
        if index < 2:
            owner = demo_founder_email
        elif founders and rng.random() < 0.12:  # serial founders run two ventures
            owner = rng.choice(founders)[0]
        else:
            person = person_name(rng)
            owner = demo_email(person, len(founders) + 1)
            founders.append((owner, person))
        demo = index < 2
        venture = factory.build(
            rng,
            owner_email=owner,
            names=names,
            stage=DEMO_VENTURES[index][0] if demo else None,
            sectors=DEMO_VENTURES[index][1] if demo else None,
            northern=True if demo else None,
            visibility="published" if demo else None,
            chn=_companies_house_number(rng, numbers),
        )
        ventures.append(venture)
    first_venture: dict[str, datetime] = {}
    for venture in ventures:
        earliest = first_venture.get(venture.owner_email, venture.created_at)
        first_venture[venture.owner_email] = min(earliest, venture.created_at)
    users = [
        DemoUser(email, name, "founder", None, None, first_venture[email] - timedelta(hours=2))
        for email, name in founders
    ]
    return users, ventures


def _companies_house_number(rng: random.Random, taken: set[int]) -> str:
    """A fresh number with the prefix ZZ, which Companies House never issues: clearly fake."""
    number = rng.randint(1, 999_999)
    while number in taken:
        number = rng.randint(1, 999_999)
    taken.add(number)
    return f"ZZ{number:06d}"


def _weighted(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(tuple(weights), tuple(weights.values()))[0]


def _instruments(rng: random.Random, stage: str) -> tuple[str, ...]:
    if stage == "proof_of_concept":
        return ("grant", "equity") if rng.random() < 0.1 else ("grant",)
    chosen = ["convertible" if stage == "pre_seed" and rng.random() < 0.3 else "equity"]
    extras = {
        "pre_seed": {"grant": 0.2, "equity": 0.2},
        "seed": {"convertible": 0.3, "grant": 0.1, "loan": 0.05},
        "series_a": {"loan": 0.15, "revenue_based_finance": 0.05},
        "series_b": {"loan": 0.25, "revenue_based_finance": 0.08},
        "growth": {"loan": 0.3, "revenue_based_finance": 0.08},
    }[stage]
    chosen += [code for code, p in extras.items() if code not in chosen and rng.random() < p]
    return tuple(chosen)


def _eis(
    rng: random.Random,
    stage: str,
    raise_gbp: int,
    incorporated_on: date | None,
    today: date,
    knowledge_intensive: bool,
) -> bool:
    """EIS: incorporated, young enough and raising within the annual limit."""
    if incorporated_on is None or stage == "proof_of_concept":
        return False
    max_age = 10 if knowledge_intensive else 7
    limit = EIS_MAX_RAISE_KNOWLEDGE_INTENSIVE if knowledge_intensive else EIS_MAX_RAISE
    young = (today - incorporated_on).days < 365 * max_age
    return young and raise_gbp <= limit and rng.random() < 0.85


def _seis(
    rng: random.Random,
    stage: str,
    raise_gbp: int,
    incorporated_on: date | None,
    today: date,
    team: int,
) -> bool:
    """SEIS: only small, early raises by companies under three years old with few staff."""
    if incorporated_on is None or stage not in {"pre_seed", "seed"}:
        return False
    young = (today - incorporated_on).days < 3 * 365
    return young and raise_gbp <= SEIS_MAX_RAISE and team <= 25 and rng.random() < 0.8
