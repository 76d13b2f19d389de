"""The client page's outcome report: first → latest, change and the outcome words per
questionnaire, and PHQ-9 with GAD-7 combined, from the summary the rules read."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from referwell.domain.caseformat import parse_case
from referwell.domain.reports import OUTCOME_WORDS, case_outcome_report
from referwell.domain.settings import RuleSettings

from .conftest import WebClient
from .seed import TODAY, Seeded, example_cases


def outcome_rows(html: str) -> dict[str, str]:
    """instrument (or "combined") -> outcome code, from the outcome table."""
    section = html.split('id="outcomes"', 1)[1].split("</section>", 1)[0]
    return dict(re.findall(r'<tr data-instrument="([^"]+)" data-outcome="([a-z_]+)">', section))


def row_html(html: str, instrument: str) -> str:
    return html.split(f'<tr data-instrument="{instrument}"', 1)[1].split("</tr>", 1)[0]


@pytest.mark.parametrize(
    ("case_id", "expected"),
    [
        ("ex05", {"PHQ-9": "reliable_recovery", "combined": "reliable_recovery"}),
        ("ex07", {"PHQ-9": "no_reliable_change", "combined": "no_reliable_change"}),
        ("ex04", {"PHQ-9": "no_outcome", "combined": "no_outcome"}),
    ],
)
def test_each_questionnaire_and_the_combined_outcome_as_the_domain_reports_them(
    signed_in: Callable[[str | None], WebClient],
    seeded: Seeded,
    case_id: str,
    expected: dict[str, str],
) -> None:
    page = signed_in("clin").get(f"/clients/{seeded.clients[case_id]}").text

    assert outcome_rows(page) == expected
    stem = next(stem for stem in example_cases() if stem.startswith(case_id))
    report = case_outcome_report(parse_case(example_cases()[stem], today=TODAY), RuleSettings())
    assert expected == {
        **{row["instrument"]: row["outcome"] for row in report["instruments"]},
        "combined": report["combined"]["outcome"],
    }
    for code, outcome in expected.items():
        assert OUTCOME_WORDS[outcome] in row_html(page, code)


def test_first_and_latest_with_their_dates_and_the_change(
    signed_in: Callable[[str | None], WebClient], seeded: Seeded
) -> None:
    page = signed_in("clin").get(f"/clients/{seeded.clients['ex05']}").text
    row = row_html(page, "PHQ-9")
    cells = [
        re.sub(r"<[^>]+>", "", cell).strip()
        for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)
    ]
    assert cells[:5] == ["PHQ-9", "3", "16 on 11 Sep 2026", "4 on 13 Nov 2026", "-12"]
    assert "reliable change ≥ 6 points" in cells[5]
    assert cells[6] == "reliable recovery"


def test_the_legend_defines_every_outcome_word(
    signed_in: Callable[[str | None], WebClient], seeded: Seeded
) -> None:
    page = signed_in("clin").get(f"/clients/{seeded.clients['ex07']}").text
    legend = page.split('class="legend"', 1)[1].split("</details>", 1)[0]
    for words in ("reliable improvement", "reliable deterioration", "recovery",
                  "reliable recovery", "no reliable change", "no outcome"):  # fmt: skip
        assert f"<dt>{words}</dt>" in legend


def test_a_client_without_questionnaires_has_no_outcome_section(
    signed_in: Callable[[str | None], WebClient], seeded: Seeded
) -> None:
    page = signed_in("clin").get(f"/clients/{seeded.clients['ex01']}").text
    assert 'id="outcomes"' not in page


def test_new_scores_change_the_outcome_and_the_combined_reads_both_instruments(
    signed_in: Callable[[str | None], WebClient], seeded: Seeded
) -> None:
    client = signed_in("clin")
    client_id = seeded.clients["ex07"]
    gad7 = {"instrument": "GAD-7"}
    for day, answer in (("2026-10-01", "2"), ("2026-11-19", "3")):  # 14 → 21: a rise of 7
        items = {f"item{i}": answer for i in range(1, 8)}
        saved = client.post_form(f"/clients/{client_id}/measures", {**gad7, "date": day, **items})
        assert saved.status_code == 303, saved.text

    page = client.get(f"/clients/{client_id}").text

    assert outcome_rows(page) == {
        "PHQ-9": "no_reliable_change",
        "GAD-7": "reliable_deterioration",
        "combined": "reliable_deterioration",
    }
    assert "over PHQ-9 and GAD-7" in row_html(page, "combined")
    assert "+7" in row_html(page, "GAD-7")


def test_the_supervisor_sees_the_outcomes_too(
    signed_in: Callable[[str | None], WebClient], seeded: Seeded
) -> None:
    page = signed_in("sup").get(f"/clients/{seeded.clients['ex05']}").text
    assert outcome_rows(page)["combined"] == "reliable_recovery"
