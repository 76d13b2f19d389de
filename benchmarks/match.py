"""Benchmark: referwell's directory index against the same query as indexed SQL in SQLite and
in PostgreSQL with PostGIS.

1. Builds a synthetic national directory of 1,000,000 providers
   (`services.synthetic.directory.synth_directory`, the entries `referwell synth
   directory` writes) in a SQLite file migrated to the newest revision, written in bulk;
   an R*Tree of the locations is the SQLite baseline's spatial index. The same rows are
   copied into PostgreSQL (scripts/with-postgres.sh starts a throw-away server when
   REFERWELL_TEST_POSTGRES_URL is unset), with a PostGIS geography column and its GiST
   index.
2. Builds referwell's index from the SQLite database in this process (columns, NumPy):
   prints the build time and the process's peak memory.
3. Makes 1,000 referral queries from synthetic clients across the country (a ZIP code
   centre drawn evenly, an age, insurance, languages, preferences): 60 % psychotherapy
   or a modality, 30 % a specialty or care setting, 10 % by telehealth. Each is timed
   in process, one at a time, after a warm-up of 100 others: referwell's index; the
   same query as one SQL statement in SQLite (R*Tree bounding box, the haversine with
   radius 6371.0 rounded to 0.1 km, every hard filter, the score, ties by distance then
   id; a second statement for the two-organization rule when the first 10 share one);
   and the same in PostgreSQL, pre-filtered with PostGIS's `ST_DWithin` on the GiST
   index (PostGIS's own sphere differs, so the distance is the same haversine).
4. Checks that all three return the same top 10 (ids, scores, distances, telehealth)
   for every query, prints each baseline's query plan, p50 and p95 of each, and the
   ratios last.

    .venv/bin/python benchmarks/match.py [--providers 1000000] [--queries 1000] [--keep]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import resource
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_ENV = "REFERWELL_TEST_POSTGRES_URL"
AIM_P50_MS, AIM_P95_MS, AIM_BUILD_S, AIM_MEMORY_MB = 2.0, 10.0, 60.0, 1536
DEG = math.pi / 180.0
BATCH = 20_000


# --- the data ---------------------------------------------------------------------------


def write_sqlite(path: Path, providers: int, seed: int) -> None:
    """The synthetic directory into a migrated SQLite file, in bulk (executemany), and the
    baseline's R*Tree."""
    from referwell.db import migrate
    from referwell.services.synthetic.directory import synth_directory

    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    migrate.upgrade(f"sqlite:///{path}")
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute(
        "INSERT INTO directory_imports (id, format, source, at, report) VALUES "
        "(1, 'synthetic', ?, '2026-11-30 00:00:00', '{}')",
        (f"benchmarks/match.py --providers {providers} --seed {seed}",),
    )
    organizations: dict[str, int] = {}
    entries: list[tuple[Any, ...]] = []
    services: list[tuple[int, str]] = []
    places: list[tuple[Any, ...]] = []
    states: list[tuple[int, str]] = []

    def flush() -> None:
        conn.executemany(
            "INSERT INTO directory_entries (id, external_id, kind, name, organization_id, "
            "age_min, age_max, languages, insurance, sliding_scale, fees, credentials, "
            "telehealth, telehealth_states_known, accepting_new_clients, waitlist_weeks, "
            "financial_arrangement, gender, faiths, unmapped, import_id) VALUES "
            "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '[]', 1)",
            entries,
        )
        conn.executemany("INSERT INTO directory_services (entry_id, code) VALUES (?, ?)", services)
        conn.executemany(
            "INSERT INTO directory_locations (entry_id, postal_code, state, latitude, longitude) "
            "VALUES (?, ?, ?, ?, ?)",
            places,
        )
        conn.executemany(
            "INSERT INTO directory_telehealth_states (entry_id, state) VALUES (?, ?)", states
        )
        for rows in (entries, services, places, states):
            rows.clear()

    for number, entry in enumerate(synth_directory(providers, seed), start=1):
        organization = None
        if entry.organization_id:
            organization = organizations.get(entry.organization_id)
            if organization is None:
                organization = organizations[entry.organization_id] = len(organizations) + 1
                conn.execute(
                    "INSERT INTO directory_organizations (id, external_id, name, import_id) "
                    "VALUES (?, ?, ?, 1)",
                    (organization, entry.organization_id, entry.organization_name),
                )
        entries.append(
            (
                number, entry.entry_id, entry.kind, entry.name, organization, entry.age_min,
                entry.age_max, json.dumps(sorted(entry.languages)),
                json.dumps(sorted(entry.insurance)), entry.sliding_scale, entry.fees,
                json.dumps(list(entry.credentials)), entry.telehealth,
                entry.telehealth_states is not None, entry.accepting_new_clients,
                entry.waitlist_weeks, entry.financial_arrangement, entry.gender,
                json.dumps(sorted(entry.faiths)),
            )
        )  # fmt: skip
        services.extend((number, code) for code in sorted(entry.services))
        places.extend(
            (number, p.postal_code, p.state, p.latitude, p.longitude) for p in entry.locations
        )
        states.extend((number, state) for state in sorted(entry.telehealth_states or ()))
        if len(entries) >= BATCH:
            flush()
    flush()
    conn.execute(
        "CREATE VIRTUAL TABLE bench_location_rtree USING rtree(id, min_lat, max_lat, min_lon, max_lon)"
    )
    conn.execute(
        "INSERT INTO bench_location_rtree SELECT id, latitude, latitude, longitude, longitude "
        "FROM directory_locations WHERE latitude IS NOT NULL AND longitude IS NOT NULL"
    )
    conn.commit()
    conn.execute("ANALYZE")
    conn.close()


