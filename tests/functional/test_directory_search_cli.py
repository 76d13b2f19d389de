"""`referwell directory search` and `referwell synth directory`: the options for one need in
words and as `referwell.options/1`, every need of a case (crisis as crisis resources), the
filters that cannot be read refused by name, and a synthetic directory written and searched."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from plain_words import codes_in
from referwell.cli.main import app
from referwell.db import migrate
from referwell.db.directory.repository import load_entries, save_entries
from referwell.db.engine import make_engine, make_session_factory
from referwell.domain.directory.matching import match
from referwell.services.directory.search import query_for
from referwell.services.synthetic.directory import demo_directory

runner = CliRunner()


@pytest.fixture(scope="module")
def directory(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('directory') / 'referwell.sqlite3'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        save_entries(session, demo_directory())
        session.commit()
    engine.dispose()
    return url


def search(url: str, *options: str) -> object:
    return runner.invoke(app, ["directory", "search", "--database", url, *options])


def test_the_json_is_the_reference_matchers_answer(directory: str) -> None:
    found = search(
        directory, "--service", "dbt", "--age", "15", "--postal-code", "80202",
        "--insurance", "payer-prairie", "--include-waitlist", "--k", "5", "--format", "json",
    )  # fmt: skip
    assert found.exit_code == 0, found.output
    answer = json.loads(found.stdout)
    assert answer["format"] == "referwell.options/1"
    assert set(answer["excluded"]) == {"financial_conflict", "age", "intake", "reach"}
    option = answer["options"][0]
    assert set(option) == {
        "entry_id", "name", "organization_id", "distance_km", "telehealth", "score", "fits",
        "uncertain",
    }  # fmt: skip
    engine = make_engine(directory)
    with make_session_factory(engine)() as session:
        entries = load_entries(session)
    engine.dispose()
    query = query_for(
        ["dbt"], age=15, postal_code="80202", insurance=["payer-prairie"],
        include_waitlist=True, k=5,
    )  # fmt: skip
    assert answer == json.loads(json.dumps(match(entries, query).as_dict()))


def test_in_words_each_option_says_why_and_what_was_left_out(directory: str) -> None:
    found = search(directory, "--service", "psychiatry", "--age", "40", "--postal-code", "80203")
    assert found.exit_code == 0, found.output
    assert "Psychiatry Clinic" in found.stdout
    assert "fits: offers psychiatric" in found.stdout
    assert "Left out: 0 with a payment for referrals on record, " in found.stdout
    assert codes_in(found.stdout) == []


def test_a_case_is_answered_need_by_need_with_crisis_resources(
    directory: str, tmp_path: Path
) -> None:
    case = {
        "format": "referwell.case/1",
        "id": "t1",
        "as_of": "2026-11-20",
        "clinician": {"competencies": ["cbt", "adults"]},
        "client": {"age": 26, "postal_code": "80202", "languages": ["en"]},
        "concerns": ["depression", "borderline_personality"],
        "measures": [{"instrument": "PHQ-9", "date": "2026-11-13", "items": [2, 2, 2, 2, 2, 2, 2, 2, 2]}],
    }  # fmt: skip
    path = tmp_path / "case.json"
    path.write_text(json.dumps(case))
    found = search(directory, "--case", str(path), "--format", "json")
    assert found.exit_code == 0, found.output
    answers = json.loads(found.stdout)
    formats = [answer["format"] for answer in answers]
    assert formats[-1] == "referwell.crisis_resources/1"
    assert "referwell.options/1" in formats
    crisis = answers[-1]
    assert crisis["national"][0]["name"] == "988 Suicide & Crisis Lifeline"
    assert crisis["local"]
    dbt = next(a for a in answers if "dbt" in a.get("query", {}).get("services", []))
    assert dbt["options"]
    words = search(directory, "--case", str(path))
    assert "Crisis resources:" in words.stdout


@pytest.mark.parametrize(
    ("options", "named"),
    [
        (["--service", "dbx", "--age", "30", "--postal-code", "80202"], "--service"),
        (["--service", "dbt", "--age", "130", "--postal-code", "80202"], "--age"),
        (["--service", "dbt", "--age", "30", "--postal-code", "00000"], "--postal-code"),
        (["--service", "dbt", "--age", "30", "--postal-code", "80202", "--k", "0"], "--k"),
        (["--service", "dbt", "--age", "30", "--state", "Atlantis", "--telehealth"], "--state"),
        (["--age", "30"], "--service"),
    ],
)
def test_a_filter_that_cannot_be_read_is_refused_by_name(
    directory: str, options: list[str], named: str
) -> None:
    found = search(directory, *options)
    assert found.exit_code == 2
    assert named in found.stderr


def test_synth_directory_writes_a_national_directory_to_search(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'synth.sqlite3'}"
    made = runner.invoke(
        app, ["synth", "directory", "--providers", "3000", "--seed", "4", "--database", url]
    )
    assert made.exit_code == 0, made.output
    assert "wrote 3,000 directory entries" in made.stderr
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        entries = load_entries(session)
    engine.dispose()
    assert len(entries) == 3000
    states = {place.state for entry in entries for place in entry.locations}
    assert len(states) > 40  # spread over the country
    assert any(e.telehealth_states and len(e.telehealth_states) > 1 for e in entries)
    found = search(url, "--service", "psychotherapy", "--age", "30", "--postal-code", "10001",
                   "--telehealth", "--format", "json")  # fmt: skip
    assert found.exit_code == 0, found.output
    assert json.loads(found.stdout)["options"]
