"""docs/web.md holds the routes table as the code declares it."""

from __future__ import annotations

from pathlib import Path

from referwell.web.routes import ROUTES, routes_markdown

DOC = Path(__file__).resolve().parents[3] / "docs" / "web.md"


def test_the_routes_table_in_the_docs_is_fresh() -> None:
    text = DOC.read_text(encoding="utf-8")
    between = text.split("<!-- routes:start -->\n", 1)[1].split("\n<!-- routes:end -->", 1)[0]
    assert between == routes_markdown(), "docs/web.md is stale: run `python scripts/gen_docs.py`"


def test_every_route_says_what_it_is_for() -> None:
    assert all(spec.summary for spec in ROUTES)
