"""Factories for the staff area: deal events, matches, programmes and their members."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import factory

from tests.factories import (
    BaseFactory,
    DealFactory,
    OrganisationFactory,
    StaffFactory,
    VentureFactory,
)
from webapp import models


class DealEventFactory(BaseFactory):
    class Meta:
        model = models.DealEvent

    deal_id = factory.LazyFunction(lambda: DealFactory().id)
    stage = "accepted"
    at = factory.LazyFunction(lambda: datetime.now(UTC))


class MatchFactory(BaseFactory):
    class Meta:
        model = models.Match

    venture_id = factory.LazyFunction(lambda: VentureFactory().id)
    investor_id = 0
    score = 0.8
    venture_rank = 1
    investor_rank = 1
    model_version = "prior-test"


class ProgrammeFactory(BaseFactory):
    class Meta:
        model = models.Programme

    name = factory.Sequence(lambda n: f"Tees Valley Accelerator cohort {n}")
    description = "A twelve-week accelerator for spinouts from Teesside."


class ProgrammeVentureFactory(BaseFactory):
    class Meta:
        model = models.ProgrammeVenture

    programme_id = factory.LazyFunction(lambda: ProgrammeFactory().id)
    venture_id = factory.LazyFunction(lambda: VentureFactory().id)


class ProgrammeMemberFactory(BaseFactory):
    """A staff member assigned to a programme (by default one who sees only their programmes)."""

    class Meta:
        model = models.ProgrammeMember

    programme_id = factory.LazyFunction(lambda: ProgrammeFactory().id)
    user_id = factory.LazyFunction(lambda: StaffFactory(platform_wide=False).id)


class EnrolmentRequestFactory(BaseFactory):
    """Staff asking a founder to enrol an unpublished venture (pending)."""

    class Meta:
        model = models.EnrolmentRequest

    programme_id = factory.LazyFunction(lambda: ProgrammeFactory().id)
    venture_id = factory.LazyFunction(lambda: VentureFactory(visibility="draft").id)
    requested_by = factory.LazyFunction(lambda: StaffFactory().id)
    status = "pending"


class MemberInvitationFactory(BaseFactory):
    """An open invitation to manage an investor organisation's mandate."""

    class Meta:
        model = models.MemberInvitation

    organisation_id = factory.LazyFunction(lambda: OrganisationFactory().id)
    email = factory.Sequence(lambda n: f"colleague{n}@example.org")
    expires_at = factory.LazyFunction(lambda: datetime.now(UTC) + timedelta(days=14))