COPIED = {
    "directory_imports": "id, format, source, at, report",
    "directory_organizations": "id, external_id, name, import_id",
    "directory_entries": (
        "id, external_id, kind, name, organization_id, age_min, age_max, languages, insurance, "
        "sliding_scale, fees, credentials, telehealth, telehealth_states_known, "
        "accepting_new_clients, waitlist_weeks, financial_arrangement, gender, faiths, "
        "unmapped, import_id"
    ),
    "directory_services": "entry_id, code",
    "directory_locations": "id, entry_id, postal_code, state, latitude, longitude",
    "directory_telehealth_states": "entry_id, state",
}
BOOLEANS = {"sliding_scale", "telehealth", "telehealth_states_known", "accepting_new_clients"}


def copy_to_postgres(sqlite_path: Path, url: str) -> None:
    """The same rows in PostgreSQL (migrated, COPY), a PostGIS geography column on the
    locations and its GiST index."""
    import psycopg
    from sqlalchemy import make_url

    from referwell.db import migrate

    migrate.upgrade(url)
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    source = sqlite3.connect(sqlite_path)
    with psycopg.connect(dsn, autocommit=True) as pg:
        pg.execute("CREATE EXTENSION IF NOT EXISTS postgis")
        for table, columns in COPIED.items():
            names = [c.strip() for c in columns.split(",")]
            flags = [name in BOOLEANS for name in names]
            with (
                pg.cursor() as cursor,
                cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
            ):
                for row in source.execute(f"SELECT {columns} FROM {table}"):  # noqa: S608
                    copy.write_row(
                        [
                            (None if value is None else bool(value)) if flag else value
                            for value, flag in zip(row, flags, strict=True)
                        ]
                    )
        pg.execute("ALTER TABLE directory_locations ADD COLUMN geog geography(Point, 4326)")
        pg.execute(
            "UPDATE directory_locations SET geog = ST_SetSRID(ST_MakePoint(longitude, latitude), "
            "4326)::geography WHERE latitude IS NOT NULL AND longitude IS NOT NULL"
        )
        pg.execute("CREATE INDEX bench_locations_geog ON directory_locations USING gist (geog)")
        pg.execute("VACUUM ANALYZE")
    source.close()


# --- the queries ------------------------------------------------------------------------

THERAPY = (
    "cbt",
    "dbt",
    "emdr",
    "trauma_focused",
    "act",
    "erp",
    "cpt",
    "ipt",
    "mi",
    "psychodynamic",
)
SPECIALTIES = (
    "psychiatry", "eating_disorders", "addiction", "bipolar", "primary_care",
    "intensive_outpatient", "crisis", "psychosis", "suicide_prevention",
    "coordinated_specialty_care", "residential", "neuropsychology",
)  # fmt: skip


