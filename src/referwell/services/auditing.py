"""Auditing acts on the practice's records: writes in their own transaction, reads in batches.

A write is audited by `audit_write`, in the session of the change, so the
entry and the change are committed together or not at all. A read changes
nothing, so its entry may wait: `ReadAuditLog` queues read entries (with the
time of the read) and a background thread writes them in one transaction at
least once every `interval` seconds; `flush()` writes them now (tests, and
shutdown). `ImmediateReads` writes each read in a given session instead (the
CLI, and services called outside the web app).

Entries name actions and record ids, never clinical content.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy.orm import Session

from referwell.db.audit import ActorKind, AuditAction, record
from referwell.db.base import utcnow
from referwell.services.permissions import SYSTEM, Actor

log = logging.getLogger(__name__)

# Read entries kept at most while the database refuses them; older ones are dropped (and counted).
MAX_PENDING = 100_000


def audit_write(
    session: Session,
    actor: Actor,
    action: AuditAction,
    *,
    target_type: str | None = None,
    target_ids: Sequence[int] = (),
) -> None:
    """Add the entry for an act of `actor` (of any kind) to `session`: it commits with the
    write, or, for a read audited at once, with the session."""
    record(
        session,
        action,
        actor=actor.audit_name,
        actor_kind=actor.kind,
        target_type=target_type,
        target_ids=target_ids,
    )


def audit_system_write(
    session: Session, action: AuditAction, *, target_type: str, target_ids: Sequence[int]
) -> None:
    """Add the entry for a write referwell makes by itself (recomputing stale assessments)."""
    audit_write(session, SYSTEM, action, target_type=target_type, target_ids=target_ids)


class ReadAudit(Protocol):
    """Where a use case reports what an actor read."""

    def record_read(
        self, actor: Actor, action: AuditAction, *, target_type: str, target_ids: Sequence[int]
    ) -> None: ...


@dataclass(frozen=True, slots=True)
class ReadEntry:
    """A read, as queued: when, who, what, which records."""

    at: datetime
    actor: str
    kind: ActorKind
    action: AuditAction
    target_type: str
    target_ids: tuple[int, ...]


class ImmediateReads:
    """Writes each read entry into `session` at once (it commits with the session)."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def record_read(
        self, actor: Actor, action: AuditAction, *, target_type: str, target_ids: Sequence[int]
    ) -> None:
        audit_write(self._session, actor, action, target_type=target_type, target_ids=target_ids)


class ReadAuditLog:
    """Queues read entries and writes them in batches, each within `interval` seconds.

    Thread-safe. The writer thread starts with the first entry; `close()`
    stops it after a last flush. If a batch cannot be written it stays queued
    and is tried again at the next tick.
    """

    def __init__(
        self,
        session_factory: Callable[[], Session],
        *,
        interval: float = 1.0,
    ) -> None:
        self._session_factory = session_factory
        self._interval = interval
        self._pending: list[ReadEntry] = []
        self._lock = threading.Lock()  # guards _pending and _thread
        self._write_lock = threading.Lock()  # one batch written at a time
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.dropped = 0

    def record_read(
        self, actor: Actor, action: AuditAction, *, target_type: str, target_ids: Sequence[int]
    ) -> None:
        entry = ReadEntry(
            utcnow(), actor.audit_name, actor.kind, action, target_type, tuple(target_ids)
        )
        with self._lock:
            self._pending.append(entry)
            if len(self._pending) > MAX_PENDING:
                del self._pending[0]
                self.dropped += 1
            if self._thread is None and not self._stop.is_set():
                self._thread = threading.Thread(
                    target=self._run, name="referwell-read-audit", daemon=True
                )
                self._thread.start()

    @property
    def pending(self) -> int:
        with self._lock:
            return len(self._pending)

    def flush(self) -> int:
        """Write every queued entry now, in one transaction; return how many were written."""
        with self._write_lock:
            with self._lock:
                batch, self._pending = self._pending, []
            if not batch:
                return 0
            try:
                with self._session_factory() as session:
                    for entry in batch:
                        record(
                            session,
                            entry.action,
                            actor=entry.actor,
                            actor_kind=entry.kind,
                            target_type=entry.target_type,
                            target_ids=entry.target_ids,
                            at=entry.at,
                        )
                    session.commit()
            except Exception as error:
                with self._lock:
                    self._pending[:0] = batch
                # The type only: a database error's text may quote the values it refused.
                log.warning(
                    "read audit: %d entries not written yet (%s)", len(batch), type(error).__name__
                )
                raise
            return len(batch)

    def close(self) -> None:
        """Stop the writer thread and write what is left."""
        with self._lock:
            self._stop.set()
            thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout=10)
        self.flush()

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                self.flush()
            except Exception:  # noqa: S112 - already logged; the entries stay queued for the next tick
                continue
