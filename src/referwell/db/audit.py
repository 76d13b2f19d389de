"""The audit log: who did what to which records, written in the transaction of the act.

An entry names actions and record ids, never clinical content. Entries are
only ever added: the database refuses UPDATE and DELETE on `audit_log`, and
so does the ORM (see `models.AuditEntry`).
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum

from sqlalchemy.orm import Session

from referwell.db.base import utcnow
from referwell.db.models import ActorKind, AuditEntry, AuditLogAppendOnlyError, User

__all__ = [
    "ActorKind",
    "AuditAction",
    "AuditEntry",
    "AuditLogAppendOnlyError",
    "os_user",
    "record",
]


class AuditAction(StrEnum):
    """What an audited act did; `area:verb`."""

    CASELOAD_READ = "caseload:read"
    SCREEN_READ = "screen:read"
    CLIENT_CREATE = "client:create"
    CLIENT_READ = "client:read"
    CLIENT_UPDATE = "client:update"
    CLIENT_DELETE = "client:delete"
    CLIENT_EXPORT = "client:export"
    CLIENT_IMPORT = "client:import"
    CLIENT_DISCHARGE = "client:discharge"
    CLIENT_READMIT = "client:readmit"
    CLIENT_REASSIGN = "client:reassign"
    ENTRY_IN_ERROR = "client:entry_in_error"
    GOAL_STATUS_CHANGE = "client:goal_status"
    # The clinician's own growth: an answer to an ethics practice card; a ProQOL check-in
    # recorded, shared or unshared, its offer answered, and a supervisor's look at whether
    # their supervisees check in (ids only: never an answer or a score).
    CARD_REVIEW = "card:review"
    CHECK_IN_CREATE = "check_in:create"
    CHECK_IN_SHARE = "check_in:share"
    CHECK_IN_OFFER = "check_in:burnout_offer"
    CHECK_IN_READ = "check_in:read"
    # Competence with evidence (ids of the evidence rows, never what they say): evidence
    # added or marked entered in error, a supervisor's verification given or withdrawn,
    # the operator's attestation of imported competencies, the practice's minimums; the CE
    # log downloaded; supervision or consultation recorded from a finding; a supervisor's
    # look at a supervisee's supervision log (the clients named).
    COMPETENCE_EVIDENCE_ADD = "competence:evidence_add"
    COMPETENCE_EVIDENCE_IN_ERROR = "competence:evidence_in_error"
    COMPETENCE_VERIFY = "competence:verify"
    COMPETENCE_VERIFY_WITHDRAW = "competence:verify_withdraw"
    COMPETENCE_ATTEST = "competence:attest"
    COMPETENCE_POLICY_UPDATE = "practice:competence_policy:update"
    LICENCE_UPDATE = "licence:update"
    CE_EXPORT = "ce_log:export"
    SUPERVISION_RECORD = "client:supervision_record"
    SUPERVISION_LOG_READ = "supervision_log:read"
    DIRECTORY_IMPORT = "directory:import"  # the target is the import's record
    DIRECTORY_EXPORT = "directory:export"
    REVIEW_MARK = "supervision_review:mark"
    REVIEW_CLEAR = "supervision_review:clear"
    LINK_CREATE = "questionnaire_link:create"
    LINK_WITHDRAW = "questionnaire_link:withdraw"
    LINK_OPEN = "questionnaire_link:open"
    LINK_SUBMIT = "questionnaire_link:submit"
    LINK_REFUSED = "questionnaire_link:refused"
    ASSESSMENT_STORE = "assessment:store"
    ASSESSMENT_READ = "assessment:read"
    DATABASE_BACKUP = "database:backup"  # the whole database copied (`referwell backup`)
    DATABASE_RESTORE = "database:restore"  # written into the database just restored
    AUDIT_HEAD_RESET = "audit:head_reset"  # the head kept outside set to the log's end
    USER_CREATE = "user:create"
    USER_UPDATE = "user:update"
    PROFILE_UPDATE = "profile:update"
    PRACTICE_SETTINGS_UPDATE = "practice:settings:update"
    TOKEN_CREATE = "api_token:create"  # noqa: S105 - an action name, not a secret
    TOKEN_REVOKE = "api_token:revoke"  # noqa: S105 - an action name, not a secret
    LOGIN = "session:login"
    LOGIN_FAILED = "session:login_failed"
    LOGOUT = "session:logout"
    LOGIN_THROTTLED = "session:login_throttled"  # an attempt refused unheard: delay or lockout
    SIGN_IN_LOCK = "session:lock"  # failed sign-ins locked an account name or an address
    SIGN_IN_UNLOCK = "session:unlock"  # an admin unlocked a user's account
    SESSIONS_END = "session:end_all"  # every session of a user ended (sign out everywhere …)
    # Closed-loop referrals (ids only: never a reason, a summary or a name): a referral opened,
    # changed (options, checklist, summary), sent, its status changed (each transition), read
    # or listed; one received from a partner, or its Bundle, letter or status polled; consent
    # to release information recorded or revoked; partner records added or revoked; one-time
    # status links made, used, refused (unknown, expired, used up).
    REFERRAL_CREATE = "referral:create"
    REFERRAL_UPDATE = "referral:update"
    REFERRAL_SEND = "referral:send"
    REFERRAL_STATUS = "referral:status"
    REFERRAL_READ = "referral:read"
    REFERRAL_LIST = "referral:list"
    REFERRAL_RECEIVE = "referral:receive"
    REFERRAL_EXPORT = "referral:export"  # its letter or FHIR Bundle produced
    CONSENT_GRANT = "consent:grant"
    CONSENT_REVOKE = "consent:revoke"
    PARTNER_CREATE = "partner:create"
    PARTNER_REVOKE = "partner:revoke"
    STATUS_LINK_CREATE = "referral_status_link:create"
    STATUS_LINK_USE = "referral_status_link:use"
    STATUS_LINK_REFUSED = "referral_status_link:refused"


def os_user() -> str:
    """The operating-system login running this process, the actor of CLI commands."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry, as in some containers
        return f"uid:{os.getuid()}"


def record(
    session: Session,
    action: AuditAction,
    *,
    actor: User | str,
    actor_kind: ActorKind | None = None,
    target_type: str | None = None,
    target_ids: Iterable[int] = (),
    at: datetime | None = None,
) -> AuditEntry:
    """Add an entry to `session`: it is written with, and only with, the session's commit.

    `actor` is a `User` (kind `user`) or a name: the OS login for kind
    `os_user` (the default for a name), or a component name for `system`.
    """
    if isinstance(actor, User):
        if actor.id is None:
            raise ValueError("an actor must be a saved user")
        actor_name, kind = str(actor.id), actor_kind or ActorKind.USER
    else:
        actor_name, kind = actor, actor_kind or ActorKind.OS_USER
    entry = AuditEntry(
        at=at or utcnow(),
        actor=actor_name,
        actor_kind=kind.value,
        action=AuditAction(action).value,
        target_type=target_type,
        target_ids=list(target_ids),
    )
    session.add(entry)
    return entry
