"""Benchmark: the caseload and client pages under a steady load, then at saturation.

1. Builds a practice of 10,000 synthetic clients (`referwell synth caseload`,
   about 330 clinicians) in SQLite, with a password for the staff.
2. Starts `referwell serve` on a free loopback port as a subprocess.
3. Signs in as 20 clinicians through the login form (CSRF token included), and
   opens each one's caseload once (the first view of the day assesses and
   stores the caseload, as in a real morning); the client links on it are the
   client pages to ask for.
4. Open loop: a request every 10 ms for 30 s (100 per second, 3,000 in all),
   half caseloads and half client pages, spread over the clinicians; each is
   timed from the moment it was due, so a slow server cannot hide its queue.
   Prints p50/p95/p99 and the errors.
5. Closed loop (saturation): 16 clients ask as fast as they are answered for
   10 s; prints the requests per second.
6. Checks that the reads were audited the normal way (entries by the
   signed-in users), stops the server and prints the figures beside the aim.

Loopback only; every phase is bounded in time and in count.

    .venv/bin/python benchmarks/web.py [--clients 10000] [--rate 100] [--seconds 30] [--keep]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "benchmark-password-2026"  # noqa: S105 - the synthetic staff's, on loopback
HOST = "127.0.0.1"
AIM_P95_MS = 100.0
AIM_P99_MS = 250.0
REQUEST_TIMEOUT = 10.0
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
CLIENT_LINK_RE = re.compile(r'href="/clients/(\d+)"')


@dataclass
class Clinician:
    username: str
    http: httpx.AsyncClient
    client_ids: list[int] = field(default_factory=list)


@dataclass
class Sample:
    path: str
    latency_ms: float
    status: int | str  # the HTTP status, or the name of the error when there was no answer


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def build_database(exe: str, directory: Path, clients: int, seed: int, keep: bool) -> str:
    db = directory / f"web-{clients}-{seed}.sqlite3"
    url = f"sqlite:///{db}"
    if keep and db.exists():
        print(f"reusing {db}")
        return url
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    started = time.perf_counter()
    subprocess.run([exe, "db", "upgrade", "--database", url], check=True)
    subprocess.run(
        [exe, "synth", "caseload", "--clients", str(clients), "--seed", str(seed),
         "--password", PASSWORD, "--database", url],
        check=True,
    )  # fmt: skip
    print(f"built {clients:,} clients in {time.perf_counter() - started:.1f} s")
    return url


def start_server(
    exe: str, url: str, port: int, workers: int, data_dir: Path
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "REFERWELL_DATA_DIR": str(data_dir),
        "REFERWELL_DATABASE_URL": url,
        "REFERWELL_SECURE_COOKIES": "false",
    }
    log = (data_dir / "serve.log").open("wb")
    return subprocess.Popen(
        [exe, "serve", "--host", HOST, "--port", str(port), "--workers", str(workers),
         "--no-access-log", "--database", url],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip


def stop_server(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)  # the server and its workers: our own process group
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


async def wait_until_up(base: str, server: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient(base_url=base) as http:
        while time.monotonic() < deadline:
            if server.poll() is not None:
                raise SystemExit(f"referwell serve exited with {server.returncode}; see serve.log")
            try:
                if (await http.get("/healthz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    raise SystemExit("referwell serve did not answer /healthz within 30 s")


async def sign_in(base: str, username: str) -> Clinician:
    http = httpx.AsyncClient(
        base_url=base,
        timeout=REQUEST_TIMEOUT,
        # Idle connections are dropped before uvicorn's 5 s keep-alive ends: reusing one the
        # server is closing would count the race as a server error.
        limits=httpx.Limits(max_connections=32, max_keepalive_connections=32, keepalive_expiry=2.0),
    )
    form = await http.get("/login")
    token = CSRF_RE.search(form.text)
    if form.status_code != 200 or token is None:
        raise SystemExit(f"/login gave {form.status_code} without a CSRF token")
    answer = await http.post(
        "/login",
        data={"username": username, "password": PASSWORD, "csrf_token": token.group(1), "next": ""},
    )
    if answer.status_code != 303 or "/caseload" not in answer.headers.get("location", ""):
        raise SystemExit(f"signing in as {username} gave {answer.status_code}")
    return Clinician(username, http)


async def timed_get(clinician: Clinician, path: str, due: float) -> Sample:
    try:
        answer = await clinician.http.get(path)
        status: int | str = answer.status_code
    except httpx.HTTPError as error:
        status = type(error).__name__
    return Sample(path, (time.perf_counter() - due) * 1000, status)


def next_path(rng: random.Random, clinician: Clinician) -> str:
    if clinician.client_ids and rng.random() < 0.5:
        return f"/clients/{rng.choice(clinician.client_ids)}"
    return "/caseload"


async def open_loop(clinicians: list[Clinician], rate: float, seconds: float) -> list[Sample]:
    """Requests fired on a fixed schedule whatever the answers; timed from when each was due."""
    rng = random.Random(1)
    count = int(rate * seconds)
    tasks = []
    start = time.perf_counter() + 0.1
    for number in range(count):
        due = start + number / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        clinician = clinicians[number % len(clinicians)]
        tasks.append(asyncio.create_task(timed_get(clinician, next_path(rng, clinician), due)))
    return list(await asyncio.gather(*tasks))


async def closed_loop(
    clinicians: list[Clinician], concurrency: int, seconds: float
) -> tuple[int, int, float]:
    """`concurrency` loops each asking again as soon as answered; (answered, errors, seconds)."""
    rng = random.Random(2)
    answered = errors = 0
    stop = time.perf_counter() + seconds

    async def loop(index: int) -> None:
        nonlocal answered, errors
        clinician = clinicians[index % len(clinicians)]
        while time.perf_counter() < stop:
            sample = await timed_get(clinician, next_path(rng, clinician), time.perf_counter())
            if sample.status == 200:
                answered += 1
            else:
                errors += 1

    started = time.perf_counter()
    await asyncio.gather(*(loop(i) for i in range(concurrency)))
    return answered, errors, time.perf_counter() - started


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def audited_reads(db: Path, since_id: int) -> dict[str, int]:
    with sqlite3.connect(db) as connection:
        rows = connection.execute(
            "SELECT action, count(*) FROM audit_log WHERE id > ? AND actor_kind = 'user' "
            "AND action IN ('caseload:read', 'client:read') GROUP BY action",
            (since_id,),
        ).fetchall()
    return dict(rows)


def last_audit_id(db: Path) -> int:
    with sqlite3.connect(db) as connection:
        return int(connection.execute("SELECT coalesce(max(id), 0) FROM audit_log").fetchone()[0])


async def drive(args: argparse.Namespace, base: str, usernames: list[str]) -> dict[str, float]:
    clinicians = [await sign_in(base, name) for name in usernames]
    warm = time.perf_counter()
    warm_errors: list[int] = []
    for clinician in clinicians:  # the first view of the day assesses the caseload
        for _ in range(3):
            page = await clinician.http.get("/caseload")
            if page.status_code == 200:
                break
            warm_errors.append(page.status_code)
        else:
            raise SystemExit(f"/caseload for {clinician.username} failed 3 times: {warm_errors}")
        clinician.client_ids = sorted({int(i) for i in CLIENT_LINK_RE.findall(page.text)})
    first_views = (time.perf_counter() - warm) / len(clinicians) * 1000
    shown = sum(len(c.client_ids) for c in clinicians)
    print(
        f"signed in {len(clinicians)} clinicians; first caseload views (assessing {shown} clients) "
        f"took {first_views:.0f} ms each; errors {len(warm_errors)}"
        + (f" (statuses {warm_errors}, retried; see serve.log)" if warm_errors else "")
    )

    cpu_before = time.process_time()
    samples = await open_loop(clinicians, args.rate, args.seconds)
    generator_cpu = time.process_time() - cpu_before
    latencies = [s.latency_ms for s in samples if s.status == 200]
    errors = [s for s in samples if s.status != 200]
    figures = {
        "requests": float(len(samples)),
        "errors": float(len(errors)),
        "p50": percentile(latencies, 0.50) if latencies else float("nan"),
        "p95": percentile(latencies, 0.95) if latencies else float("nan"),
        "p99": percentile(latencies, 0.99) if latencies else float("nan"),
    }
    for kind, prefix in (("caseload", "/caseload"), ("client page", "/clients/")):
        own = [s.latency_ms for s in samples if s.status == 200 and s.path.startswith(prefix)]
        if own:
            print(
                f"  {kind}: {len(own)} answered, p50 {statistics.median(own):.1f} ms, "
                f"p95 {percentile(own, 0.95):.1f} ms, p99 {percentile(own, 0.99):.1f} ms"
            )
    print(
        f"open loop {args.rate:.0f} req/s for {args.seconds:.0f} s: {len(samples)} requests, "
        f"p50 {figures['p50']:.1f} ms, p95 {figures['p95']:.1f} ms, p99 {figures['p99']:.1f} ms, "
        f"errors {len(errors)}"
        + (f" (statuses {sorted({str(s.status) for s in errors})})" if errors else "")
        + f"; the load generator used {generator_cpu / args.seconds:.0%} of a cpu"
    )

    answered, failed, elapsed = await closed_loop(
        clinicians, args.concurrency, args.saturation_seconds
    )
    figures["max_rps"] = answered / elapsed
    figures["saturation_errors"] = float(failed)
    print(
        f"saturation (closed loop, {args.concurrency} concurrent, {elapsed:.0f} s): "
        f"{figures['max_rps']:.0f} req/s, errors {failed}"
    )
    for clinician in clinicians:
        await clinician.http.aclose()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=2027)
    parser.add_argument("--rate", type=float, default=100.0, help="open-loop requests per second")
    parser.add_argument("--seconds", type=float, default=30.0, help="open-loop duration")
    parser.add_argument("--concurrency", type=int, default=16, help="closed-loop clients")
    parser.add_argument("--saturation-seconds", type=float, default=10.0)
    parser.add_argument("--clinicians", type=int, default=20, help="clinicians signed in")
    parser.add_argument(
        "--workers", type=int, default=min(2, os.cpu_count() or 1), help="uvicorn worker processes"
    )
    parser.add_argument("--dir", type=Path, default=ROOT / "var" / "bench")
    parser.add_argument("--keep", action="store_true", help="reuse the database if it exists")
    args = parser.parse_args()
    if args.rate * args.seconds > 20_000 or args.seconds > 120 or args.saturation_seconds > 60:
        raise SystemExit("bounded on purpose: at most 20,000 open-loop requests, 120 s and 60 s")

    exe = str(Path(sys.executable).with_name("referwell"))
    args.dir.mkdir(parents=True, exist_ok=True)
    url = build_database(exe, args.dir, args.clients, args.seed, args.keep)
    db = Path(url.removeprefix("sqlite:///"))
    usernames = [f"s{args.seed}-clin{n:05d}" for n in range(1, args.clinicians + 1)]
    audit_before = last_audit_id(db)

    port = free_port()
    base = f"http://{HOST}:{port}"
    server = start_server(exe, url, port, args.workers, args.dir)
    try:
        asyncio.run(wait_until_up(base, server))
        figures = asyncio.run(drive(args, base, usernames))
    finally:
        stop_server(server)  # shutting down writes the queued read entries
    reads = audited_reads(db, audit_before)
    print(
        f"audited reads by the signed-in clinicians: {reads.get('caseload:read', 0)} caseload views, "
        f"{reads.get('client:read', 0)} client pages"
    )
    if not reads:
        raise SystemExit("no read was audited: the benchmark did not go through the normal path")
    met = figures["p95"] < AIM_P95_MS and figures["p99"] < AIM_P99_MS and figures["errors"] == 0
    print(
        f"aim p95 < {AIM_P95_MS:.0f} ms, p99 < {AIM_P99_MS:.0f} ms, no errors; got p95 "
        f"{figures['p95']:.1f} ms, p99 {figures['p99']:.1f} ms, {figures['errors']:.0f} errors at "
        f"{args.rate:.0f} req/s, saturation {figures['max_rps']:.0f} req/s "
        f"({args.workers} worker{'s' if args.workers != 1 else ''}, {os.cpu_count()} cpus): "
        f"{'met' if met else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
