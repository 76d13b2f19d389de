"""`referwell referrals poll`: hear back from partner practices (from cron or a systemd
timer, every `referral_poll_minutes`; never inside the web workers).

Every open outgoing referral to a partner is delivered if it was not yet (a failed
delivery is retried here), else its Task is read at the partner and the partner's changes
are recorded as the receiver's steps, each audited. Every open incoming referral from a
partner has the sender's Task read, and the sender's own closing steps (withdrawn, failed,
entered in error) are recorded as the sender's. `--loop` keeps polling every
`referral_poll_minutes` minutes until stopped (for a long-running service instead of a
timer).
"""

from __future__ import annotations

import time
from typing import Annotated

import typer

from referwell.cli.common import (
    DatabaseOption,
    database_url,
    operator,
    out,
    require_head,
    unit_of_work,
)
from referwell.cli.referrals import referrals_app

FAILED = 1


@referrals_app.command("poll")
def poll(
    practice: Annotated[
        int | None, typer.Option("--practice", help="Only this practice's referrals.")
    ] = None,
    loop: Annotated[
        bool,
        typer.Option(
            "--loop", help="Poll again every `referral_poll_minutes` minutes until stopped."
        ),
    ] = False,
    database: DatabaseOption = None,
) -> None:
    """Deliver undelivered referrals to partner practices and read back their status.

    Prints what was delivered, updated or failed (referral numbers only). The exit status
    is 1 when a partner could not be reached or refused (they are tried again next time).
    """
    from referwell.config import load_exchange_numbers
    from referwell.services.referrals.delivery import poll as poll_service

    url = database_url(database)
    require_head(url)
    minutes = load_exchange_numbers()["referral_poll_minutes"]
    while True:
        report = poll_service(unit_of_work(url), operator(), practice_id=practice)
        for done in report.delivered:
            what = "delivered" if done.ok else f"not delivered: {done.why}"
            out.print(f"referral {done.referral_id}: {what}", markup=False)
        for done in report.read:
            if not done.ok:
                out.print(f"referral {done.referral_id}: not read: {done.why}", markup=False)
            elif done.steps:
                out.print(
                    f"referral {done.referral_id}: {done.steps} change(s) recorded", markup=False
                )
        if not loop:
            break
        time.sleep(minutes * 60)
    if report.failed:
        raise typer.Exit(FAILED)
