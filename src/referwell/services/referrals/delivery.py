"""Sending and hearing back between two referwell practices, over the partner's endpoint.

- `deliver`: after `send_referral` commits, the sender posts the referral Bundle to the
  partner answering for the chosen entry; the partner's Task id is kept (`remote_id`). A
  failure leaves it undelivered (no `remote_id`), logged by ids only; `poll` tries again.
- `push_task`: after a change at one end (the receiver's steps, and the sender's own:
  withdrawn, failed, entered in error), its `Task` is put to the other end (read first for
  its version, then `PUT` with `If-Match`); a failure is left for the other end's poll.
- `poll` (`referwell referrals poll`, from cron or a systemd timer; never in the web
  workers): every open outgoing referral to a partner is delivered if it was not, else its
  Task is read at the partner and the partner's changes are recorded as the receiver's;
  every open incoming referral from a partner has its Task read at the sender, and the
  sender's own closing steps (`SENDER_NEWS`) are recorded as the sender's.

No network call is made inside a database transaction.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from sqlalchemy import select

from referwell.db.audit import AuditAction
from referwell.db.base import utcnow
from referwell.db.referrals.models import Partner, Referral
from referwell.db.uow import UnitOfWork
from referwell.domain.errors import InvalidInput
from referwell.domain.referrals.status import CLOSED_STATUSES, TRANSITIONS, SetBy
from referwell.services.auditing import audit_write
from referwell.services.permissions import (
    Actor,
    Operator,
    PartnerPractice,
    Permission,
    require_permission,
)
from referwell.services.referrals.access import load_referral
from referwell.services.referrals.exchange import apply_task, outgoing_bundle
from referwell.services.referrals.fhir_task import etag, task_of, task_state, version_of_etag
from referwell.services.referrals.partner_http import (
    PartnerUnreachable,
    Transport,
    urllib_transport,
)
from referwell.services.referrals.transitions import flush_or_conflict

log = logging.getLogger(__name__)
FHIR_BASE = "/fhir/r4"
# What the sender's Task can tell the receiver: the statuses the sender itself may set
# after sending (withdrawn, failed, entered in error). The rest of the sender's Task is the
# receiver's own changes as the sender heard them, perhaps not yet: never followed back.
SENDER_NEWS: Final = frozenset(
    t.target
    for t in TRANSITIONS
    if t.set_by is not SetBy.RECEIVER and t.target not in ("draft", "requested")
)


@dataclass(frozen=True, slots=True)
class Delivery:
    """What became of one delivery or exchange: `ok`, or `why` not (never clinical)."""

    referral_id: int
    ok: bool
    why: str = ""
    steps: int = 0  # the partner's changes recorded here


@dataclass(frozen=True, slots=True)
class _Target:
    partner_id: int
    practice_id: int
    base_url: str
    token: str
    remote_id: str | None


def _target(session: Any, referral: Referral) -> _Target | None:
    if referral.partner_id is None:
        return None
    partner = session.get(Partner, referral.partner_id)
    if partner is None or partner.revoked_at is not None or not partner.outbound_token:
        return None
    return _Target(
        partner.id, partner.practice_id, partner.base_url, partner.outbound_token,
        referral.remote_id,
    )  # fmt: skip


def _failed(referral_id: int, partner_id: int, why: str) -> Delivery:
    log.warning("referral %d: partner %d: %s", referral_id, partner_id, why)
    return Delivery(referral_id, ok=False, why=why)


def deliver(
    uow: UnitOfWork,
    actor: Actor,
    referral_id: int,
    *,
    transport: Transport = urllib_transport,
    now: datetime | None = None,
) -> Delivery:
    """Post a sent referral's Bundle to its partner (the sending clinician, or the operator's
    poll). Nothing to do (ok) when it goes to no partner or was delivered already."""
    now = now or utcnow()
    with uow:
        session = uow.session
        referral = load_referral(session, actor, referral_id)
        if referral.direction != "outgoing" or referral.status in ("draft", *CLOSED_STATUSES):
            return Delivery(referral_id, ok=True, why="nothing to deliver")
        target = _target(session, referral)
        if target is None or target.remote_id is not None:
            return Delivery(referral_id, ok=True, why="nothing to deliver")
        bundle = outgoing_bundle(session, referral, now.date())
    try:
        answer = transport("POST", target.base_url + FHIR_BASE + "/Bundle", token=target.token,
                           body=bundle)  # fmt: skip
    except PartnerUnreachable as error:
        return _failed(referral_id, target.partner_id, f"unreachable ({error.why})")
    if answer.status not in (200, 201) or not isinstance(answer.body, dict):
        return _failed(referral_id, target.partner_id, f"refused with HTTP {answer.status}")
    remote_id = str(answer.body.get("id") or "")[:200]
    try:
        state = task_state(answer.body)
    except InvalidInput:
        return _failed(referral_id, target.partner_id, "answered with a Task referwell cannot read")
    partner = PartnerPractice(target.partner_id, target.practice_id)
    with uow:
        session = uow.session
        referral = load_referral(session, actor, referral_id, write=True)
        if referral.remote_id is None and remote_id:
            version = referral.version
            referral.remote_id = remote_id
            steps = apply_task(session, referral, partner, state, now=now)
            flush_or_conflict(session, referral, version)
            audit_write(
                session,
                actor,
                AuditAction.REFERRAL_EXPORT,
                target_type="referral",
                target_ids=[referral.id],
            )
            uow.commit()
            return Delivery(referral_id, ok=True, steps=steps)
    return Delivery(referral_id, ok=True, why="delivered meanwhile")


def push_task(
    uow: UnitOfWork,
    actor: Actor,
    referral_id: int,
    *,
    transport: Transport = urllib_transport,
) -> Delivery:
    """Put this end's Task of a referral exchanged with a partner to the partner (after a
    change here): read its version there, then `PUT` with `If-Match` (once more on 412)."""
    with uow:
        session = uow.session
        referral = load_referral(session, actor, referral_id)
        target = _target(session, referral)
        if target is None or target.remote_id is None:
            return Delivery(referral_id, ok=True, why="nothing to push")
        task = task_of(referral)
    task["id"] = target.remote_id
    task.pop("meta", None)
    task.pop("identifier", None)
    url = f"{target.base_url}{FHIR_BASE}/Task/{target.remote_id}"
    for _attempt in range(2):
        try:
            read = transport("GET", url, token=target.token)
            version = version_of_etag(read.headers.get("etag"))
            if read.status != 200 or version is None:
                return _failed(referral_id, target.partner_id, f"read refused: HTTP {read.status}")
            put = transport("PUT", url, token=target.token, body=task,
                            headers={"If-Match": etag(version)})  # fmt: skip
        except PartnerUnreachable as error:
            return _failed(referral_id, target.partner_id, f"unreachable ({error.why})")
        if put.status == 200:
            return Delivery(referral_id, ok=True)
        if put.status != 412:
            return _failed(referral_id, target.partner_id, f"update refused: HTTP {put.status}")
    return _failed(referral_id, target.partner_id, "changed there twice while updating")


def fetch_task(
    uow: UnitOfWork,
    actor: Actor,
    referral_id: int,
    *,
    transport: Transport = urllib_transport,
    now: datetime | None = None,
) -> Delivery:
    """Read a referral's Task at the partner and record its changes here as the partner's
    steps, each audited: of an outgoing referral (delivered), the receiver's; of an
    incoming one, only the sender's own closing steps (`SENDER_NEWS`)."""
    now = now or utcnow()
    with uow:
        referral = load_referral(uow.session, actor, referral_id)
        target = _target(uow.session, referral)
        if target is None or target.remote_id is None:
            return Delivery(referral_id, ok=True, why="nothing to read")
        incoming = referral.direction == "incoming"
    try:
        answer = transport("GET", f"{target.base_url}{FHIR_BASE}/Task/{target.remote_id}",
                           token=target.token)  # fmt: skip
    except PartnerUnreachable as error:
        return _failed(referral_id, target.partner_id, f"unreachable ({error.why})")
    if answer.status != 200:
        return _failed(referral_id, target.partner_id, f"read refused: HTTP {answer.status}")
    try:
        state = task_state(answer.body)
    except InvalidInput:
        return _failed(referral_id, target.partner_id, "answered with a Task referwell cannot read")
    if incoming and state.status not in SENDER_NEWS:
        return Delivery(referral_id, ok=True, why="nothing new from the sender")
    partner = PartnerPractice(target.partner_id, target.practice_id)
    with uow:
        session = uow.session
        referral = load_referral(session, actor, referral_id, write=True)
        version = referral.version
        try:
            steps = apply_task(session, referral, partner, state, now=now)
        except InvalidInput:
            return _failed(referral_id, target.partner_id, "its status cannot follow from ours")
        if steps:
            flush_or_conflict(session, referral, version)
            uow.commit()
    return Delivery(referral_id, ok=True, steps=steps)


