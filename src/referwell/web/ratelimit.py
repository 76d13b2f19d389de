"""The JSON API's rate limit per API token: a token bucket in this process.

Each token may make `per_minute` calls a minute, in a burst or spread out: its
bucket holds `per_minute` calls and refills at `per_minute / 60` a second. A
call that finds it empty is refused with the seconds until one is back
(`RateLimited`, answered 429 with `Retry-After`). The buckets live in the
process: with several worker processes each counts its own calls (document
the effective limit as workers × `api_requests_per_minute`).
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass


class RateLimited(Exception):  # noqa: N818 - named for what happened
    """Too many calls with one API token; `retry_after` whole seconds to wait."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many requests; try again in {retry_after} s")
        self.retry_after = retry_after


@dataclass(slots=True)
class _Bucket:
    calls: float
    at: float


class RateLimiter:
    """Calls per minute per key (an API token's id); thread-safe."""

    # Full buckets are dropped when there are more than this many (they hold no state).
    PRUNE_ABOVE = 10_000

    def __init__(self, per_minute: int) -> None:
        if per_minute < 1:
            raise ValueError("per_minute must be at least 1")
        self.per_minute = per_minute
        self._rate = per_minute / 60.0
        self._buckets: dict[int, _Bucket] = {}
        self._lock = threading.Lock()

    def take(self, key: int, now: float) -> None:
        """Count one call under `key` at `now` (seconds); raise `RateLimited` if none is left."""
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                if len(self._buckets) >= self.PRUNE_ABOVE:
                    self._prune(now)
                bucket = self._buckets[key] = _Bucket(float(self.per_minute), now)
            else:
                elapsed = max(0.0, now - bucket.at)
                bucket.calls = min(float(self.per_minute), bucket.calls + elapsed * self._rate)
                bucket.at = now
            if bucket.calls < 1.0:
                raise RateLimited(max(1, math.ceil((1.0 - bucket.calls) / self._rate)))
            bucket.calls -= 1.0

    def _prune(self, now: float) -> None:
        full = [
            key
            for key, bucket in self._buckets.items()
            if bucket.calls + (now - bucket.at) * self._rate >= self.per_minute
        ]
        for key in full:
            del self._buckets[key]
