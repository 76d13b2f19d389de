"""Benchmark: validate and assess one realistic case in-process, and `referwell assess` on one file.

A realistic case: 40 sessions, 20 questionnaires (PHQ-9 and GAD-7 with item
answers), several events, steps and goals. The issue names no baseline, so the
last line puts each figure beside its aim (in-process ≤ 0.5 ms per case; the
CLI on one file < 0.5 s): a ratio under 1 meets the aim.

    .venv/bin/python benchmarks/assess.py [--cases 2000]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from referwell import assess
from referwell.domain.assessment import assess_case
from referwell.domain.caseformat import parse_case

AS_OF = date(2026, 11, 20)
AIM_IN_PROCESS_MS = 0.5
AIM_CLI_S = 0.5


def realistic_case(rng: random.Random, n: int) -> dict:
    start = AS_OF - timedelta(days=7 * 40)
    sessions = [
        {
            "date": (start + timedelta(days=7 * i)).isoformat(),
            "attendance": rng.choices(
                ["attended", "late", "no_show", "late_cancel", "cancelled"], [80, 6, 6, 4, 4]
            )[0],
        }
        for i in range(40)
    ]
    measures = []
    for i in range(10):
        day = (start + timedelta(days=28 * i)).isoformat()
        measures.append(
            {
                "instrument": "PHQ-9",
                "date": day,
                "items": [rng.randint(0, 3) for _ in range(8)] + [rng.choice([0, 0, 0, 1])],
            }
        )
        measures.append(
            {"instrument": "GAD-7", "date": day, "items": [rng.randint(0, 3) for _ in range(7)]}
        )
    rng.shuffle(measures)
    kinds = [
        "romantic_advance",
        "boundary_crossing",
        "suicidal_statement",
        "threat_to_others",
        "self_harm",
    ]
    events = [
        {
            "date": (AS_OF - timedelta(days=rng.randint(0, 200))).isoformat(),
            "kind": rng.choice(kinds),
            "discussed": rng.random() < 0.5,
        }
        for _ in range(4)
    ]
    return {
        "format": "referwell.case/1",
        "id": f"bench-{n:05d}",
        "as_of": AS_OF.isoformat(),
        "clinician": {
            "competencies": ["cbt", "act", "depression", "anxiety", "adults"],
            "in_training": ["emdr"],
        },
        "client": {
            "age": rng.randint(18, 80),
            "languages": ["en", "es"],
            "postal_code": "80202",
            "insurance": ["aetna"],
            "telehealth_ok": True,
            "current_care": ["primary_care"],
        },
        "concerns": rng.sample(
            ["depression", "anxiety", "trauma_ptsd", "insomnia", "bipolar", "grief"], 3
        ),
        "physical_symptoms": [{"symptom": "headaches", "medically_evaluated": rng.random() < 0.5}],
        "measures": measures,
        "sessions": sessions,
        "events": events,
        "clinician_factors": rng.sample(
            ["values_conflict", "burnout", "similar_personal_issue"], 1
        ),
        "considering_referral_because": ["not_benefiting"],
        "steps_taken": ["supervision", {"step": "treatment_adjusted", "date": "2026-10-01"}],
        "goals": [{"description": "sleep", "status": "progressing"}, {"status": "met"}],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--cli-runs", type=int, default=15)
    args = parser.parse_args()
    rng = random.Random(7)
    cases = [realistic_case(rng, i) for i in range(args.cases)]

    # Warm up, then time validate + assess per case.
    for case in cases[:50]:
        assess_case(parse_case(case))
    times = []
    for case in cases:
        t0 = time.perf_counter()
        assess_case(parse_case(case))
        times.append(time.perf_counter() - t0)
    median_ms = statistics.median(times) * 1000
    p95_ms = sorted(times)[int(len(times) * 0.95)] * 1000

    # The library call and the CLI must agree on the same file.
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "case.json"
        path.write_text(json.dumps(cases[0]))
        exe = Path(sys.executable).with_name("referwell")
        cli = subprocess.run(
            [exe, "assess", "--format", "json", str(path)], capture_output=True, check=True
        )
        if json.loads(cli.stdout) != assess(cases[0]):
            raise SystemExit("the CLI and the library disagree on the same case")
        walls = []
        for _ in range(args.cli_runs):
            t0 = time.perf_counter()
            subprocess.run(
                [exe, "assess", "--format", "json", str(path)], capture_output=True, check=True
            )
            walls.append(time.perf_counter() - t0)
    cli_s = statistics.median(walls)

    print(f"cases: {len(cases)} (40 sessions, 20 questionnaires, 4 events each)")
    print(
        f"in-process validate+assess: median {median_ms:.3f} ms, p95 {p95_ms:.3f} ms per case (aim ≤ {AIM_IN_PROCESS_MS} ms)"
    )
    print(
        f"CLI `referwell assess --format json` on one file: median {cli_s:.3f} s over {len(walls)} runs (aim < {AIM_CLI_S} s)"
    )
    print(
        f"ratio to aim: in-process {median_ms / AIM_IN_PROCESS_MS:.2f}, CLI {cli_s / AIM_CLI_S:.2f} (under 1 meets the aim)"
    )


if __name__ == "__main__":
    main()
