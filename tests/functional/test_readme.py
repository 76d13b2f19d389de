"""The README's commands run as written, from the repository, in a fresh data folder.

Every line of a shell code block of README.md that starts with `.venv/bin/referwell` is
run, in order, with the repository as the working directory, except those that start a
server (`serve`, and `demo` without `--no-serve`). The data folder is a new temporary
one, so the commands that need a database find the one the README's own lines make.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REFERWELL = str(Path(sys.executable).with_name("referwell"))
PREFIX = ".venv/bin/referwell"
CODE_BLOCK = re.compile(r"^```(?:sh|bash|console|shell)\n(.*?)^```", re.MULTILINE | re.DOTALL)


def readme_commands() -> list[list[str]]:
    """Each README command as its words, without comments or an output redirection."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = []
    for block in CODE_BLOCK.findall(text):
        for line in block.splitlines():
            if not line.startswith(PREFIX):
                continue
            words = shlex.split(line, comments=True)
            if ">" in words:  # `> worklist.csv`: the test reads stdout instead
                words = words[: words.index(">")]
            commands.append(words)
    return commands


def starts_a_server(words: list[str]) -> bool:
    command = words[1] if len(words) > 1 else ""
    return command == "serve" or (command == "demo" and "--no-serve" not in words)


def test_the_readme_names_the_commands_this_test_runs() -> None:
    lines = [" ".join(words) for words in readme_commands()]
    assert any(" assess --settings examples/practice-rules.toml " in line for line in lines)
    assert any(line.endswith(" screen") for line in lines)
    assert any(" demo --no-serve" in line for line in lines)


def test_every_readme_command_runs_as_written(tmp_path: Path) -> None:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("REFERWELL_DATABASE_URL", "REFERWELL_CONFIG", "REFERWELL_SECRET_KEY")
    }
    env |= {"REFERWELL_DATA_DIR": str(tmp_path / "data"), "COLUMNS": "100"}
    failures = []
    ran = 0
    for words in readme_commands():
        if starts_a_server(words):
            continue
        done = subprocess.run(
            [REFERWELL, *words[1:]],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
        )
        ran += 1
        if done.returncode != 0:
            failures.append(f"{shlex.join(words)}: exit {done.returncode}\n{done.stderr}")
        elif not done.stdout.strip():
            failures.append(f"{shlex.join(words)}: printed nothing")
    assert ran >= 10
    assert not failures, "\n\n".join(failures)