def client_queries(count: int, seed: int) -> list[Any]:
    """Referral queries of synthetic clients across the country."""
    from referwell.domain.directory.matching import Query
    from referwell.services.synthetic.directory import zip_centres
    from referwell.services.synthetic.names import PAYERS

    rng = random.Random(seed)
    centres = zip_centres()
    out = []
    for _ in range(count):
        centre = rng.choice(centres)
        roll = rng.random()
        age = (
            rng.randint(6, 12) if roll < 0.10
            else rng.randint(13, 17) if roll < 0.25
            else rng.randint(18, 64) if roll < 0.90
            else rng.randint(65, 88)
        )  # fmt: skip
        roll = rng.random()
        telehealth = roll >= 0.90
        if roll < 0.60 or telehealth:
            service = "psychotherapy" if rng.random() < 2 / 3 else rng.choice(THERAPY)
        else:
            service = rng.choice(SPECIALTIES)
        services = {service}
        if age < 18 and rng.random() < 0.5:
            services.add("children" if age < 13 else "adolescents")
        roll = rng.random()
        languages = (
            ("en",) if roll < 0.85 else ("es",) if roll < 0.93 else ("es", "en") if roll < 0.97
            else (rng.choice(("vi", "zh", "ko", "ru", "ar")),)
        )  # fmt: skip
        out.append(
            Query(
                services=frozenset(services),
                age=age,
                latitude=centre.latitude,
                longitude=centre.longitude,
                state=centre.state,
                insurance=frozenset({rng.choice(PAYERS)}) if rng.random() < 0.7 else frozenset(),
                languages=languages,
                telehealth_ok=telehealth,
                include_waitlist=rng.random() < 0.5,
                urgent=rng.random() < 0.1,
                clinician_gender=rng.choice(("female", "male")) if rng.random() < 0.2 else None,
                wants_sliding_scale=rng.random() < 0.05,
                wants_in_person=rng.random() < 0.1,
            )
        )
    return out


# --- the SQL baselines ------------------------------------------------------------------

PROHIBITED = ("referral_fee", "fee_split", "gift_of_value", "exclusive_reciprocal")


def _literals(values: Sequence[str]) -> str:
    return ", ".join("'" + value.replace("'", "''") + "'" for value in values)


def _any_of(column: str, values: Sequence[str], postgres: bool) -> str:
    """A JSON list column holds one of `values`."""
    if not values:
        return "FALSE"
    if postgres:
        return f"jsonb_exists_any({column}::jsonb, ARRAY[{_literals(values)}])"
    return f"EXISTS (SELECT 1 FROM json_each({column}) j WHERE j.value IN ({_literals(values)}))"  # noqa: S608 - codes of the vocabulary, quoted


