"""`referwell measures score` and `rci`: worked examples by hand, and bad input."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from referwell.cli.main import app

runner = CliRunner()


@pytest.mark.parametrize(
    ("instrument", "items", "total", "severity", "caseness"),
    [
        # PHQ-9: 1+2+0+3+1+0+2+1+0 = 10, the caseness edge, band moderate (10-14).
        ("PHQ-9", "1,2,0,3,1,0,2,1,0", 10, "moderate", True),
        ("PHQ-9", "1,2,0,3,1,0,2,0,0", 9, "mild", False),
        ("phq9", "3,3,3,3,3,3,2,0,3", 23, "severe", True),
        # GAD-7: 8 is caseness though still in the mild band (5-9).
        ("GAD-7", "2,1,1,1,1,1,1", 8, "mild", True),
        ("GAD-7", "3,3,3,3,3,0,0", 15, "severe", True),
        # PHQ-15: items 0-2; 10 is medium and caseness.
        ("PHQ-15", "1,1,1,1,1,1,1,1,1,1,0,0,0,0,0", 10, "medium", True),
        ("PHQ-15", "2,2,2,2,2,2,2,1,0,0,0,0,0,0,0", 15, "high", True),
        # PCL-5: no bands; 33 is probable PTSD.
        ("PCL-5", "2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,1,0,0,0", 33, None, True),
        ("PCL-5", "2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,0,0,0,0", 32, None, False),
    ],
)
def test_score_json(instrument, items, total, severity, caseness):
    result = runner.invoke(app, ["measures", "score", instrument, items, "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["total"], data["severity"], data["caseness"]) == (total, severity, caseness)
    assert data["instrument"] == instrument.upper().replace("PHQ9", "PHQ-9")


def test_score_flags():
    phq9 = json.loads(
        runner.invoke(app, ["measures", "score", "PHQ-9", "0,0,0,0,0,0,0,0,2", "-f", "json"]).stdout
    )
    assert phq9["item9"] == 2
    assert phq9["item9_positive"] is True
    phq15 = json.loads(
        runner.invoke(
            app, ["measures", "score", "PHQ-15", "1,1,1,1,1,1,1,1,1,0,0,0,0,0,0", "-f", "json"]
        ).stdout
    )
    assert phq15["total"] == 9
    assert phq15["medium_or_high"] is False
    text = runner.invoke(app, ["measures", "score", "PHQ-9", "0,0,0,0,0,0,0,0,1"]).stdout
    assert "item 9: 1" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["PHQ-9", "1,2,0,4,1,0,2,1,0"], "items[3]: PHQ-9 item 4 takes a score from 0 to 3; got 4"),
        (["GAD-7", "1,2"], "items: GAD-7 takes 7 item scores from 0 to 3; got 2 scores"),
        (
            ["PHQ-15", "1,1,1,1,1,1,1,1,1,1,1,1,1,1,x"],
            'items[14]: PHQ-15 item 15 takes a whole number from 0 to 2; got the string "x"',
        ),
        (["PHQ-8", "1,1"], 'instrument: unknown instrument "PHQ-8"'),
    ],
)
def test_bad_answers_exit_2_naming_item_and_range(args, message):
    result = runner.invoke(app, ["measures", "score", *args])
    assert result.exit_code == 2
    assert message in result.stderr


def test_rci_worked_example():
    # SE = 5 * sqrt(1 - 0.84) = 2; S_diff = sqrt(2) * 2 = 2.828; RC = (12 - 20) / 2.828 = -2.83.
    result = runner.invoke(
        app,
        [
            "measures",
            "rci",
            "--first",
            "20",
            "--latest",
            "12",
            "--sd",
            "5",
            "--reliability",
            "0.84",
            "-f",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["rci"] == pytest.approx(-2.8284, abs=1e-4)
    assert data["standard_error"] == pytest.approx(2.0)
    assert data["reliable"] is True
    assert data["direction"] == "fall"
    assert data["reliable_change_points"] == pytest.approx(5.5437, abs=1e-4)


def test_rci_refuses_impossible_parameters():
    result = runner.invoke(
        app, ["measures", "rci", "--first", "1", "--latest", "2", "--sd", "0", "--reliability", "1"]
    )
    assert result.exit_code == 2
    assert "--sd: must be greater than 0" in result.stderr
    assert "--reliability: must be at least 0 and below 1" in result.stderr
