"""Use case: screen a whole practice and write a prioritised worklist.

From the database, each client's questionnaires and sessions are reduced to the
compact summary the rules read by a handful of set-based SQL queries per chunk
of clients (a GROUP BY on the (client, instrument, date) index with one indexed
probe per end picks first and latest scores; one scan of the (client, date)
index in its own order gives each client's attendance window), and the one
rule engine decides: the rules are never written twice.
From case files or JSON Lines, each case is validated and assessed as usual.
"""

from __future__ import annotations

import csv
import gc
import io
import json
import os
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from typing import Any

from referwell.domain.assessment import Assessment, assess_case, assess_summary
from referwell.domain.case import Event
from referwell.domain.caseformat import parse_case
from referwell.domain.errors import FieldError, InvalidInput
from referwell.domain.measures import INSTRUMENTS
from referwell.domain.settings import RuleSettings
from referwell.domain.summary import (
    Attendance,
    CaseSummary,
    InstrumentSummary,
    Score,
    suicide_triggers,
    summarize_attendance,
)
from referwell.domain.vocabulary import RECOMMENDATION_RANK
from referwell.services.permissions import Operator

DEFAULT_RECENT_DAYS = 90


@dataclass(frozen=True, slots=True)
class WorklistRow:
    """One screened client: what the engine said and why, without clinical free text."""

    client: str  # the database id, or the case file's name
    case_id: str
    clinician: str
    recommendation: str
    latest_trigger: date | None
    headline: str
    finding_kinds: tuple[str, ...]
    caution_kinds: tuple[str, ...]
    services: tuple[str, ...]
    sort_id: tuple[int, str]

    @classmethod
    def of(
        cls, assessment: Assessment, client: str, clinician: str, sort_id: tuple[int, str]
    ) -> WorklistRow:
        return cls(
            client=client,
            case_id=assessment.case_id,
            clinician=clinician,
            recommendation=assessment.recommendation,
            latest_trigger=assessment.latest_trigger,
            headline=assessment.headline,
            finding_kinds=tuple(f.kind for f in assessment.findings),
            caution_kinds=tuple(c.kind for c in assessment.cautions),
            services=tuple(n.service for n in assessment.referral_needs),
            sort_id=sort_id,
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "client": self.client,
            "case_id": self.case_id,
            "clinician": self.clinician,
            "recommendation": self.recommendation,
            "latest_trigger": self.latest_trigger.isoformat() if self.latest_trigger else None,
            "headline": self.headline,
            "finding_kinds": list(self.finding_kinds),
            "caution_kinds": list(self.caution_kinds),
            "services": list(self.services),
        }


def worklist_key(row: WorklistRow) -> tuple[int, int, int, tuple[int, str]]:
    """Most pressing first; within one, newest dated trigger first, undated after dated,
    then by client id."""
    trigger = row.latest_trigger
    return (
        RECOMMENDATION_RANK[row.recommendation],
        0 if trigger is not None else 1,
        -trigger.toordinal() if trigger is not None else 0,
        row.sort_id,
    )


def order_worklist(rows: Iterable[WorklistRow]) -> list[WorklistRow]:
    return sorted(rows, key=worklist_key)


# --- from case files ---------------------------------------------------------


def iter_case_sources(path: Path) -> Iterator[tuple[str, Any]]:
    """(name, decoded case or InvalidInput) from a folder of case files or a JSON Lines file."""
    from referwell.services.assessing import case_files
    from referwell.services.caseio import parse_json, read_path

    if path.is_dir():
        for file in case_files([path]):
            try:
                yield file.name, read_path(file)
            except InvalidInput as exc:
                yield file.name, exc
        return
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                yield f"{path.name}:{number}", parse_json(line)
            except InvalidInput as exc:
                yield f"{path.name}:{number}", exc


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


@dataclass(frozen=True, slots=True)
class ScreenScope:
    database_url: str
    as_of: date
    settings: RuleSettings
    recent_days: int = DEFAULT_RECENT_DAYS
    practice_id: int | None = None
    clinician_ids: tuple[int, ...] | None = None


