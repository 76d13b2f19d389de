"""Closed-loop referrals through their use cases, on SQLite and PostgreSQL: opening, consent,
the guards, sending, every kind of change, the audit entries, version conflicts (two
connections on PostgreSQL), and the follow-up worklist."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from referwell.db import migrate
from referwell.db.audit import AuditAction
from referwell.db.directory.models import DirectoryEntry
from referwell.db.engine import make_engine, make_session_factory
from referwell.db.models import AuditEntry, Client, Practice, User
from referwell.db.referrals.models import Partner, Referral, ReferralEvent
from referwell.db.uow import UnitOfWork
from referwell.domain.errors import InvalidInput
from referwell.domain.referrals.guards import FINANCIAL_CITATIONS, ReferralBlocked
from referwell.domain.referrals.status import TransitionRefused
from referwell.services.auditing import ImmediateReads
from referwell.services.errors import Conflict, Forbidden, NotFound
from referwell.services.permissions import PartnerPractice, Person, StatusLinkHolder
from referwell.services.referrals import consents, opening, sending, transitions, worklist
from referwell.services.referrals.views import ReferralView

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
TODAY = NOW.date()


def _entry(session: Session, external_id: str, arrangement: str | None = None) -> DirectoryEntry:
    entry = DirectoryEntry(
        external_id=external_id,
        kind="practitioner",
        name=f"Provider {external_id}",
        financial_arrangement=arrangement,
    )
    session.add(entry)
    session.flush()
    return entry


def _client(session: Session, clinician: User, external_id: str = "c1") -> Client:
    client = Client(
        practice_id=clinician.practice_id,
        clinician_id=clinician.id,
        external_id=external_id,
        display_name="Synthetic Client",
        age=34,
    )
    session.add(client)
    session.flush()
    return client


@pytest.fixture
def world(session: Session, make_clinician: Callable[..., User]) -> dict[str, Any]:
    clinician = make_clinician()
    client = _client(session, clinician)
    good = _entry(session, "rw-good")
    other = _entry(session, "rw-other", "none")
    paid = _entry(session, "rw-paid", "referral_fee")
    session.commit()
    return {
        "person": Person.from_user(clinician),
        "clinician": clinician,
        "client": client,
        "good": good,
        "other": other,
        "paid": paid,
    }


def _consent(uow: UnitOfWork, w: dict[str, Any], entry: DirectoryEntry, **kw: Any) -> int:
    view = consents.record_consent(
        uow,
        w["person"],
        w["client"].id,
        scopes=kw.pop("scopes", ["identity_contact", "referral_reason"]),
        valid_until=kw.pop("valid_until", TODAY + timedelta(days=90)),
        entry_id=entry.id,
        now=NOW,
        **kw,
    )
    return view.consent_id


def _ready(uow: UnitOfWork, w: dict[str, Any], entry: DirectoryEntry | None = None) -> ReferralView:
    entry = entry or w["good"]
    view = opening.open_referral(
        uow,
        w["person"],
        w["client"].id,
        need_service="psychiatry",
        reason="medication evaluation",
        entry_ids=[entry.id, w["other"].id],
        now=NOW,
    )
    chosen = next(o.option_id for o in view.options if o.entry_id == entry.id)
    return opening.choose_options(
        uow, w["person"], view.referral_id, [chosen], expected_version=view.version
    )


def _row(session: Session, referral_id: int) -> Referral:
    row = session.get(Referral, referral_id)
    assert row is not None
    return row


def _audit_count(session: Session, action: AuditAction) -> int:
    return session.scalar(select(func.count()).where(AuditEntry.action == action.value)) or 0


def test_open_send_and_the_whole_loop_with_reported_changes(
    uow: UnitOfWork, session: Session, world: dict[str, Any]
) -> None:
    w = world
    view = _ready(uow, w)
    assert (view.status, view.business_status) == ("draft", "drafted")
    assert [e.to_status for e in view.events] == ["draft"]
    # No consent yet: it cannot be sent, and nothing changes.
    with pytest.raises(ReferralBlocked) as blocked:
        sending.send_referral(uow, w["person"], view.referral_id, expected_version=view.version)
    assert [e.path for e in blocked.value.errors] == ["consent"]
    assert _row(session, view.referral_id).status == "draft"
    _consent(uow, w, w["good"])
    sent = sending.send_referral(
        uow, w["person"], view.referral_id, expected_version=view.version, now=NOW
    )
    assert (sent.status, sent.business_status, sent.sent_at) == ("requested", "sent", NOW)
    steps = [
        ("received", "acknowledged", None),
        ("accepted", "scheduled", TODAY + timedelta(days=7)),
        ("in-progress", "first_appointment_attended", None),
        ("completed", "care_established", None),
    ]
    current = sent
    for status, business, on in steps:
        current = transitions.record_transition(
            uow,
            w["person"],
            view.referral_id,
            status,
            business,
            expected_version=current.version,
            appointment_on=on,
            reported_by="intake coordinator, by phone",
        )
    assert (current.status, current.business_status) == ("completed", "care_established")
    assert current.closed
    assert current.appointment_on == TODAY + timedelta(days=7)
    events = current.events
    assert [e.to_status for e in events] == [
        "draft", "requested", "received", "accepted", "in-progress", "completed"
    ]  # fmt: skip
    assert [e.side for e in events[2:]] == ["receiver"] * 4
    assert all(e.reported_by == "intake coordinator, by phone" for e in events[2:])
    assert all(e.actor == str(w["clinician"].id) for e in events)
    assert _audit_count(session, AuditAction.REFERRAL_STATUS) == len(events)
    assert _audit_count(session, AuditAction.REFERRAL_SEND) == 1
    # Closed: off the clinician's list, on it with the closed ones.
    reads = ImmediateReads(session)
    assert worklist.list_referrals(uow, w["person"], reads) == []
    assert len(worklist.list_referrals(uow, w["person"], reads, include_closed=True)) == 1


def test_an_illegal_transition_is_refused_and_writes_nothing(
    uow: UnitOfWork, session: Session, world: dict[str, Any]
) -> None:
    view = _ready(uow, world)
    before = session.scalar(select(func.count()).select_from(ReferralEvent))
    with pytest.raises(TransitionRefused) as refused:
        transitions.record_transition(
            uow,
            world["person"],
            view.referral_id,
            "completed",
            "care_established",
            expected_version=view.version,
        )
    assert refused.value.errors[0].path == "status"
    assert ("requested", "sent") in refused.value.allowed
    # Sending is not a change of status: it goes through send_referral.
    with pytest.raises(TransitionRefused):
        transitions.record_transition(
            uow, world["person"], view.referral_id, "requested", "sent",
            expected_version=view.version,
        )  # fmt: skip
    assert session.scalar(select(func.count()).select_from(ReferralEvent)) == before
    assert _row(session, view.referral_id).version == view.version


def test_a_stale_version_is_a_conflict(
    uow: UnitOfWork, session: Session, world: dict[str, Any]
) -> None:
    view = _ready(uow, world)
    opening.update_details(
        uow, world["person"], view.referral_id, expected_version=view.version, reason="newer"
    )
    with pytest.raises(Conflict) as conflict:
        opening.update_details(
            uow, world["person"], view.referral_id, expected_version=view.version, reason="old"
        )
    assert conflict.value.expected == view.version
    assert _row(session, view.referral_id).reason == "newer"


def test_waitlist_in_one_action_records_both_transitions(
    uow: UnitOfWork, session: Session, world: dict[str, Any]
) -> None:
    view = _ready(uow, world)
    _consent(uow, world, world["good"])
    sent = sending.send_referral(
        uow, world["person"], view.referral_id, expected_version=view.version
    )
    held = transitions.waitlist(
        uow,
        world["person"],
        view.referral_id,
        expected_version=sent.version,
        reported_by="front desk",
    )
    assert (held.status, held.business_status) == ("on-hold", "waitlisted")
    assert [(e.to_status, e.business_status) for e in held.events[-2:]] == [
        ("accepted", "accepted"),
        ("on-hold", "waitlisted"),
    ]
    with pytest.raises(TransitionRefused):
        transitions.waitlist(
            uow, world["person"], view.referral_id, expected_version=held.version, reported_by="x"
        )


def test_the_financial_conflict_blocks_sending_with_its_citations(
    uow: UnitOfWork, world: dict[str, Any]
) -> None:
    view = _ready(uow, world, world["paid"])
    _consent(uow, world, world["paid"])
    with pytest.raises(ReferralBlocked) as blocked:
        sending.send_referral(uow, world["person"], view.referral_id, expected_version=view.version)
    assert [e.path.endswith("financial_arrangement") for e in blocked.value.errors] == [True]
    assert blocked.value.citations == FINANCIAL_CITATIONS
    assert "A.10.b" in blocked.value.errors[0].message


def test_a_reason_caution_needs_an_override_with_its_reason(
    uow: UnitOfWork, session: Session, world: dict[str, Any]
) -> None:
    view = _ready(uow, world)
    _consent(uow, world, world["good"])
    _row(session, view.referral_id).cautions = ["reason.dislike"]
    session.commit()
    version = _row(session, view.referral_id).version
    with pytest.raises(ReferralBlocked) as blocked:
        sending.send_referral(uow, world["person"], view.referral_id, expected_version=version)
    assert [e.path for e in blocked.value.errors] == ["override_reason"]
    sent = sending.send_referral(
        uow,
        world["person"],
        view.referral_id,
        expected_version=version,
        override_reason="discussed in supervision; the client asked to change",
    )
    assert sent.status == "requested"
    assert sent.override_reason == "discussed in supervision; the client asked to change"


def test_the_checklist_of_a_refer_recommendation_must_be_complete(
    uow: UnitOfWork, session: Session, world: dict[str, Any]
) -> None:
    view = _ready(uow, world)
    _consent(uow, world, world["good"])
    _row(session, view.referral_id).pretermination = True
    session.commit()
    version = _row(session, view.referral_id).version
    checklist = opening.referral_checklist(uow, world["person"], view.referral_id, on=TODAY)
    assert {i.code: i.done for i in checklist.items} == {
        "ending_discussed": False,
        "options_offered": True,
        "consent": True,
        "transfer_summary": False,
        "follow_up_on": False,
    }
    with pytest.raises(ReferralBlocked) as blocked:
        sending.send_referral(uow, world["person"], view.referral_id, expected_version=version)
    assert {e.path for e in blocked.value.errors} == {
        "checklist.ending_discussed",
        "checklist.transfer_summary",
        "checklist.follow_up_on",
    }
    done = opening.update_details(
        uow,
        world["person"],
        view.referral_id,
        expected_version=version,
        ending_discussed=True,
        transfer_summary="Summary for the receiver.",
        follow_up_on=TODAY + timedelta(days=14),
    )
    assert opening.referral_checklist(uow, world["person"], view.referral_id).complete
    sent = sending.send_referral(
        uow, world["person"], view.referral_id, expected_version=done.version
    )
    assert sent.follow_up_on == TODAY + timedelta(days=14)


def test_consent_expired_revoked_or_for_another_recipient_does_not_cover(
    uow: UnitOfWork, world: dict[str, Any]
) -> None:
    view = _ready(uow, world)
    _consent(uow, world, world["other"])  # another recipient
    consent_id = _consent(uow, world, world["good"], scopes=["identity_contact", "referral_reason"])
    consents.revoke_consent(uow, world["person"], consent_id, now=NOW)
    with pytest.raises(ReferralBlocked) as blocked:
        sending.send_referral(uow, world["person"], view.referral_id, expected_version=view.version)
    assert [e.path for e in blocked.value.errors] == ["consent"]
    _consent(uow, world, world["good"], scopes=["identity_contact"])  # not the reason
    with pytest.raises(ReferralBlocked):
        sending.send_referral(uow, world["person"], view.referral_id, expected_version=view.version)
    with pytest.raises(InvalidInput) as bad:
        _consent(uow, world, world["good"], scopes=["psychotherapy_notes"])
    assert bad.value.errors[0].path == "scopes[0]"
    with pytest.raises(InvalidInput):
        _consent(uow, world, world["good"], valid_until=TODAY - timedelta(days=1))


def test_crisis_never_opens_a_referral(uow: UnitOfWork, world: dict[str, Any]) -> None:
    with pytest.raises(InvalidInput) as refused:
        opening.open_referral(uow, world["person"], world["client"].id, need_service="crisis")
    assert refused.value.errors[0].path == "need_service"


def test_who_may_act_on_a_referral(
    uow: UnitOfWork, session: Session, world: dict[str, Any], make_clinician: Callable[..., User]
) -> None:
    view = _ready(uow, world)
    stranger = Person.from_user(make_clinician(username="stranger"))
    session.commit()
    with pytest.raises(NotFound):
        transitions.record_transition(
            uow, stranger, view.referral_id, "cancelled", "withdrawn", expected_version=view.version
        )
    with pytest.raises(NotFound):
        transitions.record_transition(
            uow, StatusLinkHolder(link_id=1, referral_id=view.referral_id + 1, practice_id=1),
            view.referral_id, "received", "acknowledged", expected_version=view.version,
        )  # fmt: skip
    # A receiver with referwell reports its own changes: the sender may not report for it.
    partner = Partner(
        practice_id=world["clinician"].practice_id,
        name="Partner practice",
        base_url="http://127.0.0.1:9/fhir",
        entry_external_ids=["rw-good"],
        outbound_token="secret-partner-token",
        inbound_token_hash="0" * 64,
        created_by="ops",
    )
    session.add(partner)
    session.commit()
    _consent(uow, world, world["good"])
    sent = sending.send_referral(
        uow, world["person"], view.referral_id, expected_version=view.version
    )
    assert sent.partner_id == partner.id
    with pytest.raises(Forbidden):
        transitions.record_transition(
            uow, world["person"], view.referral_id, "received", "acknowledged",
            expected_version=sent.version, reported_by="someone",
        )  # fmt: skip
    acting = PartnerPractice(partner_id=partner.id, practice_id=partner.practice_id)
    got = transitions.record_transition(
        uow, acting, view.referral_id, "received", "acknowledged", expected_version=sent.version
    )
    assert (got.events[-1].actor_kind, got.events[-1].actor) == (
        "partner_practice",
        str(partner.id),
    )
    # The sender cannot set the receiver's statuses itself.
    with pytest.raises(TransitionRefused) as refused:
        transitions.record_transition(
            uow, world["person"], view.referral_id, "accepted", "accepted",
            expected_version=got.version,
        )  # fmt: skip
    assert refused.value.errors[0].path == "actor"


def test_the_follow_up_worklist(uow: UnitOfWork, session: Session, world: dict[str, Any]) -> None:
    view = _ready(uow, world)
    _consent(uow, world, world["good"])
    sending.send_referral(
        uow, world["person"], view.referral_id, expected_version=view.version, now=NOW
    )
    reads = ImmediateReads(session)
    assert (
        worklist.due_referrals(uow, world["person"], reads, today=TODAY + timedelta(days=4)) == []
    )
    due = worklist.due_referrals(uow, world["person"], reads, today=TODAY + timedelta(days=5))
    assert [(d.referral.referral_id, d.reasons) for d in due] == [
        (view.referral_id, ("not_acknowledged",))
    ]


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
def test_two_connections_never_lose_a_change(database_url: str, backend: str) -> None:
    """Two writers read version v; each tries its change. One wins; the other gets a
    conflict; the winner's change and its one event stand."""
    migrate.upgrade(database_url)
    engine = make_engine(database_url)
    try:
        factory = make_session_factory(engine)
        with factory() as session:
            clinician = User(
                practice=Practice(name="P"), username="c", display_name="Dr C", role="clinician"
            )
            session.add(clinician)
            session.flush()
            client = _client(session, clinician)
            entry = _entry(session, "rw-pg")
            session.commit()
            person, client_id, entry_id = Person.from_user(clinician), client.id, entry.id
        view = opening.open_referral(UnitOfWork(factory), person, client_id, entry_ids=[entry_id])
        barrier = threading.Barrier(2)
        results: list[object] = []

        def change(reason: str) -> None:
            barrier.wait()
            try:
                results.append(
                    opening.update_details(
                        UnitOfWork(factory),
                        person,
                        view.referral_id,
                        expected_version=view.version,
                        reason=reason,
                    )
                )
            except Conflict as exc:
                results.append(exc)

        threads = [threading.Thread(target=change, args=(r,)) for r in ("first", "second")]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        conflicts = [r for r in results if isinstance(r, Conflict)]
        wins = [r for r in results if not isinstance(r, Conflict)]
        assert (len(wins), len(conflicts)) == (1, 1)
        with factory() as session:
            row = session.get(Referral, view.referral_id)
            assert row is not None
            assert row.reason == wins[0].reason  # type: ignore[attr-defined]
            assert row.version == view.version + 1
    finally:
        engine.dispose()
