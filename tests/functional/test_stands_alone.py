"""The repository stands alone: no file in it reads or names a path outside it.

`.ci/run` proves it by running `make test` in a copy with nothing beside it;
this test names the file and line that would send a reader (or a program)
out of the repository. The one exception is `.ci/run` itself, whose drift
check compares the shipped examples with the contract's copy where that lies
beside the checkout.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Written in pieces, so that this file does not name them itself.
OUTSIDE = tuple(
    "".join(parts)
    for parts in (
        ("..", "/shared"),
        ("shared", "/spec"),
        ("shared", "/domain"),
        ("shared", "/style"),
        ("shared", "/external"),
        ("shared", "/hooks"),
        ("/work", "/"),
    )
)
SKIPPED_DIRS = frozenset(
    {
        ".git",
        ".venv",
        "var",
        "test-output",
        "__pycache__",
        ".pytest_cache",
        ".mypy_cache",
        ".ruff_cache",
        ".hypothesis",
        "build",
    }
)
ALLOWED = frozenset({Path(".ci/run")})


def repository_files() -> Iterator[Path]:
    for path in sorted(ROOT.rglob("*")):
        relative = path.relative_to(ROOT)
        if any(part in SKIPPED_DIRS or part.endswith(".egg-info") for part in relative.parts):
            continue
        if path.is_file() and relative not in ALLOWED:
            yield relative


def test_no_file_names_a_path_outside_the_repository() -> None:
    found = []
    for relative in repository_files():
        raw = (ROOT / relative).read_bytes()
        if b"\0" in raw[:4096]:  # images and other binary files
            continue
        text = raw.decode("utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), start=1):
            found += [f"{relative}:{number}: {needle}" for needle in OUTSIDE if needle in line]
    assert found == [], "paths outside the repository:\n" + "\n".join(found)


def test_the_search_reads_the_repository() -> None:
    files = set(repository_files())
    assert Path("README.md") in files
    assert Path("src/referwell/domain/vocabulary.py") in files
    assert Path("src/referwell/examples/ex01-bpd-outside-competence.json") in files