def screen_database(
    scope: ScreenScope,
    *,
    chunk_size: int = 5000,
    workers: int | None = None,
    progress: Callable[[int], None] | None = None,
    on_scope: Callable[[int], None] | None = None,
) -> list[WorklistRow]:
    """Screen every client in scope with a session in the window; chunked, optionally in
    several processes (SQLite readers do not block each other in WAL mode)."""
    from referwell.db.engine import make_engine

    engine = make_engine(scope.database_url)
    try:
        with engine.connect() as conn:
            ids = clients_in_scope(conn, scope)
        if on_scope is not None:
            on_scope(len(ids))
    finally:
        engine.dispose()
    chunks = [ids[i : i + chunk_size] for i in range(0, len(ids), chunk_size)]
    workers = workers if workers is not None else min(os.cpu_count() or 1, 2)
    rows: list[WorklistRow] = []
    if workers <= 1 or len(chunks) <= 1:
        engine = make_engine(scope.database_url)
        try:
            for chunk in chunks:
                with engine.connect() as conn:
                    rows.extend(screen_chunk(conn, scope, chunk))
                if progress is not None:
                    progress(len(chunk))
        finally:
            engine.dispose()
    else:
        import multiprocessing

        context = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
        collecting = gc.isenabled()
        gc.disable()  # unpickling the rows makes many objects and no cycles (see screen_chunk)
        try:
            with context.Pool(workers) as pool:
                for chunk, result in zip(
                    chunks,
                    pool.imap(_screen_chunk_job, [(scope, c) for c in chunks]),
                    strict=True,
                ):
                    rows.extend(result)
                    if progress is not None:
                        progress(len(chunk))
        finally:
            if collecting:
                gc.enable()
    return order_worklist(rows)


def _screen_chunk_job(job: tuple[ScreenScope, list[int]]) -> list[WorklistRow]:
    from referwell.db.engine import make_engine

    scope, ids = job
    engine = make_engine(scope.database_url)
    try:
        with engine.connect() as conn:
            return screen_chunk(conn, scope, ids)
    finally:
        engine.dispose()


def clients_in_scope(conn: Any, scope: ScreenScope) -> list[int]:
    """The ids of the clients in scope with a session in the `recent_days` up to `as_of`,
    in id order."""
    from sqlalchemy import and_, select

    from referwell.db.case_parts import TherapySession
    from referwell.db.models import Client

    since = scope.as_of - timedelta(days=scope.recent_days)
    recent = (
        select(TherapySession.client_id)
        .where(and_(TherapySession.date >= since, TherapySession.date <= scope.as_of))
        .distinct()
    )
    query = select(Client.id).where(Client.id.in_(recent))
    if scope.practice_id is not None:
        query = query.where(Client.practice_id == scope.practice_id)
    if scope.clinician_ids is not None:
        query = query.where(Client.clinician_id.in_(scope.clinician_ids))
    return [row[0] for row in conn.execute(query.order_by(Client.id))]


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


