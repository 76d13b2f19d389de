"""Use cases: screen a whole practice, or a set of case files, into a prioritised worklist.

From the database, each client's summary is built in bulk by `db.summaries`
(a handful of set-based queries per chunk of clients) and the one rule engine
decides: the rules are never written twice. From case files or JSON Lines,
each case is validated and assessed as usual. The operator's screen of whole
practices is one audited read naming the clients listed.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any, Final

from referwell.db.audit import AuditAction
from referwell.db.summaries import ScreenScope, bulk_summaries, clients_in_scope
from referwell.domain.assessment import assess_case, assess_summary
from referwell.domain.caseformat import parse_case
from referwell.domain.errors import FieldError, InvalidInput
from referwell.domain.settings import RuleSettings
from referwell.services.auditing import audit_write
from referwell.services.permissions import Operator, Permission, require_permission
from referwell.services.screening.rows import WorklistRow, order_worklist

if TYPE_CHECKING:
    from referwell.db.engine import Database

__all__ = [
    "DEFAULT_RECENT_DAYS",
    "ScreenScope",
    "clients_in_scope",
    "screen_cases",
    "screen_chunk",
    "screen_database",
    "screen_practices",
]

DEFAULT_RECENT_DAYS: Final = 90


# --- from case files ---------------------------------------------------------


def screen_cases(
    sources: Iterable[tuple[str, Any]],
    settings: RuleSettings,
    *,
    as_of: date,
    recent_days: int = DEFAULT_RECENT_DAYS,
    on_refused: Callable[[str, InvalidInput], None] | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[WorklistRow]:
    """Assess every case with a session in the last `recent_days` before `as_of`."""
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
        if not any((case.as_of - s.date).days <= recent_days for s in case.sessions):
            continue
        rows.append(WorklistRow.of(assess_case(case, settings), name, "", (0, name)))
    return order_worklist(rows)


# --- from the database, in bulk ----------------------------------------------


def screen_chunk(conn: Any, scope: ScreenScope, ids: Sequence[int]) -> list[WorklistRow]:
    """Summaries of these clients from set-based queries, then the one rule engine."""
    rows = []
    # A chunk makes about a hundred thousand short-lived objects and no reference cycles;
    # the cycle collector would walk them again and again (about a sixth of the time).
    collecting = gc.isenabled()
    gc.disable()
    try:
        for client_id, clinician, summary in bulk_summaries(conn, ids, scope.as_of, scope.settings):
            assessment = assess_summary(summary, scope.settings)
            rows.append(WorklistRow.of(assessment, str(client_id), clinician, (client_id, "")))
    finally:
        if collecting:
            gc.enable()
    return rows


def screen_database(
    database: Database,
    scope: ScreenScope,
    *,
    chunk_size: int = 5000,
    workers: int | None = None,
    progress: Callable[[int], None] | None = None,
    on_scope: Callable[[int], None] | None = None,
) -> list[WorklistRow]:
    """Screen every client in scope; chunked, optionally in several processes (SQLite
    readers do not block each other in WAL mode), each opening its own connections."""
    try:
        with database.connect() as conn:
            ids = clients_in_scope(conn, scope)
    finally:
        database.dispose()
    if on_scope is not None:
        on_scope(len(ids))
    chunks = [ids[i : i + chunk_size] for i in range(0, len(ids), chunk_size)]
    workers = workers if workers is not None else min(os.cpu_count() or 1, 2)
    rows: list[WorklistRow] = []
    if workers <= 1 or len(chunks) <= 1:
        try:
            for chunk in chunks:
                with database.connect() as conn:
                    rows.extend(screen_chunk(conn, scope, chunk))
                if progress is not None:
                    progress(len(chunk))
        finally:
            database.dispose()
    else:
        import multiprocessing

        context = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
        collecting = gc.isenabled()
        gc.disable()  # unpickling the rows makes many objects and no cycles (see screen_chunk)
        try:
            with context.Pool(workers) as pool:
                for chunk, result in zip(
                    chunks,
                    pool.imap(_screen_chunk_job, [(database, scope, c) for c in chunks]),
                    strict=True,
                ):
                    rows.extend(result)
                    if progress is not None:
                        progress(len(chunk))
        finally:
            if collecting:
                gc.enable()
    return order_worklist(rows)


def _screen_chunk_job(job: tuple[Database, ScreenScope, list[int]]) -> list[WorklistRow]:
    database, scope, ids = job  # a copy of the database's description: its own engine
    try:
        with database.connect() as conn:
            return screen_chunk(conn, scope, ids)
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
) -> list[WorklistRow]:
    """Screen each practice with its own rule settings (or the override), audit one read
    entry naming the clients screened, and return one worklist in priority order."""
    require_permission(actor, Permission.OPERATE)
    with database.unit_of_work() as uow:
        practices = uow.practices.rule_settings_by_practice(practice_id)
    if practice_id is not None and not practices:
        raise InvalidInput(
            [FieldError("--practice", f"no practice with id {practice_id}")], what="screen"
        )
    rows: list[WorklistRow] = []
    for pid, settings in practices.items():
        scope = ScreenScope(as_of, settings_override or settings, recent_days, pid)
        rows.extend(
            screen_database(database, scope, workers=workers, progress=progress, on_scope=on_scope)
        )
    with database.unit_of_work() as uow:
        audit_write(
            uow.session,
            actor,
            AuditAction.SCREEN_READ,
            target_type="client",
            target_ids=[int(r.client) for r in rows],
        )
        uow.commit()
    database.dispose()
    return order_worklist(rows)
