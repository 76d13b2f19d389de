"""Benchmark: 50 signed-in users for 60 s against `referwell serve`, on SQLite and PostgreSQL.

Each user is a clinician of a synthetic practice (`referwell synth caseload`) who signs
in through the form and then, waiting 1 to 3 s between requests, asks for their caseload
(40 %), one of their client pages (40 %) or saves a session (20 %): locust, headless
(benchmarks/locustfile.py). Every answer that is not the expected one counts as an
error, a 503 too. Prints the requests, the errors, p50, p95 and p99 per backend, and last
the aim beside the figures. The issue names no baseline: the figure stands beside its aim.

PostgreSQL runs when REFERWELL_TEST_POSTGRES_URL names a server (run this script through
scripts/with-postgres.sh, which starts a throw-away one).

    scripts/with-postgres.sh .venv/bin/python benchmarks/load.py [--users 50] [--seconds 60]
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from web import (
    HOST,
    PASSWORD,
    ROOT,
    build_database,
    free_port,
    start_server,
    stop_server,
    wait_until_up,
)

AIM_ERRORS = 0


def synth_postgres(exe: str, url: str, clients: int, seed: int) -> str:
    subprocess.run([exe, "db", "upgrade", "--database", url], check=True)
    subprocess.run(
        [exe, "synth", "caseload", "--clients", str(clients), "--seed", str(seed),
         "--password", PASSWORD, "--database", url],
        check=True,
    )  # fmt: skip
    return url


def run_locust(
    base: str, users: int, seconds: int, usernames: list[str], out: Path
) -> dict[str, float]:
    env = {**os.environ, "LOAD_USERNAMES": ",".join(usernames), "LOAD_PASSWORD": PASSWORD}
    prefix = out / "load"
    subprocess.run(
        [str(Path(sys.executable).with_name("locust")), "-f", str(Path(__file__).with_name("locustfile.py")),
         "--headless", "--users", str(users), "--spawn-rate", str(max(1, users // 5)),
         "--run-time", f"{seconds}s", "--host", base, "--csv", str(prefix), "--only-summary",
         "--loglevel", "WARNING", "--stop-timeout", "10"],
        env=env,
        check=False,
    )  # fmt: skip
    with (out / "load_stats.csv").open(encoding="utf-8") as handle:
        rows = {row["Name"]: row for row in csv.DictReader(handle)}
    total = rows["Aggregated"]
    figures = {
        "requests": float(total["Request Count"]),
        "errors": float(total["Failure Count"]),
        "p50": float(total["50%"]),
        "p95": float(total["95%"]),
        "p99": float(total["99%"]),
    }
    for name, row in rows.items():
        if name != "Aggregated":
            print(
                f"  {row['Type']:<5} {name:<28} {int(row['Request Count']):>6} answered, "
                f"{int(row['Failure Count'])} errors, p50 {row['50%']} ms, p95 {row['95%']} ms, "
                f"p99 {row['99%']} ms"
            )
    failures = out / "load_failures.csv"
    if failures.exists():
        for row in csv.DictReader(failures.open(encoding="utf-8")):
            print(
                f"  failure: {row['Method']} {row['Name']}: {row['Error']} ({row['Occurrences']}x)"
            )
    return figures


def run_backend(name: str, url: str, args: argparse.Namespace, exe: str) -> dict[str, float]:
    port = free_port()
    base = f"http://{HOST}:{port}"
    usernames = [f"s{args.seed}-clin{n:05d}" for n in range(1, args.users + 1)]
    with tempfile.TemporaryDirectory() as scratch:
        data_dir = Path(scratch)
        server = start_server(exe, url, port, args.workers, data_dir)
        try:
            asyncio.run(wait_until_up(base, server))
            figures = run_locust(base, args.users, args.seconds, usernames, data_dir)
        finally:
            stop_server(server)
    print(
        f"{name}: {figures['requests']:.0f} requests in {args.seconds} s by {args.users} users, "
        f"{figures['errors']:.0f} errors, p50 {figures['p50']:.0f} ms, p95 {figures['p95']:.0f} ms, "
        f"p99 {figures['p99']:.0f} ms"
    )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=2028)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--dir", type=Path, default=ROOT / "var" / "bench")
    parser.add_argument(
        "--keep", action="store_true", help="reuse the SQLite database if it exists"
    )
    args = parser.parse_args()
    if args.seconds > 300 or args.users > 500:
        raise SystemExit("bounded on purpose: at most 300 s and 500 users")
    exe = str(Path(sys.executable).with_name("referwell"))
    args.dir.mkdir(parents=True, exist_ok=True)
    results = {
        "sqlite": run_backend(
            "sqlite", build_database(exe, args.dir, args.clients, args.seed, args.keep), args, exe
        )
    }
    postgres = os.environ.get("REFERWELL_TEST_POSTGRES_URL")
    if postgres:
        results["postgresql"] = run_backend(
            "postgresql", synth_postgres(exe, postgres, args.clients, args.seed), args, exe
        )
    else:
        print("postgresql: skipped (run through scripts/with-postgres.sh for it)")
    errors = sum(figures["errors"] for figures in results.values())
    worst_p95 = max(figures["p95"] for figures in results.values())
    worst_p99 = max(figures["p99"] for figures in results.values())
    print(
        f"aim: zero errors with {args.users} users for {args.seconds} s on each backend; got "
        f"{errors:.0f} errors, worst p95 {worst_p95:.0f} ms, worst p99 {worst_p99:.0f} ms "
        f"({'met' if errors == AIM_ERRORS else 'NOT met'})"
    )


if __name__ == "__main__":
    main()
