"""Ctrl-C during a long write stops it for certain: Python raises KeyboardInterrupt
wherever the main thread is, and inside a garbage-collector callback that exception is
printed as "ignored" and lost. `ctrl_c_noticed` remembers the signal, so the next step
raises it again."""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Iterator

import pytest

from referwell.cli.common import ctrl_c_noticed


@pytest.fixture
def ctrl_c_raises() -> Iterator[None]:
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


class _PressedWhileCollected:
    def __del__(self) -> None:
        signal.raise_signal(signal.SIGINT)  # the handler runs here, in a finaliser


def test_ctrl_c_lost_in_a_finaliser_is_raised_at_the_next_step(
    ctrl_c_raises: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    lost: list[type[BaseException] | None] = []
    monkeypatch.setattr(sys, "unraisablehook", lambda unraisable: lost.append(unraisable.exc_type))
    with ctrl_c_noticed() as stop_if_pressed:
        stop_if_pressed()  # nothing pressed yet: nothing happens
        _PressedWhileCollected()  # collected at once; its KeyboardInterrupt is "ignored"
        assert lost == [KeyboardInterrupt]
        with pytest.raises(KeyboardInterrupt):
            stop_if_pressed()
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # put back


def test_ctrl_c_ignored_stays_ignored() -> None:
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        with ctrl_c_noticed() as stop_if_pressed:
            assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
            signal.raise_signal(signal.SIGINT)
            stop_if_pressed()  # ignored: goes on
    finally:
        signal.signal(signal.SIGINT, previous)


def test_off_the_main_thread_nothing_changes() -> None:
    seen: list[object] = []

    def run() -> None:
        with ctrl_c_noticed() as stop_if_pressed:
            stop_if_pressed()
            seen.append(signal.getsignal(signal.SIGINT))

    before = signal.getsignal(signal.SIGINT)
    worker = threading.Thread(target=run)
    worker.start()
    worker.join()
    assert seen == [before]
