"""Use case: every option in the directory for one referral need of a client.

The client page shows beside each question its best few options; this answers the same
question with every option, for the page behind its "Every option in the directory" link.
The need is named by its position among the questions of the client's current assessment
(`domain.directory.needs.questions`, the order the client page shows them in), so that the
address names a client and a number, never a service, an age or a place.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from referwell.db.audit import AuditAction
from referwell.db.cases import ClientNotFoundError, read_case
from referwell.db.uow import UnitOfWork
from referwell.domain.case import Case
from referwell.domain.caseformat import parse_case
from referwell.domain.directory.matching import DEFAULT_K, Options
from referwell.domain.directory.needs import NeedQuestion, questions
from referwell.domain.errors import InvalidInput
from referwell.services.auditing import ReadAudit
from referwell.services.clients.freshness import current_assessment
from referwell.services.directory.search import Place, case_query, place_of, search_directory
from referwell.services.errors import NotFound
from referwell.services.permissions import (
    Permission,
    Person,
    client_access,
    require_permission,
)


@dataclass(frozen=True, slots=True)
class NeedOptions:
    """The client's `position`-th question to the directory and every option for it."""

    client_id: int
    display_name: str
    position: int
    question: NeedQuestion
    place: Place
    case: Case
    options: Options


def need_options(
    uow: UnitOfWork,
    actor: Person,
    client_id: int,
    position: int,
    *,
    today: date,
    reads: ReadAudit,
    writes: UnitOfWork | None = None,
    k: int = DEFAULT_K,
) -> NeedOptions:
    """Every option (up to `k`) for the client's `position`-th question (from 1), a waitlist
    included unless the need is urgent; NotFound when the client is not the actor's to see
    or has no such question (crisis resources are no question: the client page shows them).

    The same permission check and read audit as the client page.
    """
    require_permission(actor, Permission.CLIENT_READ)
    with uow:
        access = client_access(uow.session, actor, client_id)
    current = current_assessment(uow, client_id, access.practice_id, today=today, writes=writes)
    assessment = current.result if current else None
    asked, _ = questions((assessment or {}).get("referral_needs") or [])
    if not 1 <= position <= len(asked):
        raise NotFound("referral need", position)
    question = asked[position - 1]
    with uow:
        try:
            stored = read_case(uow.session, client_id, today)
        except ClientNotFoundError:  # pragma: no cover - removed between the check and the read
            raise NotFound("client", client_id) from None
    try:
        case = parse_case(stored.case, today=today)
    except InvalidInput:  # the client page shows no options either
        raise NotFound("referral need", position) from None
    place = place_of(case.client.postal_code)
    query = case_query(case, question, place, include_waitlist=not question.urgent, k=k)
    found = search_directory(uow, actor, query)
    reads.record_read(actor, AuditAction.CLIENT_READ, target_type="client", target_ids=[client_id])
    return NeedOptions(client_id, stored.display_name, position, question, place, case, found)