def bulk_summaries(
    conn: Any, ids: Sequence[int], as_of: date, settings: RuleSettings
) -> Iterator[tuple[int, str, CaseSummary]]:
    """(client id, clinician username, summary) for each client id, as `summarize` would
    build it from the client's case file as of `as_of`."""
    from sqlalchemy import String, and_, cast, or_, select

    from referwell.db.case_parts import (
        ClinicianFactor,
        Concern,
        FinancialArrangement,
        Goal,
        PhysicalSymptom,
        ReferralReason,
        StepTaken,
    )
    from referwell.db.case_parts import Event as EventRow
    from referwell.db.models import Client, ClinicianCompetency, ClinicianTraining, User

    if not ids:
        return
    wanted = set(ids)
    in_chunk = _chunk_filter(wanted)

    clients = [
        row
        for row in _driver_rows(
            conn,
            select(
                Client.id,
                Client.external_id,
                Client.clinician_id,
                Client.age,
                Client.format_of_care,
                Client.current_care,
                Client.engagement,
                Client.wants_to_end,
            ).where(in_chunk(Client.id)),
        )
        if row[0] in wanted
    ]
    clinician_ids = {row[2] for row in clients}
    usernames = dict(
        conn.execute(select(User.id, User.username).where(User.id.in_(clinician_ids))).all()
    )
    competencies: dict[int, list[str]] = defaultdict(list)
    for user_id, code in _driver_rows(
        conn,
        select(ClinicianCompetency.user_id, ClinicianCompetency.code)
        .where(ClinicianCompetency.user_id.in_(clinician_ids))
        .order_by(ClinicianCompetency.id),
    ):
        competencies[user_id].append(code)
    training: dict[int, list[str]] = defaultdict(list)
    for user_id, code in _driver_rows(
        conn,
        select(ClinicianTraining.user_id, ClinicianTraining.code)
        .where(ClinicianTraining.user_id.in_(clinician_ids))
        .order_by(ClinicianTraining.id),
    ):
        training[user_id].append(code)

    firsts, latests, counts = _first_and_latest(conn, in_chunk, as_of)

    window = settings.attendance_window
    attendances = _attendance(conn, in_chunk, wanted, as_of, window)
    no_sessions = Attendance(window, 0, (), (), 0)

    events: dict[int, list[Event]] = defaultdict(list)
    for client_id, day, kind, discussed in _driver_rows(
        conn,
        select(EventRow.client_id, cast(EventRow.date, String), EventRow.kind, EventRow.discussed)
        .where(and_(in_chunk(EventRow.client_id), EventRow.date <= as_of))
        .order_by(EventRow.client_id, EventRow.date, EventRow.id),
    ):
        events[client_id].append(Event(date.fromisoformat(day), kind, bool(discussed)))

    def codes(model: Any, column: Any) -> dict[int, list[Any]]:
        out: dict[int, list[Any]] = defaultdict(list)
        for client_id, value in _driver_rows(
            conn,
            select(model.client_id, column)
            .where(in_chunk(model.client_id))
            .order_by(model.client_id, model.id),
        ):
            out[client_id].append(value)
        return out

    concerns = codes(Concern, Concern.code)
    factors = codes(ClinicianFactor, ClinicianFactor.code)
    reasons = codes(ReferralReason, ReferralReason.code)
    unevaluated: dict[int, list[str]] = defaultdict(list)
    for client_id, symptom, evaluated in _driver_rows(
        conn,
        select(
            PhysicalSymptom.client_id, PhysicalSymptom.symptom, PhysicalSymptom.medically_evaluated
        )
        .where(in_chunk(PhysicalSymptom.client_id))
        .order_by(PhysicalSymptom.client_id, PhysicalSymptom.id),
    ):
        if not evaluated:
            unevaluated[client_id].append(symptom)
    goals: dict[int, list[tuple[str, str | None]]] = defaultdict(list)
    for client_id, status, description in _driver_rows(
        conn,
        select(Goal.client_id, Goal.status, Goal.description)
        .where(in_chunk(Goal.client_id))
        .order_by(Goal.client_id, Goal.id),
    ):
        if status != "dropped":
            goals[client_id].append((status, description))
    financial: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for client_id, who, kind in _driver_rows(
        conn,
        select(
            FinancialArrangement.client_id,
            FinancialArrangement.counterparty,
            FinancialArrangement.kind,
        )
        .where(in_chunk(FinancialArrangement.client_id))
        .order_by(FinancialArrangement.client_id, FinancialArrangement.id),
    ):
        financial[client_id].append((who, kind))
    steps: dict[int, dict[str, date | None]] = defaultdict(dict)
    for client_id, step, when in _driver_rows(
        conn,
        select(StepTaken.client_id, StepTaken.step, cast(StepTaken.date, String))
        .where(
            and_(
                in_chunk(StepTaken.client_id),
                or_(StepTaken.date.is_(None), StepTaken.date <= as_of),
            )
        )
        .order_by(StepTaken.client_id, StepTaken.id),
    ):
        steps[client_id][step] = date.fromisoformat(when) if when is not None else None

    threat_window = settings.threat_window_days
    competent = {c: frozenset(competencies.get(c, ())) for c in clinician_ids}
    learning = {c: frozenset(training.get(c, ())) for c in clinician_ids}
    for cid, case_id, clinician_id, age, format_of_care, care_json, engagement, ends in clients:
        # SQLite's driver gives JSON as text, psycopg as the decoded list.
        care = json.loads(care_json) if isinstance(care_json, str) else care_json
        instruments = {
            code: InstrumentSummary(code, firsts[cid][code], latests[cid][code], counts[cid][code])
            for code in INSTRUMENTS
            if code in counts.get(cid, {})
        }
        attendance = attendances.get(cid, no_sessions)
        client_events = events.get(cid, [])
        client_concerns = tuple(dict.fromkeys(concerns.get(cid, [])))
        latest_phq9 = latests[cid].get("PHQ-9") if cid in latests else None
        yield (
            cid,
            usernames.get(clinician_id, ""),
            CaseSummary(
                case_id=case_id,
                as_of=as_of,
                age=age,
                format_of_care=format_of_care,
                concerns=client_concerns,
                competencies=competent[clinician_id],
                in_training=learning[clinician_id],
                current_care=frozenset(care or ()),
                engagement=engagement,
                wants_to_end=bool(ends),
                instruments=instruments,
                attendance=attendance,
                suicide_triggers=suicide_triggers(
                    latest_phq9, client_events, client_concerns, as_of, settings
                ),
                threats_to_others=tuple(
                    e
                    for e in client_events
                    if e.kind == "threat_to_others" and (as_of - e.date).days <= threat_window
                ),
                threats_to_clinician=tuple(
                    e for e in client_events if e.kind == "threat_to_clinician"
                ),
                romantic_advances=tuple(e for e in client_events if e.kind == "romantic_advance"),
                boundary_crossings=tuple(e for e in client_events if e.kind == "boundary_crossing"),
                steps=steps.get(cid, {}),
                factors=frozenset(factors.get(cid, ())),
                reasons=tuple(dict.fromkeys(reasons.get(cid, []))),
                unevaluated_symptoms=tuple(unevaluated.get(cid, [])),
                goals=tuple(goals.get(cid, [])),
                financial=tuple(financial.get(cid, [])),
            ),
        )


