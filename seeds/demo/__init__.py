"""Deterministic, clearly fictional demo data: `generate` builds it, `seeds.demo.load` stores it."""

from seeds.demo.accounts import DEMO_ACCOUNTS
from seeds.demo.generator import generate
from seeds.demo.records import (
    DemoAccount,
    DemoDataset,
    DemoDeal,
    DemoDealEvent,
    DemoFeedback,
    DemoIntroduction,
    DemoInvestor,
    DemoOrganisation,
    DemoPortfolioDeal,
    DemoUser,
    DemoVenture,
)

__all__ = [
    "DEMO_ACCOUNTS",
    "DemoAccount",
    "DemoDataset",
    "DemoDeal",
    "DemoDealEvent",
    "DemoFeedback",
    "DemoIntroduction",
    "DemoInvestor",
    "DemoOrganisation",
    "DemoPortfolioDeal",
    "DemoUser",
    "DemoVenture",
    "generate",
]
