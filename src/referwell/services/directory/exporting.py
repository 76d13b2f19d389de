"""Use case: the whole directory out, as HSDS 3.0 JSON, a FHIR R4 Bundle or the CSV template.

The operator's act, audited once the text is delivered (if delivering fails, nothing is
audited). Each format says in its notes what it could not hold.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

from referwell.db.uow import UnitOfWork
from referwell.domain.directory.model import Entry
from referwell.services.auditing import audit_write
from referwell.services.directory import csvfile, fhir_export, hsds_export
from referwell.services.permissions import Operator, Permission, require_permission

EXPORT_FORMATS: Final = ("hsds", "fhir", "csv")


@dataclass(frozen=True, slots=True)
class Exported:
    """An export's text, how many entries it holds, and what it could not hold."""

    text: str
    entries: int
    notes: tuple[str, ...] = ()


def render(entries: Sequence[Entry], format_name: str) -> Exported:
    """The entries in one of `EXPORT_FORMATS`."""
    if format_name == "csv":
        text, said = csvfile.write_template(entries)
        return Exported(text, len(entries), tuple(said))
    if format_name == "fhir":
        document = json.dumps(fhir_export.bundle(entries), indent=2, ensure_ascii=False)
        return Exported(document + "\n", len(entries))
    if format_name == "hsds":
        organizations = hsds_export.organizations(entries)
        alone = sum(1 for entry in entries if entry.organization_id is None)
        notes = (
            (
                f"{alone} of the entries have no organization; each is written as an organization "
                "of its own (marked, so that an import reads it back without one)",
            )
            if alone
            else ()
        )
        document = json.dumps(organizations, indent=2, ensure_ascii=False)
        return Exported(document + "\n", len(entries), notes)
    raise ValueError(f"unknown export format {format_name!r}")


def export_directory(
    uow: UnitOfWork,
    format_name: str,
    *,
    actor: Operator,
    deliver: Callable[[Exported], None] | None = None,
) -> Exported:
    """Every entry of the directory in `format_name`; `deliver` is given the export before
    it is audited."""
    require_permission(actor, Permission.OPERATE)
    from referwell.db.audit import AuditAction
    from referwell.db.directory.repository import load_entries

    with uow:
        session = uow.session
        exported = render(load_entries(session), format_name)
        if deliver is not None:
            deliver(exported)
        audit_write(session, actor, AuditAction.DIRECTORY_EXPORT, target_type="directory")
        uow.commit()
        return exported
