"""Use cases: screen a whole practice, or a set of case files, into a prioritised worklist.

From the database, each client's summary is built in bulk by `db.summaries`
(a handful of set-based queries per chunk of clients) and the one rule engine
decides: the rules are never written twice. From case files or JSON Lines,
each case is validated and assessed as usual. The operator's screen of whole
practices is one audited read naming the clients screened.

A client is in scope when anything (a session, a questionnaire, an event) is
dated in the `recent_days` up to the screening day (a case file's own `as_of`):
`as_of - date <= recent_days`. Every client is assessed, in scope or not; those
out of scope are left off the worklist, counted and named, unless the engine
recommends `urgent_safety`: an urgent client is always listed.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Container, Iterable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any, Final

from referwell.db.audit import AuditAction
from referwell.db.summaries import (
    ScreenScope,
    bulk_summaries,
    clients_in_scope,
    clients_with_scope,
)
from referwell.domain.assessment import assess_case, assess_summary
from referwell.domain.case import Case
from referwell.domain.caseformat import parse_case
from referwell.domain.errors import FieldError, InvalidInput
from referwell.domain.settings import RuleSettings
from referwell.services.auditing import audit_write
from referwell.services.permissions import Operator, Permission, require_permission
from referwell.services.screening.rows import (
    NotListed,
    Screened,
    WorklistRow,
    screened,
    split_by_scope,
)

if TYPE_CHECKING:
    from referwell.db.engine import Database

__all__ = [
    "DEFAULT_RECENT_DAYS",
    "ScreenScope",
    "Screened",
    "clients_in_scope",
    "clients_with_scope",
    "recorded_within",
    "screen_cases",
    "screen_chunk",
    "screen_database",
    "screen_practices",
]

DEFAULT_RECENT_DAYS: Final = 90


# --- from case files ---------------------------------------------------------


def recorded_within(case: Case, recent_days: int) -> bool:
    """Whether anything (a session, a questionnaire, an event) is dated in the `recent_days`
    up to the case's own `as_of`; nothing is dated after it (the case format refuses it)."""
    dated: list[Iterable[date]] = [
        (s.date for s in case.sessions),
        (m.date for m in case.measures),
        (e.date for e in case.events),
    ]
    return any((case.as_of - day).days <= recent_days for days in dated for day in days)


def screen_cases(
    sources: Iterable[tuple[str, Any]],
    settings: RuleSettings,
    *,
    as_of: date,
    recent_days: int = DEFAULT_RECENT_DAYS,
    on_refused: Callable[[str, InvalidInput], None] | None = None,
    progress: Callable[[int], None] | None = None,
) -> Screened:
    """Assess every valid case; list those with something recorded in the `recent_days`
    before their `as_of`, and the urgent ones whatever their dates; name the others."""
    rows = []
    for name, data in sources:
        if progress is not None:
            progress(1)
        try:
            if isinstance(data, InvalidInput):
                raise data
            case = parse_case(data, today=as_of)
        except InvalidInput as exc:
            if on_refused is not None:
                on_refused(name, exc)
            continue
        in_scope = recorded_within(case, recent_days)
        assessment = assess_case(case, settings)
        rows.append(WorklistRow.of(assessment, name, "", (0, name), in_scope=in_scope))
    return screened(*split_by_scope(rows), recent_days)


# --- from the database, in bulk ----------------------------------------------


def screen_chunk(
    conn: Any, scope: ScreenScope, ids: Sequence[int], in_scope: Container[int] | None = None
) -> list[WorklistRow]:
    """Summaries of these clients from set-based queries, then the one rule engine; each
    row marks whether its client is `in_scope` (all are, unless the ids in scope are given)."""
    rows = []
    # A chunk makes about a hundred thousand short-lived objects and no reference cycles;
    # the cycle collector would walk them again and again (about a sixth of the time).
    collecting = gc.isenabled()
    gc.disable()
    try:
        for client_id, clinician, summary in bulk_summaries(conn, ids, scope.as_of, scope.settings):
            assessment = assess_summary(summary, scope.settings)
            recent = in_scope is None or client_id in in_scope
            rows.append(
                WorklistRow.of(
                    assessment, str(client_id), clinician, (client_id, ""), in_scope=recent
                )
            )
    finally:
        if collecting:
            gc.enable()
    return rows


_Chunk = tuple[list[int], frozenset[int]]  # the clients of a chunk, and those of them in scope


