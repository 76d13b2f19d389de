"""The API's rate limit per token: a bucket of a minute's calls, refilled steadily."""

from __future__ import annotations

import pytest

from referwell.web.ratelimit import RateLimited, RateLimiter


def test_a_minutes_calls_at_once_then_one_every_interval() -> None:
    limiter = RateLimiter(per_minute=60)
    for _ in range(60):
        limiter.take(1, now=100.0)
    with pytest.raises(RateLimited) as refused:
        limiter.take(1, now=100.0)
    assert refused.value.retry_after == 1
    limiter.take(1, now=101.0)  # one call back a second later
    with pytest.raises(RateLimited):
        limiter.take(1, now=101.5)


def test_each_token_has_its_own_bucket() -> None:
    limiter = RateLimiter(per_minute=1)
    limiter.take(1, now=0.0)
    limiter.take(2, now=0.0)
    with pytest.raises(RateLimited) as refused:
        limiter.take(1, now=1.0)
    assert refused.value.retry_after == 59


def test_a_refused_call_counts_for_nothing() -> None:
    limiter = RateLimiter(per_minute=2)
    limiter.take(1, now=0.0)
    limiter.take(1, now=0.0)
    for _ in range(100):
        with pytest.raises(RateLimited):
            limiter.take(1, now=10.0)
    limiter.take(1, now=30.0)


def test_full_buckets_are_forgotten_when_there_are_many(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(RateLimiter, "PRUNE_ABOVE", 3)
    limiter = RateLimiter(per_minute=60)
    for key in range(5):
        limiter.take(key, now=0.0)
    limiter.take(99, now=120.0)
    assert set(limiter._buckets) == {99}
