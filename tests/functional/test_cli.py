"""The `referwell` command through Typer's runner and as a real process."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
from typer.testing import CliRunner

from plain_words import codes_in
from referwell.cli.main import app
from shipped_examples import EXAMPLES, example_paths

runner = CliRunner()


def _case(**overrides):
    case = {
        "format": "referwell.case/1",
        "id": "cli-1",
        "as_of": "2026-11-20",
        "clinician": {"competencies": ["cbt", "adults"]},
        "client": {"age": 30},
        "concerns": ["depression"],
    }
    case.update(overrides)
    return case


def _write(tmp_path, name, data):
    path = tmp_path / name
    path.write_text(json.dumps(data) if isinstance(data, dict) else data, encoding="utf-8")
    return path


def test_json_on_one_file_prints_exactly_one_assessment():
    result = runner.invoke(
        app, ["assess", "--format", "json", str(EXAMPLES / "ex01-bpd-outside-competence.json")]
    )
    assert result.exit_code == 0, result.output
    parsed = json.loads(result.stdout)
    assert parsed["format"] == "referwell.assessment/1"
    assert parsed["recommendation"] == "refer"


def test_text_report_puts_recommendation_and_headline_first():
    result = runner.invoke(app, ["assess", str(EXAMPLES / "ex04-phq9-item9.json")])
    assert result.exit_code == 0
    head = result.stdout.splitlines()[:4]
    assert any("Urgent: safety" in line for line in head)
    assert "Suicide risk" in result.stdout
    assert "Simon et al. 2013" in result.stdout
    assert "Crisis services" in result.stdout
    # In words: no code of the vocabulary in the text a person reads.
    assert "safety.suicide_risk" not in result.stdout
    assert "urgent_safety" not in result.stdout


def test_a_folder_gives_json_lines_one_assessment_a_line():
    result = runner.invoke(app, ["assess", "--format", "json", str(EXAMPLES)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert len(lines) == len(list(EXAMPLES.glob("ex0*[!d].json")))
    ids = [json.loads(line)["case_id"] for line in lines]
    assert ids == sorted(ids)


def test_a_refused_file_among_several_is_named_skipped_and_exits_2(tmp_path):
    good = _write(tmp_path, "a-good.json", _case())
    bad = _write(tmp_path, "b-bad.json", _case(client={"age": "30"}))
    result = runner.invoke(app, ["assess", "--format", "json", str(good), str(bad)])
    assert result.exit_code == 2
    assert len(result.stdout.strip().splitlines()) == 1
    assert f"{bad}: client.age: expected a whole number from 0 to 120" in result.stderr


def test_invalid_case_reports_every_error_one_a_line_and_exits_2(tmp_path):
    bad = _write(
        tmp_path,
        "bad.json",
        _case(
            client={"age": 200, "agee": 1},
            concerns=["depresion"],
            sessions=[{"date": "2026-12-01", "attendance": "attended"}],
        ),
    )
    result = runner.invoke(app, ["assess", str(bad)])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert any(line.startswith("client.age: ") for line in lines)
    assert any(line.startswith('client.agee: unknown key; did you mean "age"') for line in lines)
    assert any(
        line.startswith(
            'concerns[0]: unknown condition code "depresion"; did you mean "depression"'
        )
        for line in lines
    )
    assert any(
        line.startswith("sessions[0].date: 2026-12-01 is after as_of 2026-11-20") for line in lines
    )
    assert result.stdout == ""


def test_yaml_case_is_read_with_yaml_12_meaning(tmp_path):
    text = (
        "format: referwell.case/1\nid: y1\nas_of: 2026-11-20\n"
        "clinician:\n  competencies: [cbt, adults]\nclient:\n  age: 30\n  telehealth_ok: yes\n"
        "concerns: [depression]\n"
    )
    path = _write(tmp_path, "case.yaml", text)
    result = runner.invoke(app, ["assess", str(path)])
    assert result.exit_code == 2
    assert 'client.telehealth_ok: expected true or false; got the string "yes"' in result.stderr


def test_settings_file_changes_thresholds_and_is_reported(tmp_path):
    settings = _write(
        tmp_path,
        "rules.toml",
        'attendance_missed_threshold = 2\n[reasons]\nattendance_missed_threshold = "small groups"\n',
    )
    sessions = [
        {"date": "2026-11-01", "attendance": "no_show"},
        {"date": "2026-11-08", "attendance": "late_cancel"},
        {"date": "2026-11-15", "attendance": "attended"},
    ]
    path = _write(tmp_path, "case.json", _case(sessions=sessions))
    default = json.loads(runner.invoke(app, ["assess", "-f", "json", str(path)]).stdout)
    changed = json.loads(
        runner.invoke(app, ["assess", "-f", "json", "--settings", str(settings), str(path)]).stdout
    )
    assert default["recommendation"] == "continue"
    assert changed["recommendation"] == "consult_first"
    assert changed["settings"]["attendance_missed_threshold"] == 2
    assert default["settings"]["attendance_missed_threshold"] == 3
    assert default["settings_changed"] == []
    [record] = changed["settings_changed"]
    assert record["name"] == "attendance_missed_threshold"
    assert (record["value"], record["default"]) == (2, 3)
    assert record["set_by"] == "settings file rules.toml"
    assert record["reason"] == "small groups"


def test_a_settings_file_without_a_reason_for_a_change_is_refused(tmp_path):
    settings = _write(tmp_path, "rules.toml", "attendance_missed_threshold = 2\n")
    path = _write(tmp_path, "case.json", _case())
    result = runner.invoke(app, ["assess", "--settings", str(settings), str(path)])
    assert result.exit_code == 2
    assert "reasons.attendance_missed_threshold: say why" in result.stderr


def test_a_settings_file_cannot_go_below_a_safety_floor(tmp_path):
    settings = _write(
        tmp_path,
        "rules.toml",
        'threat_window_days = 0\n[reasons]\nthreat_window_days = "no threats here"\n',
    )
    path = _write(tmp_path, "case.json", _case())
    result = runner.invoke(app, ["assess", "--settings", str(settings), str(path)])
    assert result.exit_code == 2
    assert "threat_window_days: 0 is below the safety floor of 14" in result.stderr


def test_bad_settings_file_names_the_setting_and_exits_2(tmp_path):
    settings = _write(tmp_path, "rules.toml", 'attendance_windw = 5\nthreat_window_days = "30"\n')
    path = _write(tmp_path, "case.json", _case())
    result = runner.invoke(app, ["assess", "--settings", str(settings), str(path)])
    assert result.exit_code == 2
    assert 'attendance_windw: unknown setting; did you mean "attendance_window"' in result.stderr
    assert "threat_window_days: expected a whole number" in result.stderr


def test_schema_case_is_a_valid_json_schema_that_accepts_the_examples():
    result = runner.invoke(app, ["schema", "case"])
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    for path in sorted(EXAMPLES.glob("ex*.json")):
        if path.name.endswith(".expected.json"):
            continue
        assert not list(validator.iter_errors(json.loads(path.read_text()))), path.name


def test_rules_lists_every_rule_with_citations():
    result = runner.invoke(app, ["rules", "--format", "json"])
    assert result.exit_code == 0
    table = json.loads(result.stdout)
    assert {r["id"] for r in table} >= {"safety.suicide_risk", "caution.abandonment_risk"}
    text = runner.invoke(app, ["rules"]).stdout
    assert "Tarasoff v. Regents 1976 17 Cal.3d 425" in text


def test_the_installed_script_runs_as_a_process():
    exe = shutil.which("referwell", path=str(Path(sys.executable).parent))
    assert exe is not None
    done = subprocess.run(
        [exe, "assess", "--format", "json", str(EXAMPLES / "ex05-goals-met.json")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["recommendation"] == "plan_termination"
    missing = subprocess.run(
        [exe, "assess", "/nonexistent/case.json"], capture_output=True, text=True, check=False
    )
    assert missing.returncode == 2
    assert "cannot read" in missing.stderr


def test_the_text_report_of_every_example_reads_in_words() -> None:
    for path in example_paths():
        result = runner.invoke(app, ["assess", str(path)], env={"COLUMNS": "200"})
        assert result.exit_code == 0, result.output
        assert codes_in(result.stdout) == [], path.name
