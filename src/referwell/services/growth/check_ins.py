"""Use cases: the clinician's own monthly ProQOL 5 check-ins, their trend, and what a high
score offers.

A check-in is the clinician's, never a client's: it is not part of any case and is scored
by `domain.growth.proqol`, outside the case format's instruments. One check-in a calendar
month (the ProQOL asks about the last 30 days). The scores are the clinician's own: their
supervisor sees that a check-in happened (its date), and its scores only while the
clinician shares that check-in.

A high burnout or secondary traumatic stress score (42 or more) offers, once per
check-in, to note `burnout` among what the clinician notices in themselves on each of
their open cases (clients in care, not discharged). Nothing is added unless the clinician
agrees, explicitly; declining closes the offer too. Each case it is added to is
reassessed, as with any entry (`services.clients.entries.add_clinician_factor`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Final

from sqlalchemy import select

from referwell.db.audit import AuditAction
from referwell.db.base import utcnow
from referwell.db.case_parts import ClinicianFactor
from referwell.db.growth.check_ins import ProqolCheckIn
from referwell.db.models import Client, User
from referwell.db.uow import UnitOfWork
from referwell.domain.errors import FieldError, InvalidInput
from referwell.domain.growth.proqol import BURNOUT, level, score_proqol
from referwell.services.auditing import ReadAudit, audit_write
from referwell.services.clients.entries import add_clinician_factor
from referwell.services.errors import NotFound
from referwell.services.permissions import Actor, Permission, Person, require_person

BURNOUT_FACTOR: Final = BURNOUT  # the clinician factor a high score offers to note
MONTHS_SHOWN_TO_SUPERVISOR: Final = 12


@dataclass(frozen=True, slots=True)
class CheckIn:
    """One check-in as its clinician sees it."""

    id: int
    taken_on: date
    compassion_satisfaction: int
    burnout: int
    secondary_traumatic_stress: int
    shared_with_supervisor: bool
    burnout_offer: str | None

    @property
    def levels(self) -> tuple[str, str, str]:
        return (
            level(self.compassion_satisfaction),
            level(self.burnout),
            level(self.secondary_traumatic_stress),
        )

    @property
    def calls_for_care(self) -> bool:
        """Burnout or secondary traumatic stress is high."""
        return level(self.burnout) == "high" or level(self.secondary_traumatic_stress) == "high"

    @property
    def offer_open(self) -> bool:
        """The offer to note burnout on the open cases stands, unanswered."""
        return self.calls_for_care and self.burnout_offer is None

    @classmethod
    def of(cls, row: ProqolCheckIn) -> CheckIn:
        return cls(
            id=row.id,
            taken_on=row.taken_on,
            compassion_satisfaction=row.compassion_satisfaction,
            burnout=row.burnout,
            secondary_traumatic_stress=row.secondary_traumatic_stress,
            shared_with_supervisor=row.shared_with_supervisor,
            burnout_offer=row.burnout_offer,
        )


@dataclass(frozen=True, slots=True)
class OpenCase:
    """A client in the clinician's care, as the offer lists them: name and case id only."""

    client_id: int
    display_name: str
    case_id: str
    has_burnout: bool


@dataclass(frozen=True, slots=True)
class BurnoutOffer:
    """The open offer of the clinician's latest check-in, and the cases it would touch."""

    check_in: CheckIn
    cases: tuple[OpenCase, ...]

    @property
    def to_add(self) -> tuple[OpenCase, ...]:
        return tuple(case for case in self.cases if not case.has_burnout)


@dataclass(frozen=True, slots=True)
class OfferAnswer:
    """What answering the offer did."""

    agreed: bool
    added: tuple[int, ...] = ()  # clients whose record now notes burnout
    refused: tuple[tuple[int, str], ...] = ()  # clients the record refused, and why


@dataclass(frozen=True, slots=True)
class SuperviseeCheckIns:
    """One supervisee as their supervisor sees them: when they checked in, and the scores of
    the check-ins they share (only those)."""

    user_id: int
    display_name: str
    dates: tuple[date, ...]  # newest first, the last MONTHS_SHOWN_TO_SUPERVISOR months
    shared: tuple[CheckIn, ...] = field(default=())

    @property
    def last(self) -> date | None:
        return self.dates[0] if self.dates else None


