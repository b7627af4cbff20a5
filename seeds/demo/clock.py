"""Demo time: every timestamp falls in a fixed window ending on the dataset's `as_of` date."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

HISTORY_DAYS = 540  # introductions, feedback and deals span the last ~18 months


@dataclass(frozen=True)
class Clock:
    """Turns random draws into UTC timestamps inside the demo window."""

    today: date

    @property
    def end(self) -> datetime:
        """The latest instant any demo record may carry: the start of `today`, never the future.

        (Ending later in the day put `updated_at` values after the moment a demo was loaded,
        so the first full refresh saw those ventures as changed again.)
        """
        return datetime.combine(self.today, time(0, 0), tzinfo=UTC)

    @property
    def start(self) -> datetime:
        """The earliest instant of platform activity."""
        return self.end - timedelta(days=HISTORY_DAYS)

    def instant(self, rng: random.Random, *, not_before: date | datetime | None = None) -> datetime:
        """A whole-second UTC time between `not_before` (or the window's start) and the end."""
        low = self.start
        if isinstance(not_before, datetime):
            low = max(low, not_before)
        elif isinstance(not_before, date):
            low = max(low, datetime.combine(not_before, time(9, 0), tzinfo=UTC))
        span = max(0, int((self.end - low).total_seconds()))
        return low + timedelta(seconds=rng.randint(0, span))

    def after(
        self, rng: random.Random, moment: datetime, min_days: float, max_days: float
    ) -> datetime:
        """A time some days after `moment` (it may pass the window's end: callers check)."""
        return moment + timedelta(seconds=int(rng.uniform(min_days, max_days) * 86_400))

    def day_in_past(self, rng: random.Random, min_days: int, max_days: int) -> date:
        """A calendar date between `min_days` and `max_days` before today."""
        return self.today - timedelta(days=rng.randint(min_days, max_days))
