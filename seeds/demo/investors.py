"""Fictional investor organisations, their members and mandates, drawn by funder type."""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import timedelta

from reference.taxonomy import ReferenceData
from seeds.demo import distributions as dist
from seeds.demo.clock import Clock
from seeds.demo.names import UniqueNames, demo_email, firm_name, person_name, website_for
from seeds.demo.places import NORTHERN_REGIONS, Places
from seeds.demo.records import DemoInvestor, DemoOrganisation, DemoUser
from seeds.demo.text import investor_thesis

# How often each type is sector-agnostic (an empty sector list means "any").
GENERALIST_SHARE = {
    "angel": 0.25, "angel_network": 0.5, "vc": 0.3, "corporate_vc": 0.0,
    "university_fund": 0.5, "pension_fund": 0.6, "public_fund": 0.7, "grant_body": 0.3,
    "family_office": 0.5, "accelerator": 0.4,
}  # fmt: skip
# How often each type's regional mandate is strict (a hard filter rather than a preference).
STRICT_SHARE = {
    "angel": 0.1, "angel_network": 0.15, "vc": 0.05, "corporate_vc": 0.0,
    "university_fund": 0.3, "pension_fund": 0.6, "public_fund": 0.85, "grant_body": 0.5,
    "family_office": 0.05, "accelerator": 0.3,
}  # fmt: skip
# Mandate scope weights per type: own area, own region, the whole North, the whole UK.
SCOPE_WEIGHTS = {
    "angel": (0.25, 0.3, 0.3, 0.15),
    "public_fund": (0.4, 0.4, 0.2, 0.0),
    "grant_body": (0.1, 0.3, 0.3, 0.3),
    "pension_fund": (0.0, 0.3, 0.7, 0.0),
    "university_fund": (0.2, 0.3, 0.5, 0.0),
    "accelerator": (0.4, 0.3, 0.2, 0.1),
}
DEFAULT_SCOPE_WEIGHTS = (0.05, 0.15, 0.45, 0.35)
# Where firms sit: angels, networks and public money are local; many of the venture and corporate
# funds a Northern company meets are London-based, which is why companies move south to raise.
NORTHERN_HQ_SHARE: dict[str, float] = {"vc": 0.5, "corporate_vc": 0.35, "family_office": 0.7}
DEFAULT_NORTHERN_HQ_SHARE = 0.9
UK_WIDE_SHARE_FROM_ELSEWHERE = 0.7
# The demo investor's fund: the demo founder's ventures (digital health, quantum) fall inside it.
DEMO_FUND_SECTORS = ("digital_technologies", "life_sciences")
DEMO_FUND_TICKETS = (100_000, 5_000_000)
ACTIVE_SHARE = 0.93
EXCLUDE_DEFENCE_SHARE = 0.15


