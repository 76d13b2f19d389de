"""Regenerate the docs that come from code: docs/rules.md and docs/cli.md."""

from __future__ import annotations

from pathlib import Path

from referwell.services.clidocs import cli_markdown
from referwell.services.ruledocs import rules_markdown

GENERATED = {"docs/rules.md": rules_markdown, "docs/cli.md": cli_markdown}


def main() -> None:
    root = Path(__file__).resolve().parent.parent
    for relative, render in GENERATED.items():
        path = root / relative
        path.write_text(render() + "\n", encoding="utf-8")
        print(f"wrote {relative}")


if __name__ == "__main__":
    main()