def baseline_sql(
    query: Any, postgres: bool, other_than: str | None = None
) -> tuple[str, dict[str, Any]]:
    """The query as one SQL statement: candidates by the spatial index (and by licensed
    state), every hard filter, the score, the order; the first `k` (or, with `other_than`,
    the best of another organization)."""
    from referwell.domain import vocabulary as v
    from referwell.domain.directory.model import POPULATION_AGES

    p1 = math.radians(query.latitude)
    limit = query.max_distance_km
    reach = math.degrees((limit + 0.1) / 6371.0) + 1e-6
    wide = math.degrees(math.asin(math.sin(math.radians(reach)) / math.cos(p1))) + 1e-6
    params: dict[str, Any] = {
        "lat": query.latitude, "lon": query.longitude, "p1": p1, "cos1": math.cos(p1),
        "deg": DEG, "max": limit, "lat0": query.latitude - reach, "lat1": query.latitude + reach,
        "lon0": query.longitude - wide, "lon1": query.longitude + wide,
        "radius": (limit + 0.1) * 1000 * 1.0001, "state": (query.state or "").upper(),
        "tele": bool(query.telehealth_ok and query.state), "k": query.k,
        "waitlist": bool(query.include_waitlist and not query.urgent), "age": query.age,
        "sliding": bool(query.wants_sliding_scale), "in_person": bool(query.wants_in_person),
        "gender": query.clinician_gender if query.clinician_gender not in (None, "any") else None,
        "other": other_than,
    }  # fmt: skip
    least, greatest = ("least", "greatest") if postgres else ("min", "max")
    half_dp = "(l.latitude * :deg - :p1) / 2"
    half_dl = "((l.longitude - :lon) * :deg) / 2"
    haversine = (
        f"floor(12742.0 * asin({least}(1.0, sqrt((sin({half_dp}) * sin({half_dp})) + "
        f"(:cos1 * cos(l.latitude * :deg)) * (sin({half_dl}) * sin({half_dl}))))) * 10 + 0.5) / 10"
    )
    if postgres:
        spatial = (
            "FROM directory_locations l WHERE ST_DWithin(l.geog, "
            "ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography, :radius, false)"
        )
    else:
        spatial = (
            "FROM bench_location_rtree r JOIN directory_locations l ON l.id = r.id "
            "WHERE r.min_lat >= :lat0 AND r.max_lat <= :lat1 "
            "AND r.min_lon >= :lon0 AND r.max_lon <= :lon1"
        )
    offers = []
    for code in sorted(query.asked_services):
        codes = ("psychotherapy", *v.MODALITIES) if code == "psychotherapy" else (code,)
        offers.append(
            "EXISTS (SELECT 1 FROM directory_services s WHERE s.entry_id = e.id "  # noqa: S608 - codes of the vocabulary, quoted
            f"AND s.code IN ({_literals(codes)}))"
        )
    serving = [
        c
        for c, (low, high) in POPULATION_AGES.items()
        if low <= query.age and (high is None or query.age <= high)
    ]
    populations = (
        "EXISTS (SELECT 1 FROM directory_services p WHERE p.entry_id = e.id AND p.code IN ({}))"
    )
    age = (
        "(CASE WHEN e.age_min IS NOT NULL OR e.age_max IS NOT NULL "
        "THEN coalesce(e.age_min, 0) <= :age AND (e.age_max IS NULL OR :age <= e.age_max) "
        f"ELSE NOT {populations.format(_literals(tuple(POPULATION_AGES)))}"
        + (f" OR {populations.format(_literals(serving))}" if serving else "")
        + " END)"
    )
    insurance = _any_of("e.insurance", sorted(query.insurance), postgres)
    speaks = _any_of("e.languages", list(query.languages), postgres)
    telehealth = (
        "(r.entry_id IS NOT NULL AND e.telehealth IS TRUE AND e.telehealth_states_known IS TRUE)"
    )
    score = (
        "(CASE WHEN e.accepting_new_clients IS TRUE THEN 15 WHEN e.accepting_new_clients IS NULL "
        f"THEN 5 ELSE {greatest}(0, 10 - e.waitlist_weeks) END)"
        f" + (CASE WHEN {insurance} THEN 30 ELSE 0 END)"
        f" + (CASE WHEN e.sliding_scale IS TRUE AND (:sliding OR NOT ({insurance})) THEN 10 ELSE 0 END)"
        f" + (CASE WHEN {speaks} THEN 20 ELSE 0 END)"
        f" + (CASE WHEN n.km IS NOT NULL THEN {greatest}(0, 20 - CAST(floor(n.km / 2) AS INTEGER)) ELSE 5 END)"
        " + (CASE WHEN :in_person AND n.km IS NOT NULL THEN 10 ELSE 0 END)"
        " + (CASE WHEN e.gender = :gender THEN 10 ELSE 0 END)"
    )
    organization = "coalesce(o.external_id, 'entry:' || e.external_id)"
    collate = ' COLLATE "C"' if postgres else ""
    sql = f"""
WITH near AS MATERIALIZED (
  SELECT d.entry_id, min(d.km) AS km
  FROM (SELECT l.entry_id, {haversine} AS km {spatial}) d
  WHERE d.km <= :max GROUP BY d.entry_id
),
remote AS MATERIALIZED (
  SELECT t.entry_id FROM directory_telehealth_states t WHERE :tele AND t.state = :state
),
candidates AS (SELECT entry_id FROM near UNION SELECT entry_id FROM remote)
SELECT e.external_id, {organization} AS organization, {score} AS score, n.km,
       {telehealth} AS telehealth
FROM candidates c
JOIN directory_entries e ON e.id = c.entry_id
LEFT JOIN near n ON n.entry_id = e.id
LEFT JOIN remote r ON r.entry_id = e.id
LEFT JOIN directory_organizations o ON o.id = e.organization_id
WHERE {" AND ".join(offers) if offers else "TRUE"}
  AND (e.financial_arrangement IS NULL OR e.financial_arrangement NOT IN ({_literals(PROHIBITED)}))
  AND {age}
  AND (e.accepting_new_clients IS NOT FALSE OR (:waitlist AND e.waitlist_weeks IS NOT NULL))
  AND (n.km IS NOT NULL OR {telehealth})
  {"AND " + organization + " <> :other" if other_than is not None else ""}
ORDER BY score DESC, n.km IS NULL, n.km, e.external_id{collate}
LIMIT {1 if other_than is not None else ":k"}
"""  # noqa: S608 - codes of the vocabulary, quoted; every value a parameter
    if postgres:
        sql = re.sub(r":(\w+)", r"%(\1)s", sql.replace("::", "\x00")).replace("\x00", "::")
    return sql, params


