"""Issue 12 at the command line: the competencies a case file brings with `referwell import`
are attested by the operator who imported them (audited), so that `referwell export` gives
the case back as it came in and `referwell assess` reads both alike; `assess` on a file
reads the file as given, whatever the database holds."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from referwell.cli.main import app
from referwell.db.audit import os_user
from referwell.db.engine import make_engine, make_session_factory
from referwell.db.growth.models import Verification
from referwell.db.models import AuditEntry, User
from referwell.domain.caseformat import parse_case

AS_OF = "2026-11-20"
CLINICIAN = "s3-clin00001"
runner = CliRunner()


def _case() -> dict[str, Any]:
    """Psychosis, with psychosis among the clinician's competencies and DBT in training."""
    return {
        "format": "referwell.case/1",
        "id": "attested-1",
        "as_of": AS_OF,
        "clinician": {"competencies": ["adults", "psychosis"], "in_training": ["dbt"]},
        "client": {"age": 34},
        "concerns": ["psychosis"],
        "sessions": [{"date": "2026-11-13", "attendance": "attended"}],
    }


@pytest.fixture
def url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'practice.sqlite3'}"
    made = runner.invoke(
        app,
        ["synth", "caseload", "--clients", "3", "--seed", "3", "--as-of", AS_OF,
         "--database", url],
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    return url


def _assess(path: Path) -> dict[str, Any]:
    result = runner.invoke(app, ["assess", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    found: dict[str, Any] = json.loads(result.stdout)
    return found


def test_an_import_is_attested_by_its_operator_and_round_trips(url: str, tmp_path: Path) -> None:
    case_file = tmp_path / "attested-1.json"
    case_file.write_text(json.dumps(_case()))
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            clinician = session.scalar(select(User).where(User.username == CLINICIAN))
            assert clinician is not None
            assert "psychosis" not in {c.code for c in clinician.competencies}

        imported = runner.invoke(
            app,
            ["import", str(case_file), "--clinician", CLINICIAN,
             "--clinician-profile", "replace", "--database", url],
        )  # fmt: skip
        assert imported.exit_code == 0, imported.output

        exported = runner.invoke(app, ["export", "attested-1", "--as-of", AS_OF, "--database", url])
        assert exported.exit_code == 0, exported.output
        back = json.loads(exported.stdout)
        # The case comes back as it went in: psychosis counts (attested), DBT in training.
        assert back == parse_case(_case()).to_dict()
        assert back["clinician"] == {
            "competencies": ["adults", "psychosis"],
            "in_training": ["dbt"],
        }
        again = tmp_path / "again.json"
        again.write_text(exported.stdout)
        assert _assess(again) == _assess(case_file)

        with make_session_factory(engine)() as session:
            attested = session.scalars(
                select(Verification).where(Verification.kind == "attested")
            ).all()
            by_code = {v.code: v for v in attested if v.user_id == clinician.id}
            assert by_code["psychosis"].by_name == os_user()
            entries = session.scalars(
                select(AuditEntry).where(AuditEntry.action == "competence:attest")
            ).all()
            assert [(e.actor, e.actor_kind) for e in entries][-1] == (os_user(), "os_user")
            assert by_code["psychosis"].id in entries[-1].target_ids
    finally:
        engine.dispose()


def test_assess_reads_the_file_as_given(tmp_path: Path) -> None:
    """A file is assessed as given: a psychosis competence it claims counts (no evidence is
    looked up), one it does not claim refers."""
    case = _case()
    case["clinician"] = {"competencies": ["adults"]}
    case_file = tmp_path / "unclaimed.json"
    case_file.write_text(json.dumps(case))
    claimed_file = tmp_path / "claimed.json"
    claimed_file.write_text(json.dumps(_case()))
    unclaimed = _assess(case_file)
    claimed = _assess(claimed_file)
    assert unclaimed["recommendation"] == "refer"
    assert "competence.specialized_condition" in [f["kind"] for f in unclaimed["findings"]]
    # A claim in the file counts as given: no "in training" for want of evidence.
    kinds = [f["kind"] for f in claimed["findings"]]
    assert "competence.specialized_condition" not in kinds
    assert "competence.in_training" not in kinds
