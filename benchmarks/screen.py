"""Benchmark: `referwell screen` over a synthetic practice against assessing each client alone.

Builds a practice with `referwell synth caseload` in SQLite (100,000 clients by
default: about 2 million questionnaires and 2 million sessions), then
1. runs `referwell screen --format json` as a process, timing it and sampling the
   resident memory of its whole process tree (the screen forks workers);
2. runs the baseline: the path the web app uses for one client, for every
   client one by one (read the client's case with the one case reader,
   `db.cases.read_case`: one indexed query per part of the case; validate it,
   assess it, and apply the screen's scope rule to the case as read: in scope
   when a session, questionnaire or event is dated in the 90 days up to the
   screening day; listed when in scope or urgent, named as left off otherwise),
   on one warm session;
3. checks that both list the same clients with the same recommendation, finding
   kinds, caution kinds, referral needs and scope, and leave off the same
   clients, and prints both times, the peak memory and, last, the ratio.

    .venv/bin/python benchmarks/screen.py [--clients 100000] [--keep]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path

AS_OF = date(2026, 11, 20)
ROOT = Path(__file__).resolve().parent.parent
AIM_SECONDS = 15.0
AIM_MEMORY_MB = 2048
AIM_RATIO = 20.0


def tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants, in MB (from /proc)."""
    total = 0
    pids = [pid]
    seen = set()
    while pids:
        p = pids.pop()
        if p in seen:
            continue
        seen.add(p)
        try:
            with open(f"/proc/{p}/status", encoding="ascii") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
            with open(f"/proc/{p}/task/{p}/children", encoding="ascii") as children:
                pids.extend(int(c) for c in children.read().split())
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total / 1024


def run_measured(cmd: list[str], stdout_path: Path) -> tuple[float, float]:
    peak = 0.0
    with stdout_path.open("wb") as out:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.PIPE)
        done = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not done.is_set():
                peak = max(peak, tree_rss_mb(proc.pid))
                time.sleep(0.02)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, err = proc.communicate()
        elapsed = time.perf_counter() - t0
        done.set()
        sampler.join()
    if proc.returncode != 0:
        raise SystemExit(f"{cmd[1]} failed ({proc.returncode}): {err.decode()[-2000:]}")
    return elapsed, peak


