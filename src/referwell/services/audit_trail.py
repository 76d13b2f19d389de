"""Checking the audit log's chain, and setting its head kept outside the database.

`verify_audit_log` recomputes every entry's HMAC with the audit key and compares the
log's end with the head kept outside the database (`db.audit_chain`). `reset_audit_head`
records the log's end as the head, after a restore from a backup older than the head:
only a chain that verifies with the key is accepted, and the reset is audited.
"""

from __future__ import annotations

from dataclasses import dataclass

from referwell.db.audit import AuditAction
from referwell.db.audit_chain import (
    ChainReport,
    Head,
    HeadUnreadableError,
    chain_settings,
    verify_chain,
)
from referwell.db.engine import Database
from referwell.services.auditing import audit_write
from referwell.services.permissions import Operator, Permission, require_permission


class AuditHeadRefusedError(Exception):
    """The head cannot be reset: the chain does not verify with the key."""


def verify_audit_log(database: Database, *, actor: Operator) -> ChainReport:
    """The chain of `database` recomputed with the key and compared with the head kept
    outside; its `problems` name entry ids and positions only."""
    require_permission(actor, Permission.OPERATE)
    with database.connect() as connection:
        return verify_chain(connection, chain_settings(make_key=False))


@dataclass(frozen=True)
class HeadReset:
    """The head kept outside before the reset (None: there was none), and the log's end it
    was set to (the reset's own entry follows it)."""

    before: Head | None
    after: Head


def reset_audit_head(database: Database, *, actor: Operator) -> HeadReset:
    """Record the end of `database`'s audit log as its chain's head, then audit that."""
    require_permission(actor, Permission.OPERATE)
    settings = chain_settings(make_key=False)
    with database.connect() as connection:
        report = verify_chain(connection, settings, against_head=False)
    if report.problems or report.chain_id is None:
        first = report.problems[0] if report.problems else "no audit chain"
        more = f" (and {len(report.problems) - 1} more)" if len(report.problems) > 1 else ""
        raise AuditHeadRefusedError(f"the audit log does not verify with the key: {first}{more}")
    try:
        before = settings.heads.read(report.chain_id)
    except HeadUnreadableError:
        before = None
    after = Head(report.chain_id, report.length, report.last_hmac)
    settings.heads.reset(after)
    with database.unit_of_work() as uow:
        audit_write(uow.session, actor, AuditAction.AUDIT_HEAD_RESET)
        uow.commit()
    return HeadReset(before, after)