def run_baseline(execute: Any, query: Any, postgres: bool) -> list[tuple[Any, ...]]:
    """The first k as the SQL finds them, with the two-organization rule."""
    sql, params = baseline_sql(query, postgres)
    rows = [tuple(row) for row in execute(sql, params)]
    if query.k >= 2 and len(rows) == query.k and len({row[1] for row in rows}) == 1:
        sql, params = baseline_sql(query, postgres, other_than=rows[0][1])
        other = [tuple(row) for row in execute(sql, params)]
        if other:
            rows = [*rows[:-1], other[0]]
    return [(r[0], int(r[2]), None if r[3] is None else float(r[3]), bool(r[4])) for r in rows]


def ours(options: Any) -> list[tuple[Any, ...]]:
    return [(o.entry.entry_id, o.score, o.distance_km, o.telehealth) for o in options.options]


# --- running it -------------------------------------------------------------------------


def timed(run: Any, queries: Sequence[Any]) -> tuple[list[float], list[Any]]:
    times, answers = [], []
    for query in queries:
        started = time.perf_counter()
        answers.append(run(query))
        times.append((time.perf_counter() - started) * 1000)
    return times, answers


def percentiles(times: Sequence[float]) -> tuple[float, float]:
    ordered = sorted(times)
    cuts = statistics.quantiles(ordered, n=100, method="inclusive")
    return cuts[49], cuts[94]


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:  # noqa: PLR0915 - one run, read top to bottom
    parser = argparse.ArgumentParser()
    parser.add_argument("--providers", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--dir", type=Path, default=ROOT / "var" / "bench")
    parser.add_argument("--keep", action="store_true", help="reuse the SQLite file if it exists")
    parser.add_argument("--no-postgres", action="store_true", help="the SQLite baseline only")
    parser.add_argument("--write-sqlite", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.write_sqlite:  # the child process that builds the data
        write_sqlite(args.write_sqlite, args.providers, args.seed)
        return
    postgres_url = os.environ.get(POSTGRES_ENV)
    if not postgres_url and not args.no_postgres:
        runner = ROOT / "scripts" / "with-postgres.sh"
        if any(Path("/usr/lib/postgresql").glob("*/bin/initdb")):
            os.execvp("bash", ["bash", str(runner), sys.executable, *sys.argv])  # noqa: S606 - this script again, beside a throw-away server
        print("no PostgreSQL server here: the SQLite baseline only")
    args.dir.mkdir(parents=True, exist_ok=True)
    db = args.dir / f"match-{args.providers}-{args.seed}.sqlite3"
    if not (args.keep and db.exists()):
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, __file__, "--write-sqlite", str(db), "--providers",
             str(args.providers), "--seed", str(args.seed)],
            check=True,
        )  # fmt: skip
        print(
            f"wrote {args.providers:,} providers to SQLite in {time.perf_counter() - started:.0f} s"
        )
    with sqlite3.connect(db) as conn:
        counts = {
            t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # noqa: S608 - fixed names
            for t in ("directory_entries", "directory_services", "directory_locations",
                      "directory_telehealth_states", "directory_organizations")
        }  # fmt: skip
    print("data:", ", ".join(f"{k.removeprefix('directory_')} {v:,}" for k, v in counts.items()))

    # referwell's index, built first in this process so that its peak memory is its own.
    from sqlalchemy.orm import Session

    from referwell.db.engine import make_engine
    from referwell.services.directory.loading import load_index

    before = peak_mb()
    engine = make_engine(f"sqlite:///{db}")
    started = time.perf_counter()
    with Session(engine) as session:
        index = load_index(session)
    build_s = time.perf_counter() - started
    peak = peak_mb()
    engine.dispose()
    print(
        f"referwell index: built in {build_s:.1f} s from SQLite; peak memory {peak:.0f} MB "
        f"(process, {before:.0f} MB before); arrays {index.memory_bytes() / 2**20:.0f} MB"
    )

    queries = client_queries(args.queries, args.seed)
    warm = client_queries(100, args.seed + 1)
    for query in warm:
        index.match(query)
    index_ms, index_answers = timed(index.match, queries)
    found = [ours(answer) for answer in index_answers]

    lite = sqlite3.connect(db)
    lite.execute("PRAGMA cache_size = -400000")
    sample = next(q for q in queries if q.telehealth_ok)
    plan_sql, plan_params = baseline_sql(sample, postgres=False)
    print("SQLite baseline plan:")
    for row in lite.execute("EXPLAIN QUERY PLAN " + plan_sql, plan_params):
        print("  ", row[-1])

    def sqlite_run(query: Any) -> list[tuple[Any, ...]]:
        return run_baseline(lite.execute, query, False)

    for query in warm:
        sqlite_run(query)
    sqlite_ms, sqlite_answers = timed(sqlite_run, queries)

    results = [("referwell index", index_ms), ("SQLite, indexed SQL", sqlite_ms)]
    answers = {"SQLite": sqlite_answers}
    if postgres_url and not args.no_postgres:
        import psycopg
        from sqlalchemy import make_url

        started = time.perf_counter()
        copy_to_postgres(db, postgres_url)
        print(f"copied to PostgreSQL with PostGIS in {time.perf_counter() - started:.0f} s")
        dsn = (
            make_url(postgres_url)
            .set(drivername="postgresql")
            .render_as_string(hide_password=False)
        )
        pg = psycopg.connect(dsn, autocommit=True)
        pg.execute("SET work_mem = '64MB'")
        pg.execute("SET jit = off")  # compiling each statement costs more than it saves here
        plan_sql, plan_params = baseline_sql(sample, postgres=True)
        print("PostGIS baseline plan:")
        for (line,) in pg.execute("EXPLAIN (ANALYZE, COSTS OFF) " + plan_sql, plan_params):
            print("  ", line)

        def postgis_run(query: Any) -> list[tuple[Any, ...]]:
            return run_baseline(pg.execute, query, True)

        for query in warm:
            postgis_run(query)
        postgis_ms, postgis_answers = timed(postgis_run, queries)
        results.append(("PostgreSQL + PostGIS", postgis_ms))
        answers["PostGIS"] = postgis_answers
        pg.close()
    lite.close()

    for name, theirs in answers.items():
        wrong = [n for n, (a, b) in enumerate(zip(found, theirs, strict=True)) if a != b]
        if wrong:
            first = wrong[0]
            raise SystemExit(
                f"{name} and referwell disagree on {len(wrong)} of {len(queries)} queries; "
                f"query {first}: {queries[first]}\n referwell {found[first]}\n {name} {theirs[first]}"
            )
    listed = sum(len(f) for f in found)
    print(
        f"all {len(results)} agree on the top {queries[0].k} of every one of {len(queries):,} "
        f"queries ({listed:,} options; {sum(1 for f in found if not f)} queries with none)"
    )
    figures = {name: percentiles(ms) for name, ms in results}
    for name, (p50, p95) in figures.items():
        print(f"{name}: p50 {p50:.2f} ms, p95 {p95:.2f} ms")
    print(
        f"aim: p50 <= {AIM_P50_MS} ms and p95 <= {AIM_P95_MS} ms, faster than both baselines, "
        f"build < {AIM_BUILD_S:.0f} s, peak memory < {AIM_MEMORY_MB} MB; cpus {os.cpu_count()}"
    )
    index_p50, index_p95 = figures["referwell index"]
    ratios = ", ".join(
        f"{name} {p50 / index_p50:.1f}x (p95 {p95 / index_p95:.1f}x)"
        for name, (p50, p95) in figures.items()
        if name != "referwell index"
    )
    print(f"ratio baseline/referwell p50: {ratios}")


if __name__ == "__main__":
    main()