def baseline(url: str) -> tuple[dict[int, tuple], set[int], float, int]:
    """Every client through the single-client path the web app uses, with the scope rule
    applied to each case as read: (listed, left off, seconds, clients)."""
    from sqlalchemy import func, select, text

    from referwell.db.cases import read_case
    from referwell.db.engine import make_engine, make_session_factory
    from referwell.db.models import Client, Practice
    from referwell.domain.assessment import assess_case
    from referwell.domain.caseformat import parse_case
    from referwell.domain.settings import RuleSettings
    from referwell.services.screening.screen import DEFAULT_RECENT_DAYS, recorded_within

    engine = make_engine(url)
    results: dict[int, tuple] = {}
    left_off: set[int] = set()
    with make_session_factory(engine)() as session:
        settings = {
            pid: RuleSettings.from_mapping(overrides or {})
            for pid, overrides in session.execute(select(Practice.id, Practice.rule_settings))
        }
        plan = session.execute(
            text(
                "EXPLAIN QUERY PLAN SELECT * FROM client_measures WHERE client_id IN (1) ORDER BY date, id"
            )
        ).all()
        print("baseline query plan (measures of one client):", "; ".join(str(r[-1]) for r in plan))
        total = session.scalar(select(func.count()).select_from(Client))
        t0 = time.perf_counter()
        # Every client is read and assessed, one at a time: an urgent one is listed whatever
        # its dates, so none can be skipped; the scope is decided on the case as read.
        clients = session.execute(select(Client.id, Client.practice_id).order_by(Client.id)).all()
        for client_id, practice_id in clients:
            document = read_case(session, client_id, AS_OF).case
            case = parse_case(document, today=AS_OF)
            a = assess_case(case, settings[practice_id])
            in_scope = recorded_within(case, DEFAULT_RECENT_DAYS)
            if in_scope or a.recommendation == "urgent_safety":
                results[client_id] = (
                    a.recommendation,
                    tuple(f.kind for f in a.findings),
                    tuple(c.kind for c in a.cautions),
                    tuple(n.service for n in a.referral_needs),
                    in_scope,
                )
            else:
                left_off.add(client_id)
            session.expunge_all()
        elapsed = time.perf_counter() - t0
    engine.dispose()
    return results, left_off, elapsed, total


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--dir", type=Path, default=ROOT / "var" / "bench")
    parser.add_argument("--keep", action="store_true", help="reuse the database if it exists")
    parser.add_argument("--screen-runs", type=int, default=3, help="the median is reported")
    args = parser.parse_args()
    exe = str(Path(sys.executable).with_name("referwell"))
    args.dir.mkdir(parents=True, exist_ok=True)
    db = args.dir / f"screen-{args.clients}-{args.seed}.sqlite3"
    url = f"sqlite:///{db}"
    if not (args.keep and db.exists()):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        t0 = time.perf_counter()
        subprocess.run([exe, "db", "upgrade", "--database", url], check=True)
        subprocess.run(
            [exe, "synth", "caseload", "--clients", str(args.clients), "--seed", str(args.seed),
             "--as-of", AS_OF.isoformat(), "--database", url],
            check=True,
        )  # fmt: skip
        print(f"built {args.clients} clients in {time.perf_counter() - t0:.1f} s")
    import sqlite3

    with sqlite3.connect(db) as conn:
        counts = {
            t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # noqa: S608 - fixed names
            for t in ("clients", "client_measures", "client_sessions", "client_events")
        }
    print("data:", ", ".join(f"{k} {v:,}" for k, v in counts.items()))

    out = args.dir / "worklist.json"
    command = [exe, "screen", "--database", url, "--as-of", AS_OF.isoformat(), "--format", "json"]
    runs = [run_measured(command, out) for _ in range(args.screen_runs)]
    screen_s = statistics.median(t for t, _ in runs)
    peak_mb = max(m for _, m in runs)
    print("screen runs:", ", ".join(f"{t:.2f} s" for t, _ in runs))
    worklist = json.loads(out.read_text())
    screened = {
        int(c["client"]): (
            c["recommendation"],
            tuple(c["finding_kinds"]),
            tuple(c["caution_kinds"]),
            tuple(c["services"]),
            c["in_scope"],
        )
        for c in worklist["clients"]
    }
    not_listed = {int(c["client"]) for c in worklist["not_listed"]}
    urgent_out = sum(1 for c in worklist["clients"] if not c["in_scope"])
    print(
        f"referwell screen: median {screen_s:.2f} s, peak memory {peak_mb:.0f} MB (process tree), {len(screened):,} clients on the worklist ({urgent_out:,} urgent with nothing recent), {len(not_listed):,} out of scope left off"
    )
    if worklist["out_of_scope"] != len(not_listed) + urgent_out:
        raise SystemExit(
            f"out_of_scope is {worklist['out_of_scope']}, not {len(not_listed) + urgent_out}"
        )

    expected, left_off, base_s, total = baseline(url)
    if screened != expected:
        wrong = [k for k in expected.keys() | screened.keys() if expected.get(k) != screened.get(k)]
        raise SystemExit(
            f"screen and baseline disagree on {len(wrong)} clients, e.g. {sorted(wrong)[:5]}"
        )
    if not_listed != left_off:
        wrong = sorted(not_listed ^ left_off)
        raise SystemExit(f"screen and baseline leave off different clients, e.g. {wrong[:5]}")
    print(
        f"baseline (one client at a time, web path): {base_s:.2f} s over {total:,} clients; results agree for all {len(expected):,} listed and {len(left_off):,} left off"
    )
    print(
        f"aim: screen under {AIM_SECONDS:.0f} s and {AIM_MEMORY_MB} MB, at least {AIM_RATIO:.0f}x the baseline; cpus {os.cpu_count()}"
    )
    print(f"ratio baseline/screen: {base_s / screen_s:.1f}x")


if __name__ == "__main__":
    main()
