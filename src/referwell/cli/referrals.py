"""`referwell referrals`: the practice's referrals at the command line: list them, print one
as a FHIR R4 Bundle, write its letter, and the follow-up worklist.

The actor is the operator (whoever runs the command, by their operating-system login): it
sees every practice's referrals. Every read is audited in the database it reads; the letter
and the Bundle carry only what the client's consent covers for the recipient.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from referwell.cli.common import (
    DatabaseOption,
    as_of_day,
    database_url,
    fail,
    operator,
    out,
    refuse,
    require_head,
)
from referwell.cli.helpstyle import App
from referwell.domain.errors import InvalidInput

if TYPE_CHECKING:
    from referwell.db.uow import UnitOfWork
    from referwell.services.auditing import ReadAudit
    from referwell.services.referrals.views import ReferralView

referrals_app = App(help="Referrals: list them, a referral's FHIR Bundle and letter, follow-up.")

T = TypeVar("T")


class ListFormat(StrEnum):
    text = "text"
    json = "json"


FormatOption = Annotated[
    ListFormat,
    typer.Option(
        "--format",
        "-f",
        help="text: one referral a line; json: a list of objects.",
        metavar="FORMAT",
    ),
]
AsOfOption = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        help="The day to read consent and follow-up on, YYYY-MM-DD (default today).",
        metavar="DATE",
    ),
]
ReferralId = Annotated[str, typer.Argument(help="The referral's number.", metavar="ID")]


@contextmanager
def _reading(url: str) -> Iterator[tuple[UnitOfWork, ReadAudit]]:
    """A unit of work on the database, and the read audit that commits with the command."""
    from referwell.db.engine import for_writing, make_engine, make_session_factory
    from referwell.db.uow import UnitOfWork
    from referwell.services.auditing import ImmediateReads

    require_head(url)
    engine = for_writing(make_engine(url))
    try:
        factory = make_session_factory(engine)
        with factory() as session:
            yield UnitOfWork(factory), ImmediateReads(session)
            session.commit()
    finally:
        engine.dispose()


def _one(referral_id: str, use: Callable[[int], T]) -> T:
    """`use(number)`, the referral's number checked; a referral that is not there, or that
    cannot be made into a letter or Bundle, exits 2 in one line."""
    from referwell.services.errors import NotFound

    if not referral_id.isdigit():
        fail(f'ID: a referral is named by its number; got "{referral_id}"')
    try:
        return use(int(referral_id))
    except NotFound:
        fail(f"ID: no referral {referral_id}")
    except InvalidInput as exc:
        refuse(exc)


def _row(view: ReferralView) -> dict[str, Any]:
    """A referral as the list shows it: its state and dates, no clinical text."""
    chosen = view.chosen
    return {
        "referral_id": view.referral_id,
        "practice_id": view.practice_id,
        "client_id": view.client_id,
        "clinician_id": view.clinician_id,
        "status": view.status,
        "business_status": view.business_status,
        "urgency": view.urgency,
        "need_service": view.need_service,
        "recipient": chosen[0].name if len(chosen) == 1 else None,
        "version": view.version,
        "sent_at": view.sent_at.isoformat() if view.sent_at else None,
        "appointment_on": view.appointment_on.isoformat() if view.appointment_on else None,
        "follow_up_on": view.follow_up_on.isoformat() if view.follow_up_on else None,
        "updated_at": view.updated_at.isoformat(),
    }


def _line(row: dict[str, Any]) -> str:
    to = f"to {row['recipient']}" if row["recipient"] else "no recipient chosen"
    sent = f", sent {row['sent_at'][:10]}" if row["sent_at"] else ""
    return (
        f"{row['referral_id']}  {row['status']} ({row['business_status'].replace('_', ' ')})  "
        f"client {row['client_id']}, {to}, {row['urgency']}{sent}"
    )


@referrals_app.command("list")
def list_command(
    output: FormatOption = ListFormat.text,
    include_closed: Annotated[
        bool,
        typer.Option("--all", help="Closed referrals too (completed, declined, cancelled …)."),
    ] = False,
    database: DatabaseOption = None,
) -> None:
    """List the outgoing referrals, newest change first: open ones, or every one with --all."""
    from referwell.services.referrals.worklist import list_referrals

    url = database_url(database)
    with _reading(url) as (uow, reads):
        rows = [
            _row(v) for v in list_referrals(uow, operator(), reads, include_closed=include_closed)
        ]
    if output is ListFormat.json:
        sys.stdout.write(json.dumps(rows, indent=2, ensure_ascii=False) + "\n")
        return
    if not rows:
        out.print("No referrals." if include_closed else "No open referrals.", markup=False)
    for row in rows:
        out.print(_line(row), markup=False, soft_wrap=True)


@referrals_app.command("bundle")
def bundle_command(
    referral_id: ReferralId,
    as_of: AsOfOption = None,
    database: DatabaseOption = None,
) -> None:
    """Print the referral as a FHIR R4 Bundle (JSON): ServiceRequest, Task, Patient,
    Observations and Consent, with only what the client's consent covers for the recipient."""
    from referwell.services.referrals.fhir_bundle import bundle_json, referral_bundle

    day = as_of_day(as_of)
    url = database_url(database)
    with _reading(url) as (uow, reads):
        bundle = _one(referral_id, lambda n: referral_bundle(uow, operator(), n, reads, on=day))
    sys.stdout.write(bundle_json(bundle))


