"""Generated docs are fresh, and every rule carries the citations its kinds require."""

from __future__ import annotations

from pathlib import Path

import pytest

from referwell.cli.docs import cli_markdown
from referwell.domain.citations import REQUIRED
from referwell.domain.rules import RULES
from referwell.domain.settings import RuleSettings
from referwell.domain.vocabulary import CAUTION_KINDS, FINDING_KINDS
from referwell.services.ruledocs import rules_markdown, rules_table, score_markdown

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("relative", "render"), [("docs/rules.md", rules_markdown), ("docs/cli.md", cli_markdown)]
)
def test_generated_doc_is_fresh(relative, render):
    on_disk = (ROOT / relative).read_text(encoding="utf-8")
    assert on_disk == render() + "\n", f"{relative} is stale: run `make docs`"


def test_the_score_table_of_the_matching_doc_is_fresh():
    text = (ROOT / "docs/matching.md").read_text(encoding="utf-8")
    block = text.split("<!-- score:start -->\n", 1)[1].split("\n<!-- score:end -->", 1)[0]
    assert block == score_markdown(), "docs/matching.md's score table is stale: run `make docs`"


def test_every_kind_of_the_vocabulary_has_a_rule():
    declared_findings = {k for r in RULES for k in r.finding_kinds}
    declared_cautions = {k for r in RULES for k in r.caution_kinds}
    assert declared_findings == set(FINDING_KINDS)
    assert declared_cautions == set(CAUTION_KINDS)


def test_every_rule_cites_at_least_what_the_table_requires():
    for rule in rules_table():
        for kind, cites in rule["citations"].items():
            have = {(c["source"], c["section"]) for c in cites}
            need = {(c.source, c.section) for c in REQUIRED[kind]}
            assert need <= have, f"{rule['id']} lacks citations for {kind}: {need - have}"
            assert cites, f"{rule['id']} yields {kind} without a citation"


def test_every_setting_is_documented_and_used():
    used = {name for r in RULES for name in r.settings}
    assert used == set(RuleSettings().as_dict())
    text = (ROOT / "docs/rules.md").read_text(encoding="utf-8")
    for name in RuleSettings().as_dict():
        assert f"`{name}`" in text


def test_every_command_is_in_the_cli_reference():
    import typer.main

    from referwell.cli.main import app

    text = (ROOT / "docs/cli.md").read_text(encoding="utf-8")

    def walk(cmd, path):
        if hasattr(cmd, "commands"):
            for name, sub in cmd.commands.items():
                yield from walk(sub, [*path, name])
        else:
            yield " ".join(path)

    for usage in walk(typer.main.get_command(app), ["referwell"]):
        assert f"## `{usage}`" in text
