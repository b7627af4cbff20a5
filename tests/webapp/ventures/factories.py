"""Factories for the read side of rankings and the notification centre (bound like the rest)."""

from __future__ import annotations

import factory

from tests.factories import BaseFactory, InvestorProfileFactory, UserFactory, VentureFactory
from webapp import models


class MatchFactory(BaseFactory):
    class Meta:
        model = models.Match

    venture_id = factory.LazyFunction(lambda: VentureFactory().id)
    investor_id = factory.LazyFunction(lambda: InvestorProfileFactory().id)
    score = 0.8
    venture_rank = 1
    investor_rank = 1
    reasons = factory.LazyFunction(
        lambda: [
            {"code": "sector_fit", "text": "Invests in diagnostics", "effect": "+"},
            {"code": "ticket_fit", "text": "The raise is inside the ticket range", "effect": "+"},
        ]
    )
    model_version = "prior-test"


class FeedbackFactory(BaseFactory):
    class Meta:
        model = models.Feedback

    investor_id = factory.LazyFunction(lambda: InvestorProfileFactory().id)
    venture_id = factory.LazyFunction(lambda: VentureFactory().id)
    action = "shortlist"


class NotificationFactory(BaseFactory):
    class Meta:
        model = models.Notification

    user_id = factory.LazyFunction(lambda: UserFactory().id)
    kind = "match.new"
    title = factory.Sequence(lambda n: f"New strong match {n}")
    body = "A venture in your mandate was published."
