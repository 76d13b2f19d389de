"""The bulk read path: each client's `CaseSummary` from a handful of set-based queries.

Screening a practice reads summaries, not whole cases: per chunk of clients,
a GROUP BY on the (client, instrument, date) index with one indexed probe per
end picks each instrument's first and latest score; one scan of the (client,
date) index in its own order gives each client's attendance window; the other
parts of the case are read as the case reader reads them (`cases.part_query`).
The SQL only gathers and pre-filters (nothing dated after the screening day);
what the summary selects from it (threats in their window, goals that are not
dropped, symptoms not evaluated, the suicide-risk triggers) is decided by the
domain's `summary_of`, the one place the single-case path decides it too.
Tests hold this path equal to reading and assessing each client alone.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import groupby
from operator import itemgetter
from typing import Any

from sqlalchemy import (
    Integer,
    String,
    and_,
    case,
    cast,
    exists,
    func,
    literal_column,
    or_,
    select,
)
from sqlalchemy.orm import aliased

from referwell.db.case_parts import Event as CaseEvent
from referwell.db.case_parts import Measure, TherapySession
from referwell.db.cases import PARTS_BY_KEY, part_query
from referwell.db.growth.counting import clinician_codes
from referwell.db.models import Client, User
from referwell.domain.case import Event
from referwell.domain.measures import INSTRUMENTS
from referwell.domain.settings import RuleSettings
from referwell.domain.summary import (
    Attendance,
    CaseSummary,
    InstrumentSummary,
    Score,
    summarize_attendance,
    summary_of,
)


@dataclass(frozen=True, slots=True)
class ScreenScope:
    """Which clients a screen reads, and as of when: those of the practice (or of these
    clinicians); a client is in scope when a session, questionnaire or event of theirs is
    dated in the `recent_days` up to `as_of` (`as_of - date <= recent_days`)."""

    as_of: date
    settings: RuleSettings
    recent_days: int
    practice_id: int | None = None
    clinician_ids: tuple[int, ...] | None = None


# The dated parts of a case: anything recorded on one of them puts a client in scope.
SCOPE_PARTS = (TherapySession, Measure, CaseEvent)


def _recorded_recently(scope: ScreenScope) -> Any:
    """True for a client with a session, questionnaire or event dated in the window.

    One probe of a part's (client, date) index per client and part, stopping at the
    first found (sessions first: they put most clients in scope)."""
    since = scope.as_of - timedelta(days=scope.recent_days)
    return or_(
        *(
            exists().where(
                part.client_id == Client.id,
                part.date >= since,
                part.date <= scope.as_of,
                part.in_error_at.is_(None),
            )
            for part in SCOPE_PARTS
        )
    )


def _clients_of(scope: ScreenScope, *columns: Any) -> Any:
    """The clients a screen reads: those in care (not discharged) of the practice or of
    these clinicians, and not still being written by an import."""
    query = select(Client.id, *columns).where(
        Client.discharged_on.is_(None), Client.import_id.is_(None)
    )
    if scope.practice_id is not None:
        query = query.where(Client.practice_id == scope.practice_id)
    if scope.clinician_ids is not None:
        query = query.where(Client.clinician_id.in_(scope.clinician_ids))
    return query.order_by(Client.id)


def clients_in_scope(conn: Any, scope: ScreenScope) -> list[int]:
    """The ids of the clients in scope (something recorded in the `recent_days` up to
    `as_of`), in id order."""
    query = _clients_of(scope).where(_recorded_recently(scope))
    return [row[0] for row in conn.execute(query)]


def clients_with_scope(conn: Any, scope: ScreenScope) -> list[tuple[int, bool]]:
    """Every client of the practice (or of these clinicians), in id order, with whether
    they are in scope: a screen reads them all, so an urgent one is never left out."""
    query = _clients_of(scope, _recorded_recently(scope).label("in_scope"))
    return [(client_id, bool(recent)) for client_id, recent in conn.execute(query)]


def bulk_summaries(
    conn: Any, ids: Sequence[int], as_of: date, settings: RuleSettings
) -> Iterator[tuple[int, str, CaseSummary]]:
    """(client id, clinician username, summary) for each client id, as `summarize` would
    build it from the client's case as of `as_of`."""
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
    # The claims that count on the screening day, as the case reader reads them.
    codes = clinician_codes(conn, clinician_ids, as_of)
    no_codes: tuple[tuple[str, ...], tuple[str, ...]] = ((), ())

    firsts, latests, counts = _first_and_latest(conn, in_chunk, as_of)
    window = settings.attendance_window
    attendances = _attendance(conn, in_chunk, wanted, as_of, window)
    no_sessions = Attendance(window, 0, (), (), 0)

    def rows_of(key: str) -> dict[int, list[Any]]:
        """A part's rows by client, as the case reader reads them: the one value after the
        client's id, or the tuple of them."""
        out: dict[int, list[Any]] = defaultdict(list)
        query = part_query(PARTS_BY_KEY[key], in_chunk, as_of)
        if len(PARTS_BY_KEY[key].columns) == 1:
            for client_id, value in _driver_rows(conn, query):
                out[client_id].append(value)
        else:
            for row in _driver_rows(conn, query):
                out[row[0]].append(row[1:])
        return out

    concerns = rows_of("concerns")
    factors = rows_of("clinician_factors")
    reasons = rows_of("considering_referral_because")
    symptoms = rows_of("physical_symptoms")  # (symptom, medically_evaluated)
    goals = rows_of("goals")  # (status, description)
    financial = rows_of("financial_arrangements")  # (with, kind)
    current_care = rows_of("current_care")
    events: dict[int, list[Event]] = {
        client_id: [Event(_day(day), kind, bool(discussed)) for day, kind, discussed in rows]
        for client_id, rows in rows_of("events").items()
    }
    steps: dict[int, dict[str, date | None]] = {
        client_id: {step: _day(day) if day is not None else None for step, day in rows}
        for client_id, rows in rows_of("steps_taken").items()
    }

    for cid, case_id, clinician_id, age, format_of_care, engagement, ends in clients:
        yield (
            cid,
            usernames.get(clinician_id, ""),
            summary_of(
                case_id=case_id,
                as_of=as_of,
                age=age,
                format_of_care=format_of_care,
                concerns=concerns.get(cid, ()),
                competencies=codes.get(clinician_id, no_codes)[0],
                in_training=codes.get(clinician_id, no_codes)[1],
                current_care=current_care.get(cid, ()),
                engagement=engagement,
                wants_to_end=bool(ends),
                instruments={
                    code: InstrumentSummary(
                        code, firsts[cid][code], latests[cid][code], counts[cid][code]
                    )
                    for code in INSTRUMENTS
                    if code in counts.get(cid, {})
                },
                attendance=attendances.get(cid, no_sessions),
                events=events.get(cid, ()),
                steps=steps.get(cid, {}),
                factors=factors.get(cid, ()),
                reasons=reasons.get(cid, ()),
                symptoms=symptoms.get(cid, ()),
                goals=goals.get(cid, ()),
                financial=financial.get(cid, ()),
                settings=settings,
            ),
        )


def _day(value: str | date) -> date:
    """A date as the driver gives it: ISO text from SQLite, a date from psycopg."""
    return value if isinstance(value, date) else date.fromisoformat(value)


def _chunk_filter(ids: set[int]) -> Callable[[Any], Any]:
    """A condition on a client-id column selecting `ids` (and, by range, maybe a few more).

    A run of ids (a practice screened whole) is read by range, one index range scan per
    table; scattered ids (one supervisor's clients in a large practice) by list, so that
    the range does not read every client between them.
    """
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
    groups = (
        select(
            Measure.client_id,
            Measure.instrument,
            func.count().label("n"),
            func.min(Measure.date).label("first_day"),
            func.max(Measure.date).label("last_day"),
        )
        .where(in_chunk(Measure.client_id), Measure.date <= as_of, Measure.in_error_at.is_(None))
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
                same.in_error_at.is_(None),
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
    scan = (
        select(
            TherapySession.client_id, cast(TherapySession.date, String), TherapySession.attendance
        )
        .where(
            and_(
                in_chunk(TherapySession.client_id),
                TherapySession.date <= as_of,
                TherapySession.in_error_at.is_(None),
            )
        )
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
