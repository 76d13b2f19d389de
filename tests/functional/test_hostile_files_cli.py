"""`referwell import` of a case holding a NUL refuses it by its path, writing nothing.

PostgreSQL refuses NUL in text: the import used to fail there with a traceback
quoting the row's values (and SQLite stored it silently). The case format's
validator refuses it first, on both backends, before anything is written.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

from sqlalchemy import func, select
from typer.testing import CliRunner

from integration.conftest import (  # noqa: F401 - fixtures
    backend,
    database_url,
    postgres_databases,
)
from referwell.cli.main import app
from referwell.db.engine import make_engine, make_session_factory
from referwell.db.models import Client
from shipped_examples import EXAMPLES

runner = CliRunner()


def clients(url: str) -> int:
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            return int(session.scalar(select(func.count(Client.id))) or 0)
    finally:
        engine.dispose()


def test_import_refuses_a_nul_by_its_path_and_writes_nothing(
    database_url: str,  # noqa: F811 - the integration tests' fixture
    tmp_path: Path,
) -> None:
    made = runner.invoke(
        app,
        ["synth", "caseload", "--clients", "1", "--seed", "3", "--as-of", "2026-11-20",
         "--database", database_url],
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    before = clients(database_url)
    case = json.loads((EXAMPLES / "ex05-goals-met.json").read_text(encoding="utf-8"))
    bad = copy.deepcopy(case)
    bad["id"] = "ex05\x00nul"
    bad["goals"][0]["description"] = "Walk\x00 daily, a secret 1234"
    path = tmp_path / "nul.json"
    path.write_text(json.dumps(bad), encoding="utf-8")

    refused = runner.invoke(
        app, ["import", str(path), "--clinician", "s3-clin00001", "--database", database_url]
    )

    assert refused.exit_code == 2, refused.output
    assert "id: contains a NUL character (U+0000); remove it" in refused.output
    assert "goals[0].description: contains a NUL character (U+0000)" in refused.output
    assert "Traceback" not in refused.output
    assert "secret 1234" not in refused.output
    assert clients(database_url) == before


def test_export_of_an_id_no_client_can_have_is_refused_in_words(
    database_url: str,  # noqa: F811 - the integration tests' fixture
) -> None:
    made = runner.invoke(app, ["db", "upgrade", "--database", database_url])
    assert made.exit_code == 0, made.output
    for client in ("99999999999999999999", str(2**31)):
        refused = runner.invoke(app, ["export", client, "--database", database_url])
        assert refused.exit_code == 2, refused.output
        assert "Traceback" not in refused.output
