"""Use cases: one-time questionnaire links, for the client to fill in without signing in.

The clinician makes a link for one or more questionnaires (to send, or to show
on a tablet in the waiting room). Whoever holds it (`LinkHolder`) sees those
questionnaires and the practice's name, nothing else. Only the SHA-256 of its
token is stored; it expires after `questionnaire_link_days` (a setting), and is
used up when submitted, not when opened (link previewers open links). On submit
the scores land in the record and the client is reassessed at once: a PHQ-9
with item 9 above 0 makes the client's assessment urgent, so they rise to the
top of the caseload, and the client's next page gives crisis resources.

Every use is audited as the link's holder, by the link's id; never the token.
Measurement-based-care products (Greenspace, Blueprint, OQ-Analyst) work this way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any, ClassVar, Final

from sqlalchemy import bindparam, select, update

from referwell.db.audit import AuditAction
from referwell.db.base import utcnow
from referwell.db.case_parts import Measure
from referwell.db.cases import read_case
from referwell.db.ids import record_id
from referwell.db.models import Client, Practice, QuestionnaireLink
from referwell.db.uow import UnitOfWork
from referwell.domain.caseformat import parse_case
from referwell.domain.errors import MISSING, FieldError, InvalidInput
from referwell.domain.measures import INSTRUMENTS
from referwell.services.auditing import ReadAudit, audit_write
from referwell.services.clients.entries import store_reassessment
from referwell.services.errors import NotFound, UnusableLink
from referwell.services.permissions import (
    LinkHolder,
    Permission,
    Person,
    client_access,
    require_permission,
)
from referwell.services.tokens import new_token, token_digest

TOKEN_PREFIX: Final = "rwq_"  # noqa: S105 - a prefix, not a secret


class LinkUnusable(UnusableLink):
    """The link cannot be used: unknown, used up, expired, withdrawn, or its client discharged.

    `why` is one of "unknown", "used", "expired", "withdrawn".
    """

    MESSAGES: ClassVar[Mapping[str, str]] = {
        "unknown": "This link is not one we know. Check that it was copied whole, or ask "
        "your clinician for a new one.",
        "used": "This link has already been used: your answers were sent. If you need to "
        "answer again, ask your clinician for a new link.",
        "expired": "This link has expired. Ask your clinician for a new one.",
        "withdrawn": "This link is no longer in use. Ask your clinician for a new one.",
    }


@dataclass(frozen=True, slots=True)
class NewLink:
    """A link just made: the token is shown once, here, and never stored."""

    link_id: int
    token: str
    instruments: tuple[str, ...]
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class LinkRow:
    """A link as the client's page lists it (never its token)."""

    link_id: int
    instruments: tuple[str, ...]
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None
    revoked_at: datetime | None
    state: str  # open, used, withdrawn or expired, when read


def link_state(
    used_at: datetime | None, revoked_at: datetime | None, expires_at: datetime, now: datetime
) -> str:
    if used_at is not None:
        return "used"
    if revoked_at is not None:
        return "withdrawn"
    if expires_at <= now:
        return "expired"
    return "open"


@dataclass(frozen=True, slots=True)
class OpenLink:
    """What the holder of a usable link sees: the practice's name and the questionnaires."""

    link_id: int
    practice_name: str
    instruments: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Submitted:
    """What a submission left: whether the answers call for crisis resources."""

    link_id: int
    client_id: int
    practice_name: str
    crisis: bool


