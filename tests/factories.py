"""factory_boy factories bound to the test session (see the `session` fixture).

Every factory writes a complete, valid row with real taxonomy codes; override what a test is
about and nothing else: `VentureFactory(stage="series_a")`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import cache

import factory
from factory.alchemy import SQLAlchemyModelFactory
from sqlmodel import Session

from webapp import models
from webapp.models.enums import DealStage, IntroductionStatus, Role, Visibility
from webapp.services.accounts.passwords import hash_password

DEFAULT_PASSWORD = "correct-horse-battery-staple"


@cache
def default_password_hash() -> str:
    """Hash once per run with the app's own parameters (so sign-in doesn't rehash)."""
    return hash_password(DEFAULT_PASSWORD)


class BaseFactory(SQLAlchemyModelFactory):  # type: ignore[misc]
    """Commits each object so other sessions (the app, workers) see it."""

    class Meta:
        abstract = True
        sqlalchemy_session = None
        sqlalchemy_session_persistence = "commit"


class OrganisationFactory(BaseFactory):
    class Meta:
        model = models.Organisation

    name = factory.Sequence(lambda n: f"Pennine Capital {n}")
    kind = "investor"


class UserFactory(BaseFactory):
    class Meta:
        model = models.User

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    name = factory.Sequence(lambda n: f"Test User {n}")
    role = Role.FOUNDER.value
    password_hash = factory.LazyFunction(default_password_hash)
    email_verified_at = factory.LazyFunction(lambda: datetime.now(UTC))


class FounderFactory(UserFactory):
    role = Role.FOUNDER.value


class InvestorUserFactory(UserFactory):
    role = Role.INVESTOR.value
    organisation_id = factory.LazyFunction(lambda: OrganisationFactory().id)


class StaffFactory(UserFactory):
    """Platform-wide staff by default (the platform team); `platform_wide=False` for staff who
    see only the programmes they are assigned to."""

    role = Role.STAFF.value

    @factory.post_generation
    def platform_wide(self, create: bool, extracted: bool | None, **_: object) -> None:
        if create and extracted is not False:
            session = StaffFactory._meta.sqlalchemy_session
            session.add(models.PlatformStaff(user_id=self.id))
            session.commit()


class AdminFactory(UserFactory):
    role = Role.ADMIN.value


class VentureFactory(BaseFactory):
    class Meta:
        model = models.Venture

    owner_id = factory.LazyFunction(lambda: FounderFactory().id)
    name = factory.Sequence(lambda n: f"Tyne Diagnostics {n}")
    summary = "Point-of-care diagnostics for sepsis, spun out of a Newcastle research group."
    sectors = factory.LazyFunction(lambda: ["diagnostics"])
    stage = "seed"
    raise_amount_gbp = 750_000
    instruments = factory.LazyFunction(lambda: ["equity"])
    region = "north_east_ca"
    institution = "newcastle"
    spinout = True
    incorporated_on = date(2023, 3, 1)
    trl = 4
    team_size = 6
    visibility = Visibility.PUBLISHED.value
    published_at = factory.LazyFunction(lambda: datetime.now(UTC))


class InvestorProfileFactory(BaseFactory):
    class Meta:
        model = models.InvestorProfile

    organisation_id = factory.LazyFunction(lambda: OrganisationFactory().id)
    name = factory.Sequence(lambda n: f"Northern Health Fund {n}")
    investor_type = "vc"
    sectors = factory.LazyFunction(lambda: ["life_sciences"])
    stages = factory.LazyFunction(lambda: ["seed", "series_a"])
    ticket_min_gbp = 250_000
    ticket_max_gbp = 2_000_000
    regions = factory.LazyFunction(lambda: ["north_east", "north_west", "yorkshire_humber"])
    instruments = factory.LazyFunction(lambda: ["equity", "convertible"])
    thesis = "Diagnostics, medtech and digital health from Northern universities."
    hq_region = "greater_manchester_ca"


class IntroductionFactory(BaseFactory):
    class Meta:
        model = models.Introduction

    venture_id = factory.LazyFunction(lambda: VentureFactory().id)
    investor_id = factory.LazyFunction(lambda: InvestorProfileFactory().id)
    requested_by_role = Role.INVESTOR.value
    status = IntroductionStatus.REQUESTED.value


class DealFactory(BaseFactory):
    class Meta:
        model = models.Deal

    introduction = factory.SubFactory(IntroductionFactory, status=IntroductionStatus.ACCEPTED.value)
    introduction_id = factory.SelfAttribute("introduction.id")
    venture_id = factory.SelfAttribute("introduction.venture_id")
    investor_id = factory.SelfAttribute("introduction.investor_id")
    stage = DealStage.ACCEPTED.value

    @classmethod
    def _create(cls, model_class, *args, **kwargs):  # type: ignore[no-untyped-def]
        kwargs.pop("introduction", None)
        return super()._create(model_class, *args, **kwargs)


class DealEventFactory(BaseFactory):
    class Meta:
        model = models.DealEvent

    deal_id = factory.LazyFunction(lambda: DealFactory().id)
    stage = DealStage.INVESTED.value


class MatchImpressionFactory(BaseFactory):
    class Meta:
        model = models.MatchImpression

    venture_id = factory.LazyFunction(lambda: VentureFactory().id)
    investor_id = factory.LazyFunction(lambda: InvestorProfileFactory().id)


def _concrete_factories(base: type[BaseFactory]) -> list[type[BaseFactory]]:
    found = []
    for sub in base.__subclasses__():
        found.append(sub)
        found.extend(_concrete_factories(sub))
    return found


def bind(session: Session) -> None:
    """Point every factory (including ones other test modules define) at the test's session."""
    for factory_class in _concrete_factories(BaseFactory):
        factory_class._meta.sqlalchemy_session = session