def _chunk_filter(ids: set[int]) -> Callable[[Any], Any]:
    """A condition on a client-id column selecting `ids` (and, by range, maybe a few more).

    A run of ids (a practice screened whole) is read by range, one index range scan per
    table; scattered ids (one supervisor's clients in a large practice) by list, so that
    the range does not read every client between them.
    """
    from sqlalchemy import and_

    lo, hi = min(ids), max(ids)
    if hi - lo < 2 * len(ids):
        return lambda column: and_(column >= lo, column <= hi)
    listed = sorted(ids)
    return lambda column: column.in_(listed)


def _first_and_latest(
    conn: Any, in_chunk: Callable[[Any], Any], as_of: date
) -> tuple[dict[int, dict[str, Score]], dict[int, dict[str, Score]], dict[int, dict[str, int]]]:
    """First and latest score per client and instrument (date order, ties by insertion:
    the lowest id on the first day, the highest on the last), and the count.

    Grouped on the (client, instrument, date) index, each end found by an indexed
    lookup: no sort of the chunk's questionnaires."""
    from sqlalchemy import Integer, String, case, cast, func, literal_column, select
    from sqlalchemy.orm import aliased

    from referwell.db.case_parts import Measure

    groups = (
        select(
            Measure.client_id,
            Measure.instrument,
            func.count().label("n"),
            func.min(Measure.date).label("first_day"),
            func.max(Measure.date).label("last_day"),
        )
        .where(in_chunk(Measure.client_id), Measure.date <= as_of)
        .group_by(Measure.client_id, Measure.instrument)
        .subquery()
    )
    same = aliased(Measure)

    def end_id(day: Any, order: Any) -> Any:
        return (
            select(same.id)
            .where(
                same.client_id == groups.c.client_id,
                same.instrument == groups.c.instrument,
                same.date == day,
            )
            .order_by(order)
            .limit(1)
            .correlate(groups)
            .scalar_subquery()
        )

    ends = select(
        groups.c.client_id,
        groups.c.instrument,
        groups.c.n,
        end_id(groups.c.first_day, same.id).label("first_id"),
        end_id(groups.c.last_day, same.id.desc()).label("last_id"),
    ).subquery()
    first, last = aliased(Measure), aliased(Measure)

    # Only item 9 of the latest PHQ-9 is read; extracting it in SQL spares decoding every
    # JSON list. The path is written into the SQL (no bound JSON path), so the statement
    # can run on the driver's cursor.
    if conn.dialect.name == "sqlite":
        answer9: Any = func.json_extract(last.items, literal_column("'$[8]'"))
    else:
        answer9 = cast(last.items.op("->>")(literal_column("8")), Integer)
    item9 = case((last.instrument == "PHQ-9", answer9), else_=None)

    query = (
        select(
            ends.c.client_id,
            ends.c.instrument,
            ends.c.n,
            cast(first.date, String),  # parsed below: cheaper than the driver's dates
            first.total,
            cast(last.date, String),
            last.total,
            item9,
        )
        .join(first, first.id == ends.c.first_id)
        .join(last, last.id == ends.c.last_id)
    )
    firsts: dict[int, dict[str, Score]] = defaultdict(dict)
    latests: dict[int, dict[str, Score]] = defaultdict(dict)
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    parse = date.fromisoformat
    for client_id, instrument, n, d0, t0, d1, t1, i1 in _driver_rows(conn, query):
        firsts[client_id][instrument] = Score(parse(d0), t0)
        latests[client_id][instrument] = Score(parse(d1), t1, i1)
        counts[client_id][instrument] = n
    return firsts, latests, counts