def create_link(
    uow: UnitOfWork,
    actor: Person,
    client_id: int,
    *,
    instruments: Sequence[Any],
    now: datetime,
    days: int,
) -> NewLink:
    """A one-time link for these questionnaires of the client, valid for `days` days."""
    require_permission(actor, Permission.CLIENT_WRITE)
    chosen = tuple(dict.fromkeys(str(code) for code in instruments))
    errors = []
    if not chosen:
        errors.append(FieldError("instruments", "choose at least one questionnaire", kind=MISSING))
    unknown = [code for code in chosen if code not in INSTRUMENTS]
    if unknown:
        errors.append(
            FieldError(
                "instruments",
                f"not a questionnaire referwell knows: {', '.join(unknown)}; choose from "
                + ", ".join(INSTRUMENTS),
            )
        )
    if errors:
        raise InvalidInput(errors, "form")
    with uow:
        session = uow.session
        client_access(session, actor, client_id, write=True)
        client = session.get(Client, client_id)
        if client is None:  # pragma: no cover - removed while we read
            raise NotFound("client", client_id)
        if client.discharged_on is not None:
            raise InvalidInput(
                [FieldError("(client)", "this client is discharged: readmit them first")], "form"
            )
        token = new_token(TOKEN_PREFIX)
        link = QuestionnaireLink(
            client_id=client_id,
            created_by=actor.user_id,
            token_hash=token_digest(token),
            instruments=list(chosen),
            created_at=now,
            expires_at=now + timedelta(days=days),
        )
        session.add(link)
        session.flush()
        audit_write(
            session,
            actor,
            AuditAction.LINK_CREATE,
            target_type="questionnaire_link",
            target_ids=[link.id],
        )
        uow.commit()
        return NewLink(link.id, token, chosen, link.expires_at)


def link_rows(session: Any, client_id: int) -> list[LinkRow]:
    """The client's links, newest first, for the client's page (which checked access and
    audits the read)."""
    now = utcnow()
    return [
        LinkRow(
            link_id,
            tuple(instruments),
            created_at,
            expires_at,
            used_at,
            revoked_at,
            link_state(used_at, revoked_at, expires_at, now),
        )
        for link_id, instruments, created_at, expires_at, used_at, revoked_at in session.execute(
            _links_statement(), {"client_id": client_id}
        )
    ]


@cache
def _links_statement() -> Any:
    link = QuestionnaireLink
    return (
        select(
            link.id, link.instruments, link.created_at, link.expires_at, link.used_at,
            link.revoked_at,
        )
        .where(link.client_id == bindparam("client_id"))
        .order_by(link.id.desc())
    )  # fmt: skip


def withdraw_link(
    uow: UnitOfWork, actor: Person, client_id: int, *, link_id: Any, now: datetime
) -> bool:
    """Withdraw an unused link of the client; whether it was open until now."""
    require_permission(actor, Permission.CLIENT_WRITE)
    with uow:
        session = uow.session
        client_access(session, actor, client_id, write=True)
        wanted = record_id(link_id)
        if wanted is None:
            raise InvalidInput(
                [FieldError("link_id", "name the link to withdraw", kind=MISSING)], "form"
            )
        link = session.get(QuestionnaireLink, wanted)
        if link is None or link.client_id != client_id:
            raise NotFound("questionnaire link", wanted)
        if link.used_at is not None or link.revoked_at is not None:
            return False
        link.revoked_at = now
        audit_write(
            session,
            actor,
            AuditAction.LINK_WITHDRAW,
            target_type="questionnaire_link",
            target_ids=[link.id],
        )
        uow.commit()
        return True


def _usable(session: Any, token: str, now: datetime) -> tuple[QuestionnaireLink, Client]:
    """The link of this token and its client, if it can be used now; else `LinkUnusable`."""
    link = session.scalar(
        select(QuestionnaireLink).where(QuestionnaireLink.token_hash == token_digest(token))
    )
    if link is None:
        raise LinkUnusable("unknown")
    client = session.get(Client, link.client_id)
    if link.used_at is not None:
        raise LinkUnusable("used")
    if link.revoked_at is not None or client is None or client.discharged_on is not None:
        raise LinkUnusable("withdrawn")
    if link.expires_at <= now:
        raise LinkUnusable("expired")
    return link, client


def _holder(link: QuestionnaireLink, client: Client) -> LinkHolder:
    return LinkHolder(link_id=link.id, client_id=client.id, practice_id=client.practice_id)


def _refusal_audited(uow: UnitOfWork, token: str, refused: LinkUnusable) -> None:
    """A known link refused (used, expired, withdrawn) is audited as its holder's attempt."""
    if refused.why == "unknown":
        return
    with uow:
        link = uow.session.scalar(
            select(QuestionnaireLink).where(QuestionnaireLink.token_hash == token_digest(token))
        )
        if link is None:  # pragma: no cover - the link was there a moment ago
            return
        holder = LinkHolder(link.id, link.client_id, 0)
        audit_write(
            uow.session,
            holder,
            AuditAction.LINK_REFUSED,
            target_type="questionnaire_link",
            target_ids=[link.id],
        )
        uow.commit()


