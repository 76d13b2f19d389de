"""The arithmetic of sign-in throttling: the growing delay, the keys names are counted under."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from referwell.services.accounts.throttle import (
    ACCOUNT,
    ADDRESS,
    MAX_DELAY,
    Refusal,
    account_key,
    address_key,
    delay_after,
)


def test_an_account_waits_from_the_third_failure_on_twice_as_long_each_time_at_most_a_minute() -> (
    None
):
    waits = [delay_after(failures, ACCOUNT).total_seconds() for failures in range(1, 12)]
    assert waits == [0, 0, 1, 2, 4, 8, 16, 32, 60, 60, 60]
    assert delay_after(10_000, ACCOUNT) == MAX_DELAY


def test_an_address_waits_from_the_tenth_failure_on() -> None:
    waits = [delay_after(failures, ADDRESS).total_seconds() for failures in range(8, 13)]
    assert waits == [0, 0, 1, 2, 4]


def test_a_name_is_counted_however_it_is_typed_and_never_kept_in_clear() -> None:
    assert account_key("clin") == account_key(" CLIN ") == account_key("Clin")
    assert account_key("clin") != account_key("clin2")
    assert "clin" not in account_key("clin")
    assert len(account_key("clin")) == len(address_key("192.0.2.1")) == 64
    assert account_key("192.0.2.1") != address_key("192.0.2.1")


def test_a_refusal_says_whole_seconds_to_wait_at_least_one() -> None:
    now = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    assert Refusal(now + timedelta(seconds=1.2), locked=False).seconds_left(now) == 2
    assert Refusal(now + timedelta(milliseconds=1), locked=False).seconds_left(now) == 1
    assert Refusal(now + timedelta(minutes=15), locked=True).seconds_left(now) == 900
