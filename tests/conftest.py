"""What every test shares: the audit chain's key and heads kept in a temporary folder.

Every audit entry a test writes is signed with the audit key, and every commit moves the
chain's head kept outside the database on: by default both live in the user's data folder,
which tests must not touch. Tests of those defaults unset these variables themselves.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True, scope="session")
def _audit_chain_in_a_temporary_folder(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[None]:
    patch = pytest.MonkeyPatch()
    patch.setenv("REFERWELL_AUDIT_KEY", "a-key-for-tests-only")
    patch.setenv("REFERWELL_AUDIT_HEAD_DIR", str(tmp_path_factory.mktemp("audit-heads")))
    yield
    patch.undo()