def screen_database(
    database: Database,
    scope: ScreenScope,
    *,
    chunk_size: int = 5000,
    workers: int | None = None,
    progress: Callable[[int], None] | None = None,
    on_scope: Callable[[int], None] | None = None,
) -> Screened:
    """Screen every client of the scope, listing those in scope and the urgent ones; chunked
    (by id, so each chunk is read by range), optionally in several processes (SQLite readers
    do not block each other in WAL mode), each opening its own connections."""
    try:
        with database.connect() as conn:
            clients = clients_with_scope(conn, scope)
    finally:
        database.dispose()
    if on_scope is not None:
        on_scope(len(clients))
    chunks: list[_Chunk] = []
    for i in range(0, len(clients), chunk_size):
        part = clients[i : i + chunk_size]
        chunks.append(([c for c, _ in part], frozenset(c for c, recent in part if recent)))
    workers = workers if workers is not None else min(os.cpu_count() or 1, 2)
    rows: list[WorklistRow] = []
    not_listed: list[NotListed] = []
    if workers <= 1 or len(chunks) <= 1:
        try:
            for chunk in chunks:
                with database.connect() as conn:
                    listed, left = _screen_scoped(conn, scope, chunk)
                rows.extend(listed)
                not_listed.extend(left)
                if progress is not None:
                    progress(len(chunk[0]))
        finally:
            database.dispose()
    else:
        import multiprocessing

        context = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
        collecting = gc.isenabled()
        gc.disable()  # unpickling the rows makes many objects and no cycles (see screen_chunk)
        try:
            with context.Pool(workers) as pool:
                for chunk, (listed, left) in zip(
                    chunks,
                    pool.imap(_screen_chunk_job, [(database, scope, c) for c in chunks]),
                    strict=True,
                ):
                    rows.extend(listed)
                    not_listed.extend(left)
                    if progress is not None:
                        progress(len(chunk[0]))
        finally:
            if collecting:
                gc.enable()
    return screened(rows, not_listed, scope.recent_days)


def _screen_scoped(
    conn: Any, scope: ScreenScope, chunk: _Chunk
) -> tuple[list[WorklistRow], list[NotListed]]:
    """A chunk's rows to list and the clients it leaves off: split where it was screened,
    so only the rows listed travel back from a worker."""
    ids, in_scope = chunk
    return split_by_scope(screen_chunk(conn, scope, ids, in_scope))


def _screen_chunk_job(
    job: tuple[Database, ScreenScope, _Chunk],
) -> tuple[list[WorklistRow], list[NotListed]]:
    database, scope, chunk = job  # a copy of the database's description: its own engine
    try:
        with database.connect() as conn:
            return _screen_scoped(conn, scope, chunk)
    finally:
        database.dispose()


def screen_practices(
    database: Database,
    actor: Operator,
    as_of: date,
    *,
    recent_days: int = DEFAULT_RECENT_DAYS,
    practice_id: int | None = None,
    settings_override: RuleSettings | None = None,
    workers: int | None = None,
    progress: Callable[[int], None] | None = None,
    on_scope: Callable[[int], None] | None = None,
) -> Screened:
    """Screen each practice with its own rule settings (or the override), audit one read
    entry naming the clients screened (listed or left off: each was read), and return one
    worklist in priority order with the clients out of scope it leaves off."""
    require_permission(actor, Permission.OPERATE)
    with database.unit_of_work() as uow:
        practices = uow.practices.rule_settings_by_practice(practice_id)
    if practice_id is not None and not practices:
        raise InvalidInput(
            [FieldError("--practice", f"no practice with id {practice_id}")], what="screen"
        )
    rows: list[WorklistRow] = []
    not_listed: list[NotListed] = []
    for pid, settings in practices.items():
        scope = ScreenScope(as_of, settings_override or settings, recent_days, pid)
        found = screen_database(
            database, scope, workers=workers, progress=progress, on_scope=on_scope
        )
        rows.extend(found.rows)
        not_listed.extend(found.not_listed)
    with database.unit_of_work() as uow:
        audit_write(
            uow.session,
            actor,
            AuditAction.SCREEN_READ,
            target_type="client",
            target_ids=sorted(
                [*(int(r.client) for r in rows), *(int(n.client) for n in not_listed)]
            ),
        )
        uow.commit()
    database.dispose()
    return screened(rows, not_listed, recent_days)