def month_after(day: date) -> date:
    """The first day of the month after `day`'s."""
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def months_back(day: date, months: int) -> date:
    """The first day of the month `months` months before `day`'s."""
    index = day.year * 12 + day.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def _own_rows(uow: UnitOfWork, person: Person) -> list[ProqolCheckIn]:
    return list(
        uow.session.scalars(
            select(ProqolCheckIn)
            .where(ProqolCheckIn.user_id == person.user_id)
            .order_by(ProqolCheckIn.taken_on, ProqolCheckIn.id)
        )
    )


def own_check_ins(uow: UnitOfWork, actor: Actor | None) -> list[CheckIn]:
    """The person's own check-ins, oldest first (the trend)."""
    person = require_person(actor, Permission.CLINICAL)
    with uow:
        return [CheckIn.of(row) for row in _own_rows(uow, person)]


def this_months(check_ins: Sequence[CheckIn], today: date) -> CheckIn | None:
    """This calendar month's check-in, if there is one."""
    for check_in in reversed(check_ins):
        if (check_in.taken_on.year, check_in.taken_on.month) == (today.year, today.month):
            return check_in
    return None


def record_check_in(
    uow: UnitOfWork, actor: Actor | None, answers: Sequence[object], *, today: date
) -> CheckIn:
    """Score and keep a check-in of the person's own, dated today; committed. InvalidInput
    names every bad answer (`items[3]`), or says that this month's check-in is done."""
    person = require_person(actor, Permission.CLINICAL)
    scores = score_proqol(answers)
    with uow:
        session = uow.session
        done = this_months([CheckIn.of(row) for row in _own_rows(uow, person)], today)
        if done is not None:
            raise InvalidInput(
                [
                    FieldError(
                        "taken_on",
                        f"you checked in on {done.taken_on.isoformat()} this month; the next "
                        f"check-in opens on {month_after(today).isoformat()}",
                    )
                ],
                what="check-in",
            )
        row = ProqolCheckIn(
            user_id=person.user_id,
            taken_on=today,
            answers=list(scores.answers),
            compassion_satisfaction=scores.compassion_satisfaction.score,
            burnout=scores.burnout.score,
            secondary_traumatic_stress=scores.secondary_traumatic_stress.score,
            shared_with_supervisor=False,
        )
        session.add(row)
        session.flush()
        audit_write(
            session, person, AuditAction.CHECK_IN_CREATE, target_type="check_in",
            target_ids=[row.id],
        )  # fmt: skip
        made = CheckIn.of(row)
        uow.commit()
    return made


def _own_row(uow: UnitOfWork, person: Person, check_in_id: int | None) -> ProqolCheckIn:
    row = uow.session.get(ProqolCheckIn, check_in_id) if check_in_id is not None else None
    if row is None or row.user_id != person.user_id:
        raise NotFound("check-in", check_in_id or 0)
    return row


def set_sharing(
    uow: UnitOfWork, actor: Actor | None, check_in_id: int | None, *, shared: bool
) -> CheckIn:
    """Share one of one's own check-ins with one's supervisor, or stop sharing it; committed.
    Anyone else's check-in (or none) is NotFound."""
    person = require_person(actor, Permission.CLINICAL)
    with uow:
        row = _own_row(uow, person, check_in_id)
        if row.shared_with_supervisor != shared:
            row.shared_with_supervisor = shared
            audit_write(
                uow.session, person, AuditAction.CHECK_IN_SHARE, target_type="check_in",
                target_ids=[row.id],
            )  # fmt: skip
        changed = CheckIn.of(row)
        uow.commit()
    return changed


def _open_cases(uow: UnitOfWork, person: Person) -> tuple[OpenCase, ...]:
    session = uow.session
    clients = session.execute(
        select(Client.id, Client.display_name, Client.external_id)
        .where(
            Client.clinician_id == person.user_id,
            Client.practice_id == person.practice_id,
            Client.discharged_on.is_(None),
            Client.import_id.is_(None),
        )
        .order_by(Client.display_name, Client.id)
    ).all()
    noted = set(
        session.scalars(
            select(ClinicianFactor.client_id).where(
                ClinicianFactor.client_id.in_([c.id for c in clients]),
                ClinicianFactor.code == BURNOUT_FACTOR,
                ClinicianFactor.in_error_at.is_(None),
            )
        )
    )
    return tuple(OpenCase(c.id, c.display_name, c.external_id, c.id in noted) for c in clients)


