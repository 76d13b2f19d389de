"""`referwell measures score ProQOL-5 a,b,…`: the three sums and levels, in text and in the
JSON shape issue 12 gives, on answers worked by hand; bad answers exit 2 naming the item."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from referwell.cli.main import app

runner = CliRunner()

CS_ITEMS = (3, 6, 12, 16, 18, 20, 22, 24, 27, 30)
BURNOUT_ITEMS = (1, 4, 8, 10, 15, 17, 19, 21, 26, 29)
REVERSED = (1, 4, 15, 17, 29)
STS_ITEMS = (2, 5, 7, 9, 11, 13, 14, 23, 25, 28)


def _items(by_item: dict[int, int]) -> str:
    return ",".join(str(by_item.get(n, 3)) for n in range(1, 31))


# Compassion satisfaction 22 (eight 2s, two 3s: the top of low); burnout 42 (items 8, 10,
# 19, 21, 26 at 5 = 25; reversed items 1, 4, 15 at 1 -> 5 each, 17 and 29 at 5 -> 1 each:
# 17; the bottom of high); secondary traumatic stress 23 (seven 2s, three 3s: the bottom
# of moderate).
AT_THE_CUTS = _items(
    {
        **dict.fromkeys(CS_ITEMS[:8], 2),
        **dict.fromkeys((8, 10, 19, 21, 26), 5),
        1: 1,
        4: 1,
        15: 1,
        17: 5,
        29: 5,
        **dict.fromkeys(STS_ITEMS[:7], 2),
    }
)


def test_the_json_is_the_issues_shape() -> None:
    result = runner.invoke(app, ["measures", "score", "ProQOL-5", AT_THE_CUTS, "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "instrument": "ProQOL-5",
        "subscales": {
            "compassion_satisfaction": {"score": 22, "level": "low"},
            "burnout": {"score": 42, "level": "high"},
            "secondary_traumatic_stress": {"score": 23, "level": "moderate"},
        },
    }


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        # Everything 3: each sum 30 (a reversed 3 is 3).
        (_items({}), (30, 30, 30)),
        # Compassion items 5, every other item 1: burnout's reversed items count 5 each.
        (_items({n: 5 if n in CS_ITEMS else 1 for n in range(1, 31)}), (50, 30, 10)),
        # Every item 5: burnout's reversed items count 1 each (25 + 5).
        (_items(dict.fromkeys(range(1, 31), 5)), (50, 30, 50)),
        # Burnout at 41, the top of moderate: one reversed item one step kinder than at 42.
        (AT_THE_CUTS.replace("1,", "2,", 1), (22, 41, 23)),
    ],
)
def test_the_text_gives_each_sum_and_level(answers: str, expected: tuple[int, int, int]) -> None:
    result = runner.invoke(app, ["measures", "score", "proqol", answers])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "ProQOL-5 (the clinician's own check-in)"

    def level(score: int) -> str:
        return "low" if score <= 22 else ("high" if score >= 42 else "moderate")

    names = ("compassion satisfaction", "burnout", "secondary traumatic stress")
    assert lines[1:] == [
        f"{name}: {score} of 50, {level(score)}"
        for name, score in zip(names, expected, strict=True)
    ]


def test_bad_answers_exit_2_naming_each_item() -> None:
    answers = _items({7: 6, 30: 0})
    result = runner.invoke(app, ["measures", "score", "ProQOL-5", answers, "--format", "json"])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "item 7 takes an answer from 1 to 5; got 6" in result.stderr
    assert "item 30 takes an answer from 1 to 5; got 0" in result.stderr
    short = runner.invoke(app, ["measures", "score", "ProQOL-5", "3,3,3"])
    assert short.exit_code == 2
    assert "takes 30 answers from 1 to 5; got 3 answers" in short.stderr