def _driver_rows(conn: Any, statement: Any) -> list[tuple[Any, ...]]:
    """Run a Core statement on the connection's own driver cursor and return plain tuples.

    For the largest scan of a chunk (its sessions), SQLAlchemy's row objects and type
    handling cost more than the database's own work; the statement therefore selects
    dates as text and binds only plain values. Same connection, same transaction.
    """
    compiled = statement.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    values = compiled.construct_params()
    if conn.dialect.name == "sqlite":  # SQLite stores dates as ISO text
        values = {k: v.isoformat() if isinstance(v, date) else v for k, v in values.items()}
    params: Any = (
        tuple(values[name] for name in compiled.positiontup)
        if compiled.positional and compiled.positiontup is not None
        else values
    )
    sql = str(compiled)
    cursor = conn.connection.driver_connection.cursor()
    try:
        # Listeners (logging, tracing, tests) see this statement as they see any other.
        conn.dispatch.before_cursor_execute(conn, cursor, sql, params, None, False)
        cursor.execute(sql, params)
        return list(cursor.fetchall())
    finally:
        cursor.close()


def _attendance(
    conn: Any, in_chunk: Callable[[Any], Any], wanted: set[int], as_of: date, window: int
) -> dict[int, Attendance]:
    """Each wanted client's attendance summary: the last `window` scheduled sessions and
    every attended one (late counts), as `summarize_attendance` makes it from a case.

    One scan of the (client, date) index in its own order (ties by id): no sort; the
    window is the tail of each client's run."""
    from sqlalchemy import String, and_, cast, select

    from referwell.db.case_parts import TherapySession

    scan = (
        select(
            TherapySession.client_id, cast(TherapySession.date, String), TherapySession.attendance
        )
        .where(and_(in_chunk(TherapySession.client_id), TherapySession.date <= as_of))
        .order_by(TherapySession.client_id, TherapySession.date, TherapySession.id)
    )
    out: dict[int, Attendance] = {}
    parse = date.fromisoformat
    for client_id, run in groupby(_driver_rows(conn, scan), key=itemgetter(0)):
        if client_id not in wanted:
            continue
        sessions = list(run)
        last = sessions[-window:] if window > 0 else []
        out[client_id] = summarize_attendance(
            [(parse(d), a) for _, d, a in last],
            window,
            attended_total=sum(1 for _, _, a in sessions if a in ("attended", "late")),
        )
    return out