def burnout_offer(uow: UnitOfWork, actor: Actor | None) -> BurnoutOffer | None:
    """The open offer of the person's latest check-in (high burnout or secondary traumatic
    stress, not answered yet) with their open cases; None when there is none."""
    person = require_person(actor, Permission.CLINICAL)
    with uow:
        rows = _own_rows(uow, person)
        if not rows or not CheckIn.of(rows[-1]).offer_open:
            return None
        return BurnoutOffer(CheckIn.of(rows[-1]), _open_cases(uow, person))


def answer_burnout_offer(
    uow: UnitOfWork,
    actor: Actor | None,
    check_in_id: int | None,
    *,
    agree: bool,
    today: date,
    now: datetime | None = None,
) -> OfferAnswer:
    """Answer the offer of one's latest check-in. Only with `agree` is `burnout` noted on
    each open case that does not note it yet (each reassessed); either way the offer closes.
    InvalidInput when that check-in has no open offer."""
    person = require_person(actor, Permission.CLINICAL)
    with uow:
        rows = _own_rows(uow, person)
        row = _own_row(uow, person, check_in_id)
        if row.id != rows[-1].id or not CheckIn.of(row).offer_open:
            raise InvalidInput(
                [FieldError("check_in_id", "this check-in has no open offer to answer")],
                what="check-in",
            )
        cases = _open_cases(uow, person)
    added: list[int] = []
    refused: list[tuple[int, str]] = []
    if agree:
        for case in cases:
            if case.has_burnout:
                continue
            try:
                saved = add_clinician_factor(
                    uow, person, case.client_id, today=today, code=BURNOUT_FACTOR
                )
            except InvalidInput as problem:
                refused.append((case.client_id, str(problem)))
            else:
                if saved.changed:
                    added.append(case.client_id)
    with uow:
        row = _own_row(uow, person, check_in_id)
        row.burnout_offer = "accepted" if agree else "declined"
        row.burnout_offer_at = now or utcnow()
        audit_write(
            uow.session, person, AuditAction.CHECK_IN_OFFER, target_type="check_in",
            target_ids=[row.id],
        )  # fmt: skip
        uow.commit()
    return OfferAnswer(agreed=agree, added=tuple(added), refused=tuple(refused))


def supervisees_check_ins(
    uow: UnitOfWork, actor: Actor | None, *, today: date, reads: ReadAudit
) -> list[SuperviseeCheckIns]:
    """Each of the supervisor's supervisees: the dates of their check-ins in the last
    MONTHS_SHOWN_TO_SUPERVISOR months, and the scores of the ones they share; audited as a
    read naming the supervisees."""
    person = require_person(actor, Permission.SUPERVISOR)
    earliest = months_back(today, MONTHS_SHOWN_TO_SUPERVISOR - 1)
    with uow:
        session = uow.session
        people = session.execute(
            select(User.id, User.display_name)
            .where(User.id.in_(uow.staff.supervisees_of(person.user_id, person.practice_id)))
            .order_by(User.display_name, User.id)
        ).all()
        rows = session.scalars(
            select(ProqolCheckIn)
            .where(
                ProqolCheckIn.user_id.in_([p.id for p in people]),
                ProqolCheckIn.taken_on >= earliest,
            )
            .order_by(ProqolCheckIn.taken_on.desc(), ProqolCheckIn.id.desc())
        ).all()
        found = [
            SuperviseeCheckIns(
                user_id=p.id,
                display_name=p.display_name,
                dates=tuple(r.taken_on for r in rows if r.user_id == p.id),
                shared=tuple(
                    CheckIn.of(r) for r in rows if r.user_id == p.id and r.shared_with_supervisor
                ),
            )
            for p in people
        ]
    if found:
        reads.record_read(
            person, AuditAction.CHECK_IN_READ, target_type="user",
            target_ids=[s.user_id for s in found],
        )  # fmt: skip
    return found
