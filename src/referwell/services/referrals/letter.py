"""The referral letter: one Jinja template (templates/letter.html) renders both the page
(an `<article>` inside the web app's layout) and the PDF (a whole document, WeasyPrint).

It shows a `release.Release`, so only what the client's consent covers for the recipient;
`transfer_summary_start` offers the engine's findings as a start for the clinician's
transfer summary.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any, Final

from sqlalchemy import select

from referwell.db.audit import AuditAction
from referwell.db.base import utcnow
from referwell.db.models import StoredAssessment
from referwell.db.uow import UnitOfWork
from referwell.domain.labels import sentence
from referwell.domain.measures import INSTRUMENTS
from referwell.services.auditing import ReadAudit
from referwell.services.permissions import Actor
from referwell.services.referrals.access import load_referral
from referwell.services.referrals.consents import covered_scopes, recipient_of
from referwell.services.referrals.release import (
    QUESTIONNAIRES,
    Release,
    change_words,
    level_words,
    load_release,
    tried_of,
)

TEMPLATES: Final = Path(__file__).parent / "templates"
# The engine's findings a receiver may read about the client: not the clinician's own
# (values, dislike, burnout …), the relationship's, or the practice's ethics.
SHARED_FAMILIES: Final = ("safety", "competence", "medical", "progress", "engagement")


@cache
def _environment() -> Any:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    environment = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"], default=True),
        undefined=StrictUndefined,
    )
    environment.filters["capitalize_first"] = sentence
    environment.globals.update(level=level_words, change=change_words)
    return environment


def referral_letter(
    uow: UnitOfWork,
    actor: Actor,
    referral_id: int,
    reads: ReadAudit,
    *,
    export: bool = False,
    option_id: int | None = None,
    on: date | None = None,
) -> Release:
    """What the letter of referral `referral_id` shows (to its chosen recipient, or option
    `option_id`), through the permission check; read audited, as REFERRAL_EXPORT when
    `export` (a PDF that leaves) else REFERRAL_READ (the page)."""
    return load_release(
        uow,
        actor,
        referral_id,
        reads,
        action=AuditAction.REFERRAL_EXPORT if export else AuditAction.REFERRAL_READ,
        option_id=option_id,
        on=on,
    )


def letter_html(release: Release, *, standalone: bool = True) -> str:
    """The letter as HTML: a whole document (`lang`, title, print style) when `standalone`,
    else its `<article>` for a page that has its own `<h1>` (the letter's headings start at
    `<h2>`)."""
    template = _environment().get_template("letter.html")
    return str(template.render(release=release, standalone=standalone))


def letter_pdf(release: Release) -> bytes:
    """The letter as a PDF (WeasyPrint): the standalone HTML, fetching nothing."""
    from weasyprint import HTML

    pdf = HTML(string=letter_html(release), url_fetcher=_fetch_nothing).write_pdf()
    assert pdf is not None  # noqa: S101 - write_pdf without a target returns the bytes
    return bytes(pdf)


def _fetch_nothing(url: str, *args: object, **kwargs: object) -> dict[str, Any]:
    """The letter loads nothing from anywhere: no network, no file."""
    raise ValueError(f"the referral letter fetches nothing ({url[:40]})")


def transfer_summary_start(
    uow: UnitOfWork,
    actor: Actor,
    referral_id: int,
    reads: ReadAudit,
    *,
    on: date | None = None,
) -> str:
    """A start for the transfer summary, for the clinician to edit: the engine's findings about
    the client (latest stored assessment) and what has been tried. Scores are left out unless
    the consent for the chosen recipient covers questionnaire results. Read audited."""
    from referwell.db.cases import read_case

    on = on or utcnow().date()
    with uow:
        session = uow.session
        referral = load_referral(session, actor, referral_id)
        client_id = referral.client_id
        if client_id is None or referral.direction != "outgoing":
            return ""
        latest = session.scalars(
            select(StoredAssessment)
            .where(StoredAssessment.client_id == client_id)
            .order_by(StoredAssessment.computed_at.desc(), StoredAssessment.id.desc())
            .limit(1)
        ).first()
        display = dict(latest.display) if latest is not None and latest.display else {}
        chosen = referral.chosen
        with_scores = False
        if len(chosen) == 1:
            recipient = recipient_of(
                session, referral.practice_id, chosen[0].entry_id, chosen[0].external_id
            )
            with_scores = QUESTIONNAIRES in covered_scopes(session, client_id, recipient, on)
        steps = read_case(session, client_id, on).case.get("steps_taken", [])
        reads.record_read(
            actor, AuditAction.REFERRAL_READ, target_type="referral", target_ids=[referral.id]
        )
    return summary_start(display.get("findings", []), tried_of(steps), with_scores=with_scores)


def summary_start(
    findings: Sequence[Mapping[str, Any]], tried: Sequence[str], *, with_scores: bool
) -> str:
    """The findings (as `Assessment.display()` words them) a receiver may read, each with its
    evidence, then what has been tried. Without `with_scores`, evidence naming a
    questionnaire is left out."""
    lines: list[str] = []
    for finding in findings:
        if str(finding.get("kind", "")).split(".", 1)[0] not in SHARED_FAMILIES:
            continue
        lines.append(str(finding.get("summary", "")))
        for evidence in finding.get("evidence", []):
            text = str(evidence)
            if not with_scores and any(code in text for code in INSTRUMENTS):
                continue
            lines.append(f"- {text}")
    if tried:
        lines.append("What has been tried: " + "; ".join(tried) + ".")
    return "\n".join(line for line in lines if line)