# --- output ------------------------------------------------------------------

CSV_COLUMNS = (
    "rank", "client", "case_id", "clinician", "recommendation", "latest_trigger",
    "finding_kinds", "caution_kinds", "services", "headline",
)  # fmt: skip


def worklist_csv(rows: Sequence[WorklistRow]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for rank, row in enumerate(rows, start=1):
        d = row.as_dict()
        writer.writerow(
            [
                rank,
                d["client"],
                d["case_id"],
                d["clinician"],
                d["recommendation"],
                d["latest_trigger"] or "",
                " ".join(d["finding_kinds"]),
                " ".join(d["caution_kinds"]),
                " ".join(d["services"]),
                d["headline"],
            ]
        )
    return buffer.getvalue()


def worklist_json(rows: Sequence[WorklistRow], as_of: date) -> str:
    """The worklist as one JSON object, one client a line: quick to write for a whole
    practice (the C encoder, no indenting pass) and still easy to read and diff."""
    head = json.dumps({"format": "referwell.worklist/1", "as_of": as_of.isoformat()})[:-1]
    if not rows:
        return head + ', "clients": []}'
    clients = ",\n  ".join(json.dumps(r.as_dict()) for r in rows)
    return head + ', "clients": [\n  ' + clients + "\n]}"


def screen_all_practices(
    database_url: str,
    as_of: date,
    *,
    recent_days: int = DEFAULT_RECENT_DAYS,
    practice_id: int | None = None,
    settings_override: RuleSettings | None = None,
    workers: int | None = None,
    progress: Callable[[int], None] | None = None,
    on_scope: Callable[[int], None] | None = None,
    actor: Operator,
) -> list[WorklistRow]:
    """Screen each practice with its own rule settings (or the override), audit one read
    entry naming the clients screened, and return one worklist in priority order."""
    from sqlalchemy import select

    from referwell.db.audit import AuditAction
    from referwell.db.engine import make_engine, make_session_factory
    from referwell.db.models import Practice
    from referwell.services.auditing import audit_write
    from referwell.services.permissions import Permission, require_permission

    require_permission(actor, Permission.OPERATE)
    engine = make_engine(database_url)
    try:
        with make_session_factory(engine)() as session:
            query = select(Practice.id, Practice.rule_settings).order_by(Practice.id)
            if practice_id is not None:
                query = query.where(Practice.id == practice_id)
            practices = session.execute(query).all()
        if practice_id is not None and not practices:
            raise InvalidInput(
                [FieldError("--practice", f"no practice with id {practice_id}")], what="screen"
            )
        rows: list[WorklistRow] = []
        for pid, overrides in practices:
            settings = settings_override or RuleSettings.from_mapping(
                overrides or {}, where="practice.rule_settings"
            )
            scope = ScreenScope(database_url, as_of, settings, recent_days, pid)
            rows.extend(
                screen_database(scope, workers=workers, progress=progress, on_scope=on_scope)
            )
        with make_session_factory(engine)() as session:
            audit_write(
                session,
                actor,
                AuditAction.SCREEN_READ,
                target_type="client",
                target_ids=[int(r.client) for r in rows],
            )
            session.commit()
    finally:
        engine.dispose()
    return order_worklist(rows)