@dataclass(frozen=True, slots=True)
class PollReport:
    delivered: list[Delivery] = field(default_factory=list)
    read: list[Delivery] = field(default_factory=list)

    @property
    def failed(self) -> list[Delivery]:
        return [d for d in (*self.delivered, *self.read) if not d.ok]


def poll(
    uow: UnitOfWork,
    operator: Operator,
    *,
    practice_id: int | None = None,
    transport: Transport = urllib_transport,
    now: datetime | None = None,
) -> PollReport:
    """Every open referral exchanged with a partner (of `practice_id`, or of every
    practice): an outgoing one delivered if it was not, else brought up to the receiver's
    Task; an incoming one brought up to the sender's own closing steps."""
    require_permission(operator, Permission.OPERATE)
    with uow:
        # Both directions: a referral from a partner has its sender's Task id (`remote_id`).
        query = select(Referral.id, Referral.remote_id).where(
            Referral.partner_id.is_not(None),
            Referral.status.not_in(("draft", *CLOSED_STATUSES)),
        )
        if practice_id is not None:
            query = query.where(Referral.practice_id == practice_id)
        rows = list(uow.session.execute(query.order_by(Referral.id)))
    report = PollReport()
    for referral_id, remote_id in rows:
        if remote_id is None:
            report.delivered.append(
                deliver(uow, operator, referral_id, transport=transport, now=now)
            )
        else:
            report.read.append(fetch_task(uow, operator, referral_id, transport=transport, now=now))
    return report
