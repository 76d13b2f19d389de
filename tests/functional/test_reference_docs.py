"""The reference documents in docs/ agree with the code.

docs/vocabulary.md holds every code, docs/ethics-and-law.md (or docs/measures.md for
research sources) every section the engine can cite, docs/decision-rules.md every
setting with its default and each kind's citations, and docs/case-format.md every
shipped example case.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from referwell.domain import citations, vocabulary
from referwell.domain.citations import Citation
from referwell.domain.rules import RULES
from referwell.domain.settings import SAFETY_FLOORS, SETTING_MINIMUM, RuleSettings
from shipped_examples import EXAMPLES, example_paths

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"

VOCABULARY_LISTS = (
    "CONDITIONS", "SERVICES", "EVENT_KINDS", "CLINICIAN_FACTORS", "REASONS", "STEPS",
    "FINANCIAL_KINDS", "ATTENDANCE", "ENGAGEMENT", "FORMATS_OF_CARE", "GOAL_STATUSES",
    "CLINICIAN_GENDERS", "FINDING_KINDS", "CAUTION_KINDS", "RECOMMENDATIONS", "URGENCIES",
    "SEVERITIES",
)  # fmt: skip

# Ethics codes and statutes: their sections belong in docs/ethics-and-law.md. Research
# sources (the measures' papers, the practice literature) may be in docs/measures.md instead.
CODES_AND_STATUTES = frozenset(
    {
        citations.ACA,
        citations.APA,
        citations.NASW,
        citations.COLORADO.source,
        citations.TARASOFF.source,
    }
)


def _doc(name: str) -> str:
    return (DOCS / name).read_text(encoding="utf-8")


def _kind_citations() -> dict[str, tuple[Citation, ...]]:
    """Each kind the declared rules yield ('caution:' before a caution kind), with its citations."""
    out: dict[str, tuple[Citation, ...]] = {}
    for rule in RULES:
        out.update(rule.citations())
    return out


def _every_citation() -> list[Citation]:
    """Every citation the engine can make: the citations module's table and constants, and
    what the declared rules cite."""
    cited = {c for cites in citations.REQUIRED.values() for c in cites}
    cited |= {value for value in vars(citations).values() if isinstance(value, Citation)}
    cited |= {c for cites in _kind_citations().values() for c in cites}
    return sorted(cited, key=lambda c: (c.source, c.section))


@pytest.mark.parametrize("name", VOCABULARY_LISTS)
def test_every_code_is_in_the_vocabulary_doc(name: str) -> None:
    text = _doc("vocabulary.md")
    codes: tuple[str, ...] = getattr(vocabulary, name)
    missing = [code for code in codes if f"`{code}`" not in text]
    assert not missing, f"docs/vocabulary.md lacks these {name} codes (in backticks): {missing}"


@pytest.mark.parametrize("cited", _every_citation(), ids=str)
def test_every_cited_section_is_in_the_reference_docs(cited: Citation) -> None:
    if cited.source in CODES_AND_STATUTES:
        names = ["ethics-and-law.md"]
    else:
        names = ["ethics-and-law.md", "measures.md"]
    where = " or ".join(f"docs/{n}" for n in names)
    holding = [n for n in names if f"`{cited.section}`" in _doc(n)]
    assert holding, f"section `{cited.section}` of {cited.source} is missing from {where}"
    assert any(cited.source in _doc(n) for n in holding), (
        f"{' and '.join(f'docs/{n}' for n in holding)} has section `{cited.section}` but does "
        f"not name its source as cited: {cited.source!r}"
    )


@pytest.mark.parametrize(("kind", "cites"), sorted(_kind_citations().items()))
def test_every_kind_has_its_citations_in_the_decision_rules_doc(
    kind: str, cites: tuple[Citation, ...]
) -> None:
    if kind.startswith("caution:"):
        label = f"caution `{kind.removeprefix('caution:')}`"
    else:
        label = f"`{kind}`"
    rows = [
        line for line in _doc("decision-rules.md").splitlines() if line.startswith(f"| {label} |")
    ]
    assert rows, f"docs/decision-rules.md has no row `| {label} |` in its citations table"
    for cited in cites:
        assert cited.source in rows[0], (
            f"docs/decision-rules.md: the row of {label} does not name {cited.source!r}"
        )
        assert f"`{cited.section}`" in rows[0], (
            f"docs/decision-rules.md: the row of {label} lacks {cited.source} `{cited.section}`"
        )


@pytest.mark.parametrize(("name", "default"), RuleSettings().as_dict().items())
def test_every_setting_and_its_default_is_in_the_decision_rules_doc(
    name: str, default: int
) -> None:
    text = _doc("decision-rules.md")
    assert f"`{name}`" in text, f"setting `{name}` is missing from docs/decision-rules.md"
    same_line = rf"`{re.escape(name)}`[^\n\d]*\b{re.escape(str(default))}\b"
    assert re.search(same_line, text), (
        f"docs/decision-rules.md does not give setting `{name}` its default {default} "
        "on the same line"
    )


def test_the_examples_folder_and_its_expected_files_are_described() -> None:
    text = _doc("case-format.md")
    assert "src/referwell/examples" in text, (
        "docs/case-format.md does not name the examples folder src/referwell/examples/"
    )
    expected_keys = {
        key
        for path in example_paths()
        for key in json.loads(
            path.with_name(path.stem + ".expected.json").read_text(encoding="utf-8")
        )
    }
    missing = sorted(key for key in expected_keys if f"`{key}`" not in text)
    assert not missing, f"docs/case-format.md does not explain the expected-file fields {missing}"


@pytest.mark.parametrize("path", example_paths(), ids=lambda p: p.name)
def test_every_example_case_is_named_in_the_case_format_doc(path: Path) -> None:
    lines = [line for line in _doc("case-format.md").splitlines() if path.name in line]
    assert lines, (
        f"example {path.name} (in {EXAMPLES.name}/ of the package) is not named in "
        "docs/case-format.md"
    )
    expected = json.loads(path.with_name(path.stem + ".expected.json").read_text(encoding="utf-8"))
    recommendation = f"`{expected['recommendation']}`"
    assert any(recommendation in line for line in lines), (
        f"docs/case-format.md names {path.name} but not its recommendation {recommendation}"
    )


@pytest.mark.parametrize("name", sorted(SAFETY_FLOORS))
def test_every_safety_floor_is_in_the_decision_rules_doc_with_its_value(name: str) -> None:
    text = _doc("decision-rules.md")
    floor = SETTING_MINIMUM[name]
    assert f"`{name}` ≥ {floor}" in text, (
        f"docs/decision-rules.md (Floors) does not give `{name}` its floor {floor}"
    )
    row = rf"\| `{re.escape(name)}` \| \d+ \| {floor} \(floor\) \|"
    assert re.search(row, text), f"the settings table does not mark `{name}` floor {floor}"
