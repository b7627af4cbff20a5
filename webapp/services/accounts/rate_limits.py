"""Counting attempts in moving windows, in Redis when it answers and in process memory when not.

A rate limit must never turn a Redis outage into failed requests: any storage error switches
this process to in-memory counting for `REDIS_RETRY_S`, then Redis is tried again.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from limits import RateLimitItem, parse
from limits.errors import StorageError
from limits.storage import MemoryStorage, RedisStorage
from limits.strategies import MovingWindowRateLimiter
from redis.exceptions import RedisError

T = TypeVar("T")
REDIS_TIMEOUT_S = 0.25
REDIS_RETRY_S = 30.0
KEY_PREFIX = "venturematch-limits"


@dataclass(frozen=True)
class Verdict:
    """Whether the next attempt may go ahead, and if not, in how many seconds it may."""

    allowed: bool
    retry_after_s: int = 0


class Throttle:
    """Moving-window counters keyed by rule and identifiers (IP, account, …)."""

    def __init__(self, redis_url: str | None) -> None:
        self._memory = MovingWindowRateLimiter(MemoryStorage())
        self._redis_storage: RedisStorage | None = None
        self._redis: MovingWindowRateLimiter | None = None
        if redis_url:
            self._redis_storage = RedisStorage(
                redis_url,
                key_prefix=KEY_PREFIX,
                wrap_exceptions=True,
                socket_timeout=REDIS_TIMEOUT_S,
                socket_connect_timeout=REDIS_TIMEOUT_S,
            )
            self._redis = MovingWindowRateLimiter(self._redis_storage)
        self._redis_down_until = 0.0
        self._lock = threading.Lock()

    @property
    def using_redis(self) -> bool:
        """False while this process is counting in memory because Redis failed."""
        return self._redis is not None and time.monotonic() >= self._redis_down_until

    def _run(self, action: Callable[[MovingWindowRateLimiter], T]) -> T:
        if self._redis is not None and self.using_redis:
            try:
                return action(self._redis)
            except (StorageError, RedisError, OSError):
                with self._lock:
                    self._redis_down_until = time.monotonic() + REDIS_RETRY_S
        return action(self._memory)

    def check(self, rule: str, *key: str) -> Verdict:
        """Would one more attempt be allowed? (Counts nothing.)"""
        item = parse(rule)
        return self._run(lambda limiter: _verdict(limiter, item, key, limiter.test(item, *key)))

    def hit(self, rule: str, *key: str) -> Verdict:
        """Count one attempt; the verdict says whether it was within the limit."""
        item = parse(rule)
        return self._run(lambda limiter: _verdict(limiter, item, key, limiter.hit(item, *key)))

    def clear(self, rule: str, *key: str) -> None:
        """Forget the attempts counted under this rule and key (e.g. after a good sign-in)."""
        item = parse(rule)
        self._run(lambda limiter: limiter.clear(item, *key))

    def close(self) -> None:
        """Release the Redis connections."""
        if self._redis_storage is not None:
            self._redis_storage.storage.connection_pool.disconnect()


def _verdict(
    limiter: MovingWindowRateLimiter, item: RateLimitItem, key: tuple[str, ...], allowed: bool
) -> Verdict:
    if allowed:
        return Verdict(allowed=True)
    reset_at = limiter.get_window_stats(item, *key).reset_time
    return Verdict(allowed=False, retry_after_s=max(1, math.ceil(reset_at - time.time())))