@dataclass(frozen=True)
class InvestorFactory:
    """Draws investor organisations and mandates from a seeded random stream."""

    reference: ReferenceData
    places: Places
    clock: Clock

    def investor_type(self, rng: random.Random) -> str:
        """A funder type, in the proportions seen among early-stage funders in the North."""
        return rng.choices(tuple(dist.FUNDERS), [p.share for p in dist.FUNDERS.values()])[0]

    def _sectors(self, rng: random.Random, investor_type: str) -> tuple[str, ...]:
        if rng.random() < GENERALIST_SHARE[investor_type]:
            return ()
        top = [s.code for s in self.reference.sectors if s.parent is None]
        # A specialist knows one or two growth sectors, and names them or niches within them.
        homes = rng.sample(top, 1 if investor_type == "corporate_vc" or rng.random() < 0.6 else 2)
        chosen: list[str] = []
        for home in homes:
            niches = sorted(self.reference.sector_descendants(home) - {home})
            if investor_type != "corporate_vc" and rng.random() < 0.35:
                chosen.append(home)
            else:
                chosen.extend(rng.sample(niches, min(len(niches), rng.randint(1, 3))))
        return tuple(chosen)

    def _excluded(self, rng: random.Random, sectors: tuple[str, ...]) -> tuple[str, ...]:
        covered = {a for s in sectors for a in self.reference.sector_ancestors(s)}
        if "defence" not in covered and rng.random() < EXCLUDE_DEFENCE_SHARE:
            return ("defence",)
        return ()

    def _stages(self, rng: random.Random, profile: dist.FunderProfile) -> tuple[str, ...]:
        stages = profile.stages
        if len(stages) == 1 or rng.random() < 0.6:
            return stages
        start = rng.randrange(len(stages))
        end = rng.randrange(start, len(stages))
        return stages[start : end + 1]

    def _tickets(self, rng: random.Random, profile: dist.FunderProfile) -> tuple[int, int]:
        low = dist.round_money(dist.log_uniform(rng, *profile.ticket_min))
        high = dist.round_money(dist.log_uniform(rng, *profile.ticket_max))
        return low, max(high, low * 2)

    def _regions(self, rng: random.Random, investor_type: str, hq: str) -> tuple[str, ...]:
        weights = SCOPE_WEIGHTS.get(investor_type, DEFAULT_SCOPE_WEIGHTS)
        scope = rng.choices(("area", "region", "north", "uk"), weights)[0]
        if not self.reference.is_northern(hq):
            # A fund based elsewhere backs the whole UK, or names the whole North.
            scope = "uk" if rng.random() < UK_WIDE_SHARE_FROM_ELSEWHERE else "north"
        if scope == "area":
            return (hq,)
        if scope == "region":
            return (self.places.region_of_area(hq),)
        return NORTHERN_REGIONS if scope == "north" else ("uk",)

    def _institutions(self, rng: random.Random, investor_type: str, hq: str) -> tuple[str, ...]:
        if investor_type == "university_fund":
            first = self.places.spinout_institution(rng)
            nearby = [i.code for i in self.places.institutions_in(first.region) if i != first]
            extra = rng.sample(nearby, min(len(nearby), rng.choice((0, 0, 1, 2))))
            return (first.code, *extra)
        if investor_type == "accelerator" and rng.random() < 0.3:
            local = self.places.institutions_in(hq) or self.reference.institutions
            return (rng.choice(local).code,)
        return ()

    def build(
        self,
        rng: random.Random,
        names: UniqueNames,
        investor_type: str,
        hq: str,
        *,
        demo: bool = False,
    ) -> tuple[DemoOrganisation, DemoInvestor]:
        """One organisation and its mandate (members are added by the caller); the `demo` fund
        backs digital and life-science ventures across the whole North and is taking deals."""
        profile = dist.FUNDERS[investor_type]
        name = names.claim(firm_name(rng, investor_type))
        institutions = self._institutions(rng, investor_type, hq)
        if institutions:  # a university fund sits where its universities are
            hq = self.reference.institution_by_code[institutions[0]].region
        sectors = DEMO_FUND_SECTORS if demo else self._sectors(rng, investor_type)
        stages = profile.stages if demo else self._stages(rng, profile)
        ticket_min, ticket_max = DEMO_FUND_TICKETS if demo else self._tickets(rng, profile)
        regions = NORTHERN_REGIONS if demo else self._regions(rng, investor_type, hq)
        seis = rng.random() < profile.seis and bool({"pre_seed", "seed"} & set(stages))
        instruments = profile.instruments[:1] + tuple(
            code for code in profile.instruments[1:] if rng.random() < 0.5
        )
        investor = DemoInvestor(
            organisation=name,
            name=name,
            investor_type=investor_type,
            sectors=sectors,
            excluded_sectors=self._excluded(rng, sectors),
            stages=stages,
            ticket_min_gbp=ticket_min,
            ticket_max_gbp=ticket_max,
            regions=regions,
            regions_strict=rng.random() < STRICT_SHARE[investor_type],
            instruments=instruments,
            thesis=investor_thesis(
                rng,
                self.reference,
                self.places,
                investor_type=investor_type,
                sectors=sectors,
                stages=stages,
                regions=regions,
                ticket_min_gbp=ticket_min,
                ticket_max_gbp=ticket_max,
                institutions=institutions,
            ),
            eis=seis or rng.random() < profile.eis,
            seis=seis,
            institutions=institutions,
            hq_region=hq,
            active=demo or rng.random() < ACTIVE_SHARE,
            member_emails=(),
        )
        return DemoOrganisation(name, "investor", website_for(name)), investor

    def headquarters(self, rng: random.Random, investor_type: str) -> str:
        """Where a firm is based: mostly the North, otherwise mostly London."""
        if rng.random() < NORTHERN_HQ_SHARE.get(investor_type, DEFAULT_NORTHERN_HQ_SHARE):
            return self.places.northern_area(rng)
        return "london" if rng.random() < 0.7 else self.places.other_area(rng)


def generate_investors(
    rng: random.Random,
    factory: InvestorFactory,
    count: int,
    *,
    demo_investor_email: str,
    progress: Iterable[int] | None = None,
) -> tuple[list[DemoUser], list[DemoOrganisation], list[DemoInvestor]]:
    """`count` organisations with one or two members each; the demo investor joins the first,
    which is always a Northern venture fund that is taking deals."""
    users: list[DemoUser] = []
    organisations: list[DemoOrganisation] = []
    investors: list[DemoInvestor] = []
    names = UniqueNames()
    for index in progress if progress is not None else range(count):
        if index == 0:
            investor_type, hq = "vc", "greater_manchester_ca"
        else:
            investor_type = factory.investor_type(rng)
            hq = factory.headquarters(rng, investor_type)
        organisation, investor = factory.build(rng, names, investor_type, hq, demo=index == 0)
        joined = factory.clock.start - timedelta(days=rng.randint(1, 400))
        members: list[str] = [demo_investor_email] if index == 0 else []
        for _ in range(1 if rng.random() < 0.6 else 2):
            person = person_name(rng)
            email = demo_email(person, len(users) + 1, tag="inv")
            members.append(email)
            users.append(DemoUser(email, person, "investor", organisation.name, None, joined))
        organisations.append(organisation)
        investors.append(replace(investor, member_emails=tuple(members)))
    return users, organisations, investors