def open_link(uow: UnitOfWork, token: str, *, now: datetime, reads: ReadAudit) -> OpenLink:
    """What the link shows its holder; `LinkUnusable` when it cannot be used. Opening does
    not use it up; it is audited as a read by the holder."""
    try:
        with uow:
            link, client = _usable(uow.session, token, now)
            holder = _holder(link, client)
            require_permission(holder, Permission.QUESTIONNAIRE_SUBMIT)
            practice = uow.session.scalar(
                select(Practice.name).where(Practice.id == client.practice_id)
            )
            shown = OpenLink(link.id, practice or "", tuple(link.instruments))
    except LinkUnusable as refused:
        _refusal_audited(uow, token, refused)
        raise
    reads.record_read(
        holder, AuditAction.LINK_OPEN, target_type="questionnaire_link", target_ids=[shown.link_id]
    )
    return shown


def submit_link(
    uow: UnitOfWork,
    token: str,
    *,
    answers: Mapping[str, Sequence[Any]],
    today: date,
    now: datetime,
) -> Submitted:
    """Record the holder's answers (every questionnaire of the link, all or nothing), use the
    link up, and reassess the client. Errors name each item as `PHQ-9.items[8]`."""
    try:
        with uow:
            session = uow.session
            link, client = _usable(session, token, now)
            holder = _holder(link, client)
            require_permission(holder, Permission.QUESTIONNAIRE_SUBMIT)
            case = read_case(session, client.id, today).case
            measures = list(case.get("measures", []))
            first = len(measures)
            given = [
                {
                    "instrument": code,
                    "date": today.isoformat(),
                    "items": list(answers.get(code, [])),
                }
                for code in link.instruments
            ]
            case["measures"] = [*measures, *given]
            try:
                parsed = parse_case(case, today=today)
            except InvalidInput as refused:
                raise InvalidInput(
                    _by_instrument(refused.errors, link.instruments, first), "form"
                ) from None
            # Used up here, once: a second submission racing this one finds it used.
            took = session.execute(
                update(QuestionnaireLink)
                .where(QuestionnaireLink.id == link.id, QuestionnaireLink.used_at.is_(None))
                .values(used_at=now)
            )
            if took.rowcount != 1:  # type: ignore[attr-defined]
                raise LinkUnusable("used")
            for entry in given:
                client.measures.append(
                    Measure(
                        instrument=entry["instrument"],
                        date=today,
                        items=entry["items"],
                        total=sum(entry["items"]),
                    )
                )
            session.flush()
            for action, target_type, target in (
                (AuditAction.LINK_SUBMIT, "questionnaire_link", link.id),
                (AuditAction.CLIENT_UPDATE, "client", client.id),
            ):
                audit_write(session, holder, action, target_type=target_type, target_ids=[target])
            store_reassessment(uow, holder, client, parsed, client.practice_id)
            practice = session.scalar(
                select(Practice.name).where(Practice.id == client.practice_id)
            )
            crisis = any(
                entry["instrument"] == "PHQ-9"
                and len(entry["items"]) >= 9
                and entry["items"][8] > 0
                for entry in given
            )
            uow.commit()
            return Submitted(link.id, client.id, practice or "", crisis)
    except LinkUnusable as refused:
        _refusal_audited(uow, token, refused)
        raise


def _by_instrument(
    errors: Sequence[FieldError], instruments: Sequence[str], first: int
) -> list[FieldError]:
    """The validator's errors on the new measures, renamed by instrument (`PHQ-9.items[8]`)."""
    out = []
    for error in errors:
        for offset, code in enumerate(instruments):
            prefix = f"measures[{first + offset}]"
            if error.path == prefix or error.path.startswith((prefix + ".", prefix + "[")):
                local = error.path[len(prefix) :].removeprefix(".")
                out.append(
                    FieldError(
                        f"{code}.{local}" if local else code,
                        error.message,
                        error.kind,
                        error.detail,
                    )
                )
                break
        else:
            out.append(error)
    return out