@referrals_app.command("letter")
def letter_command(
    referral_id: ReferralId,
    output: Annotated[
        Path,
        typer.Option(
            "--output",
            "-o",
            help="The file to write: a PDF, or the HTML when its name ends in .html.",
            metavar="FILE",
        ),
    ],
    as_of: AsOfOption = None,
    database: DatabaseOption = None,
) -> None:
    """Write the referral letter (PDF): only what the client's consent covers for the
    recipient, the questionnaire results with their meaning, and the referring clinician."""
    from referwell.services.referrals.letter import letter_html, letter_pdf, referral_letter

    day = as_of_day(as_of)
    url = database_url(database)
    html = output.suffix.lower() in (".html", ".htm")
    if output.is_dir():
        fail(f"--output: {output} is a folder; name a file")
    if not output.parent.is_dir():
        fail(f"--output: no folder {output.parent}")
    with _reading(url) as (uow, reads):
        release = _one(
            referral_id,
            lambda n: referral_letter(uow, operator(), n, reads, export=True, on=day),
        )
        data = letter_html(release).encode("utf-8") if html else letter_pdf(release)
    _write(output, data)
    out.print(f"Wrote the letter of referral {referral_id} to {output}.", markup=False)


def _write(path: Path, data: bytes) -> None:
    """Write `path` whole or not at all (beside it, then renamed), readable by its owner."""
    try:
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    except OSError as exc:
        fail(f"--output: cannot write in {path.parent} ({exc.strerror})")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        fail(f"--output: cannot write {path} ({exc.strerror})")


@referrals_app.command("due")
def due_command(
    output: FormatOption = ListFormat.text,
    as_of: AsOfOption = None,
    database: DatabaseOption = None,
) -> None:
    """The follow-up worklist: open referrals that need a nudge (sent and not acknowledged
    after `referral_unacknowledged_days`, accepted with no appointment after
    `referral_unscheduled_days`, a no-show, or the follow-up date reached)."""
    from referwell.config import ConfigError, load_follow_up_days
    from referwell.domain.referrals.follow_up import REASONS, FollowUpSettings
    from referwell.services.referrals.worklist import due_referrals

    day = as_of_day(as_of)
    try:
        days = load_follow_up_days()
    except ConfigError as exc:
        fail(f"{exc.key or 'configuration'}: {exc}")
    settings = FollowUpSettings(
        unacknowledged_days=days["referral_unacknowledged_days"],
        unscheduled_days=days["referral_unscheduled_days"],
    )
    url = database_url(database)
    with _reading(url) as (uow, reads):
        due = due_referrals(uow, operator(), reads, settings=settings, today=day)
    rows = [_row(d.referral) | {"reasons": list(d.reasons)} for d in due]
    if output is ListFormat.json:
        sys.stdout.write(json.dumps(rows, indent=2, ensure_ascii=False) + "\n")
        return
    if not rows:
        out.print("No referral needs a follow-up.", markup=False)
    for row in rows:
        out.print(_line(row), markup=False, soft_wrap=True)
        out.print("   " + "; ".join(REASONS[r] for r in row["reasons"]), markup=False)
