"""Regenerate the docs that come from code: docs/rules.md, docs/cli.md, the routes table of
docs/web.md (between its `<!-- routes:start -->` and `<!-- routes:end -->`) and the score
table of docs/matching.md (between `<!-- score:start -->` and `<!-- score:end -->`), and the
tables of docs/growth.md (`minimums`, `paths`), and the referral status table of
docs/referrals.md (`statuses`)."""

from __future__ import annotations

from pathlib import Path

from referwell.cli.docs import cli_markdown
from referwell.domain.growth.minimums import minimums_markdown
from referwell.domain.growth.plan import paths_markdown
from referwell.domain.referrals.status import status_table_markdown
from referwell.services.ruledocs import rules_markdown, score_markdown
from referwell.web.routes import routes_markdown

GENERATED = {"docs/rules.md": rules_markdown, "docs/cli.md": cli_markdown}
ROUTES_DOC = "docs/web.md"
ROUTES_START, ROUTES_END = "<!-- routes:start -->\n", "\n<!-- routes:end -->"
# Blocks generated inside hand-written docs: (doc, block name, render).
BLOCKS = (
    ("docs/matching.md", "score", score_markdown),
    ("docs/growth.md", "minimums", minimums_markdown),
    ("docs/growth.md", "paths", paths_markdown),
    ("docs/referrals.md", "statuses", status_table_markdown),
)


def replace_block(text: str, name: str, content: str) -> str:
    """`text` with the block between `<!-- name:start -->` and `<!-- name:end -->` replaced."""
    start, end = f"<!-- {name}:start -->\n", f"\n<!-- {name}:end -->"
    before, rest = text.split(start, 1)
    _, after = rest.split(end, 1)
    return before + start + content + end + after


def main() -> None:
    root = Path(__file__).resolve().parent.parent
    for relative, render in GENERATED.items():
        path = root / relative
        path.write_text(render() + "\n", encoding="utf-8")
        print(f"wrote {relative}")
    path = root / ROUTES_DOC
    text = path.read_text(encoding="utf-8")
    before, rest = text.split(ROUTES_START, 1)
    _, after = rest.split(ROUTES_END, 1)
    path.write_text(
        before + ROUTES_START + routes_markdown() + ROUTES_END + after, encoding="utf-8"
    )
    print(f"wrote the routes table of {ROUTES_DOC}")
    for relative, name, render_block in BLOCKS:
        path = root / relative
        path.write_text(
            replace_block(path.read_text(encoding="utf-8"), name, render_block()), encoding="utf-8"
        )
        print(f"wrote the {name} table of {relative}")


if __name__ == "__main__":
    main()
