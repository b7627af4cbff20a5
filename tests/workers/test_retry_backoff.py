"""`VENTUREMATCH_WORKER_RETRY_BACKOFF_MAX_S` decides how long a task waits before a retry."""

from __future__ import annotations

import pytest

from workers.base import retry_countdown
from workers.tuning import WorkerTuning


def _cap(environ: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> int:
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    return WorkerTuning().retry_backoff_max_s


def test_the_setting_caps_the_backoff_of_a_late_retry(monkeypatch: pytest.MonkeyPatch) -> None:
    short = _cap({"VENTUREMATCH_WORKER_RETRY_BACKOFF_MAX_S": "3"}, monkeypatch)
    long = _cap(
        {
            "VENTUREMATCH_WORKER_RETRY_BACKOFF_MAX_S": "300",
            "VENTUREMATCH_WORKER_VISIBILITY_TIMEOUT_S": "900",
        },
        monkeypatch,
    )
    short_waits = [retry_countdown(10, None, short) for _ in range(200)]
    long_waits = [retry_countdown(10, None, long) for _ in range(200)]
    assert max(short_waits) <= 3
    assert max(long_waits) > 40  # above the former hard-coded cap: the setting is what counts
    assert max(long_waits) <= 300


def test_a_chosen_countdown_is_kept_under_the_cap_and_capped_over_it() -> None:
    assert retry_countdown(0, 1.5, 40) == 1.5
    assert retry_countdown(0, 100.0, 40) == 40


def test_the_cap_must_fit_inside_the_visibility_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VENTUREMATCH_WORKER_RETRY_BACKOFF_MAX_S", "100")
    monkeypatch.setenv("VENTUREMATCH_WORKER_VISIBILITY_TIMEOUT_S", "120")
    with pytest.raises(ValueError, match="RETRY_BACKOFF_MAX_S=100 must be at most half"):
        WorkerTuning()
