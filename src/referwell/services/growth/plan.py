"""Use cases: a clinician's growth plan, and the team's view for their supervisor.

Both read the referral needs of the stored assessments of the last 12 months
(`NEEDS_WINDOW_DAYS`) of the clients each clinician now has (only assessments recommending
urgent safety, referral or an adjunct referral carry needs); a client counts once per
need. The referrals each clinician opened in the window count too (a client referred for a
service the assessments never named counts as a transfer of care; one they named counts as
they named it), so a need referred out is counted once whether it was assessed, referred
or both. Referrals entered in error do not count. The plan puts beside each need the route that would let the clinician serve such
clients (`domain.growth.plan`), the hours the practice's minimum asks, and how far the
clinician's own evidence goes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from referwell.db.growth.counting import clinician_evidence, no_evidence
from referwell.db.models import Client, StoredAssessment, User
from referwell.db.referrals.models import Referral
from referwell.db.uow import UnitOfWork
from referwell.domain.growth.evidence import Standing, standing
from referwell.domain.growth.plan import NeedCount, PlanRow, plan_rows, tally_needs
from referwell.services.clients.caseload import current_list
from referwell.services.growth.team import TeamCompetence, supervisees, team_competence
from referwell.services.permissions import Permission, Person, require_person

NEEDS_WINDOW_DAYS: Final = 365
_WITH_NEEDS: Final = ("urgent_safety", "refer", "refer_adjunct")


def _needs(
    session: Session, clinician_ids: Iterable[int], since: date, until: date
) -> dict[int, list[tuple[int, list[dict[str, object]]]]]:
    """(client id, referral needs) of each stored assessment in the window, by clinician."""
    ids = sorted(set(clinician_ids))
    out: dict[int, list[tuple[int, list[dict[str, object]]]]] = {}
    if not ids:
        return out
    rows = session.execute(
        select(Client.clinician_id, StoredAssessment.client_id, StoredAssessment.result)
        .join(Client, Client.id == StoredAssessment.client_id)
        .where(
            Client.clinician_id.in_(ids),
            Client.import_id.is_(None),
            StoredAssessment.as_of >= since,
            StoredAssessment.as_of <= until,
            StoredAssessment.recommendation.in_(_WITH_NEEDS),
        )
    )
    named: dict[tuple[int, str], bool] = {}  # (client, service) -> adjunct only
    for clinician_id, client_id, result in rows:
        needs = result.get("referral_needs", []) if isinstance(result, dict) else []
        out.setdefault(clinician_id, []).append((client_id, list(needs)))
        for need in needs:
            if isinstance(need, dict) and isinstance(need.get("service"), str):
                key = (client_id, need["service"])
                named[key] = named.get(key, True) and bool(need.get("adjunct", False))
    start = datetime.combine(since, time.min, tzinfo=UTC)
    end = datetime.combine(until + timedelta(days=1), time.min, tzinfo=UTC)
    referred = session.execute(
        select(Referral.clinician_id, Referral.client_id, Referral.need_service).where(
            Referral.direction == "outgoing",
            Referral.clinician_id.in_(ids),
            Referral.client_id.is_not(None),
            Referral.need_service.is_not(None),
            Referral.status != "entered-in-error",
            Referral.created_at >= start,
            Referral.created_at < end,
        )
    )
    for clinician_id, client_id, service in referred:
        if clinician_id is None or client_id is None or service is None:
            continue  # excluded by the query; the columns are nullable for incoming ones
        adjunct = named.get((client_id, service), False)
        out.setdefault(clinician_id, []).append(
            (client_id, [{"service": service, "adjunct": adjunct}])
        )
    return out


@dataclass(frozen=True, slots=True)
class RouteProgress:
    """A competency on the route to a need: the clinician's standing in it today (their hours
    so far against the practice's minimum), and whether they claim it or train in it."""

    code: str
    standing: Standing
    claimed: bool
    in_training: bool


@dataclass(frozen=True, slots=True)
class PlanItem:
    row: PlanRow
    route: tuple[RouteProgress, ...]  # the need's own competency first, then the others


