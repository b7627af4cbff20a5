"""`--set name=value`: validation experiments that change one of the product's defaults."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import TypeVar

from matching.config import FeatureConfig, TrainingConfig

Settings = TypeVar("Settings", FeatureConfig, TrainingConfig)


def _numbers(settings: FeatureConfig | TrainingConfig) -> dict[str, type]:
    """The numeric settings and their types (`disabled` is for ablation, not for --set)."""
    return {f.name: int if f.type in ("int", int) else float for f in dataclasses.fields(settings)
            if f.type in ("int", "float", int, float)}  # fmt: skip


def _override(settings: Settings, name: str, value: str) -> Settings:
    try:
        number = _numbers(settings)[name](value)
    except ValueError:
        raise SystemExit(f"--set {name}={value}: {value!r} is not a number") from None
    return dataclasses.replace(settings, **{name: number})


def settings_from(pairs: Sequence[str]) -> tuple[FeatureConfig, TrainingConfig]:
    """`--set name=value` overrides of the product's defaults (validation experiments only)."""
    config, training = FeatureConfig(), TrainingConfig()
    for pair in pairs:
        name, _, value = pair.partition("=")
        if name in _numbers(config):
            config = _override(config, name, value)
        elif name in _numbers(training):
            training = _override(training, name, value)
        else:
            known = ", ".join([*_numbers(config), *_numbers(training)])
            raise SystemExit(f"--set {pair}: unknown setting; expected one of {known}")
    return config, training