@dataclass(frozen=True, slots=True)
class GrowthPlan:
    since: date
    until: date
    items: tuple[PlanItem, ...]

    @property
    def trainable(self) -> tuple[PlanItem, ...]:
        return tuple(item for item in self.items if item.row.path is not None)

    @property
    def stays_referral(self) -> tuple[PlanItem, ...]:
        """Needs of other professions and programmes (a transfer to another therapist for
        reasons of the relationship or of the clinician is neither, and is not listed)."""
        return tuple(item for item in self.items if item.row.another_profession)


def _bring_up_to_date(
    uow: UnitOfWork,
    writes: UnitOfWork | None,
    actor: Person,
    clinician_ids: Iterable[int],
    today: date,
) -> None:
    """Recompute the stale assessments of these clinicians' clients in care, so that today's
    needs are among those read (as the caseload does before it lists them)."""
    if writes is not None:
        current_list(uow, writes, actor, Client.clinician_id.in_(sorted(set(clinician_ids))), today)


def growth_plan(
    uow: UnitOfWork, actor: Person, *, today: date, writes: UnitOfWork | None = None
) -> GrowthPlan:
    """The actor's growth plan from their clients' referral needs of the last 12 months
    (with `writes`, their clients' stale assessments are brought up to date first)."""
    require_person(actor, Permission.CLINICAL)
    since = today - timedelta(days=NEEDS_WINDOW_DAYS)
    _bring_up_to_date(uow, writes, actor, [actor.user_id], today)
    with uow:
        session = uow.session
        found = clinician_evidence(session, [actor.user_id]).get(actor.user_id, no_evidence())
        counts = tally_needs(_needs(session, [actor.user_id], since, today).get(actor.user_id, []))
    rows = plan_rows(counts, {c.service: found.policy.minimum(c.service) for c in counts})
    items = []
    for row in rows:
        route: list[RouteProgress] = []
        if row.path is not None:
            for code in (row.need.service, *row.path.also):
                route.append(
                    RouteProgress(
                        code,
                        standing(code, found.evidence, found.policy, today),
                        code in found.claims,
                        code in found.in_training,
                    )
                )
        items.append(PlanItem(row, tuple(route)))
    return GrowthPlan(since, today, tuple(items))


@dataclass(frozen=True, slots=True)
class TeamNeed:
    """A need that left the team: how many clients in all, and per clinician."""

    need: NeedCount
    by_clinician: tuple[tuple[str, int], ...]


@dataclass(frozen=True, slots=True)
class TeamView:
    since: date
    until: date
    needs: tuple[TeamNeed, ...]
    competence: TeamCompetence


def team_view(
    uow: UnitOfWork, actor: Person, *, today: date, writes: UnitOfWork | None = None
) -> TeamView:
    """For a supervisor: which needs leave the team most (their supervisees' clients and their
    own), and who is in training for what (with `writes`, stale assessments are brought up
    to date first)."""
    require_person(actor, Permission.SUPERVISOR)
    since = today - timedelta(days=NEEDS_WINDOW_DAYS)
    with uow:
        team: list[User] = supervisees(uow.session, actor)
        names = {user.id: user.display_name for user in team}
        names[actor.user_id] = actor.display_name
    _bring_up_to_date(uow, writes, actor, names, today)
    with uow:
        by_clinician = _needs(uow.session, names, since, today)
    every = [pair for pairs in by_clinician.values() for pair in pairs]
    per_clinician = {cid: tally_needs(pairs) for cid, pairs in by_clinician.items()}
    needs = tuple(
        TeamNeed(
            count,
            tuple(
                sorted(
                    (
                        (names[cid], next(c.clients for c in counted if c.service == count.service))
                        for cid, counted in per_clinician.items()
                        if any(c.service == count.service for c in counted)
                    ),
                    key=lambda pair: (-pair[1], pair[0]),
                )
            ),
        )
        for count in tally_needs(every)
    )
    return TeamView(since, today, needs, team_competence(uow, actor, today=today))
