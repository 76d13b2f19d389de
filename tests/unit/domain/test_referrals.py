"""The referral domain without a database: every legal and every illegal transition (from
the vocabulary's table, written out here by hand), consent validity, the guards, the
checklist, follow-up, and the generated status table in docs/referrals.md."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from referwell.domain.errors import InvalidInput
from referwell.domain.referrals import checklist, consent, follow_up, guards, status
from referwell.domain.referrals.status import Side, TransitionRefused, check_transition

S, R = "sender", "receiver"
# The vocabulary's "Referral status" table, row by row: (from, to, who, business statuses).
# "either" is sender or receiver; "error" whoever made the error.
TABLE = [
    (None, "draft", S, ["drafted"]),
    ("draft", "requested", S, ["sent"]),
    ("requested", "received", R, ["acknowledged"]),
    *[(f, "accepted", R, ["accepted", "scheduled"]) for f in ("requested", "received")],
    *[(f, "rejected", R, ["declined_by_receiver"]) for f in ("requested", "received")],
    ("accepted", "accepted", R, ["scheduled", "no_show", "rescheduled"]),
    ("accepted", "in-progress", R, ["first_appointment_attended"]),
    ("in-progress", "completed", R, ["care_established"]),
    *[(f, "on-hold", R, ["waitlisted"]) for f in ("accepted", "in-progress")],
    ("on-hold", "accepted", R, ["scheduled"]),
    *[
        (f, "cancelled", S, ["withdrawn", "declined_by_client"])
        for f in ("draft", "requested", "received", "accepted", "on-hold")
    ],
    *[
        (f, "failed", "either", ["no_contact", "declined_by_client"])
        for f in ("requested", "received", "accepted", "on-hold")
    ],
    *[
        (f, "entered-in-error", "error", ["entered_in_error"])
        for f in status.STATUSES
        if f != "entered-in-error"
    ],
]
LEGAL = {(f, t, b): who for f, t, who, bs in TABLE for b in bs}
DAY = date(2026, 11, 2)


def _extra(business: str) -> dict[str, Any]:
    del business
    return {"appointment_on": DAY, "reason": "no capacity"}


def _sides(who: str) -> list[Side]:
    return {S: [Side.SENDER], R: [Side.RECEIVER]}.get(who, [Side.SENDER, Side.RECEIVER])


@pytest.mark.parametrize(("current", "target", "business"), sorted(LEGAL, key=str))
def test_every_legal_transition_is_allowed_to_its_side_only(
    current: str | None, target: str, business: str
) -> None:
    who = LEGAL[(current, target, business)]
    for side in Side:
        error_side = side if who == "error" else None
        if side in _sides(who):
            check_transition(
                current, target, business, side=side, error_side=error_side, **_extra(business)
            )
        else:
            with pytest.raises(TransitionRefused) as refused:
                check_transition(current, target, business, side=side, **_extra(business))
            assert refused.value.errors[0].path == "actor"


ILLEGAL = [
    (f, t, b)
    for f in (None, *status.STATUSES)
    for t in status.STATUSES
    for b in status.BUSINESS_STATUSES
    if (f, t, b) not in LEGAL
]


def test_the_table_is_the_vocabularys() -> None:
    domain = {(f, t.target, b) for t in status.TRANSITIONS for f in t.sources for b in t.business}
    assert domain == set(LEGAL)


@pytest.mark.parametrize("side", list(Side))
def test_every_other_change_is_refused_with_the_legal_next_steps(side: Side) -> None:
    assert len(ILLEGAL) > 1000
    for current, target, business in ILLEGAL:
        with pytest.raises(TransitionRefused) as refused:
            check_transition(current, target, business, side=side, **_extra(business))
        error = refused.value.errors[0]
        assert error.path in ("status", "business_status")
        assert "legal next steps" in error.message
        assert refused.value.allowed == status.next_steps(current, side)


def test_ready_and_unknown_codes_are_refused() -> None:
    with pytest.raises(TransitionRefused, match="not used"):
        check_transition("requested", "ready", "accepted", side=Side.RECEIVER)
    with pytest.raises(TransitionRefused, match="not a business status"):
        check_transition("requested", "received", "seen", side=Side.RECEIVER)


def test_scheduling_needs_a_date_and_declining_a_reason() -> None:
    with pytest.raises(TransitionRefused) as refused:
        check_transition("received", "accepted", "scheduled", side=Side.RECEIVER)
    assert refused.value.errors[0].path == "appointment_on"
    with pytest.raises(TransitionRefused) as refused:
        check_transition(
            "received", "rejected", "declined_by_receiver", side=Side.RECEIVER, reason=" "
        )
    assert refused.value.errors[0].path == "reason"


def test_only_whoever_made_the_error_marks_it() -> None:
    with pytest.raises(TransitionRefused):
        check_transition(
            "received", "entered-in-error", "entered_in_error", side=Side.SENDER,
            error_side=Side.RECEIVER,
        )  # fmt: skip
    check_transition(
        "received", "entered-in-error", "entered_in_error", side=Side.RECEIVER,
        error_side=Side.RECEIVER,
    )  # fmt: skip


def test_waitlist_is_two_legal_steps() -> None:
    first, second = status.waitlist_steps("received")
    check_transition("received", first.status, first.business_status, side=Side.RECEIVER)
    check_transition(first.status, second.status, second.business_status, side=Side.RECEIVER)
    with pytest.raises(TransitionRefused):
        status.waitlist_steps("draft")


ENTRY = consent.Recipient(entry_id=7)


def _consent(**kw: Any) -> consent.Consent:
    values: dict[str, Any] = {
        "recipient": ENTRY,
        "scopes": frozenset({"identity_contact", "referral_reason"}),
        "valid_from": date(2026, 11, 1),
        "valid_until": date(2026, 11, 30),
    }
    values.update(kw)
    return consent.Consent(**values)


def test_consent_validity_expiry_revocation_and_recipient() -> None:
    c = _consent()
    assert c.covers(ENTRY, "referral_reason", DAY)
    assert not c.covers(ENTRY, "transfer_summary", DAY)
    assert not c.covers(consent.Recipient(entry_id=8), "referral_reason", DAY)
    assert not c.covers(ENTRY, "referral_reason", date(2026, 12, 1))
    assert c.state(date(2026, 12, 1)) == "expired"
    assert c.state(date(2026, 10, 31)) == "not_yet_valid"
    revoked = _consent(revoked_at=datetime(2026, 11, 2, 8, tzinfo=UTC))
    assert revoked.state(DAY) == "revoked"
    assert not revoked.covers(ENTRY, "referral_reason", DAY)
    assert revoked.covers(ENTRY, "referral_reason", date(2026, 11, 1))  # before it was revoked
    both = consent.Recipient(entry_id=9, partner_id=3)
    assert _consent(recipient=consent.Recipient(partner_id=3)).covers(both, "referral_reason", DAY)
    assert consent.missing_to_send([c], ENTRY, DAY) == ()
    assert consent.missing_to_send(
        [_consent(scopes=frozenset({"identity_contact"}))], ENTRY, DAY
    ) == ("referral_reason",)


def test_only_the_four_scopes_never_psychotherapy_notes() -> None:
    assert consent.check_scopes(["transfer_summary"]) == {"transfer_summary"}
    with pytest.raises(InvalidInput) as bad:
        consent.check_scopes(["identity_contact", "psychotherapy_notes"])
    assert [e.path for e in bad.value.errors] == ["scopes[1]"]
    with pytest.raises(InvalidInput):
        consent.check_scopes([])


@pytest.mark.parametrize(
    "kind", ["referral_fee", "fee_split", "gift_of_value", "exclusive_reciprocal"]
)
def test_a_financial_arrangement_blocks_sending(kind: str) -> None:
    block = guards.financial_block(kind)
    assert block is not None
    assert block.citations == guards.FINANCIAL_CITATIONS
    with pytest.raises(guards.ReferralBlocked):
        guards.require_no_financial_conflict(kind)


@pytest.mark.parametrize("kind", [None, "none", "nominal_thanks"])
def test_no_or_a_nominal_arrangement_does_not(kind: str | None) -> None:
    assert guards.financial_block(kind) is None


def test_a_reason_caution_needs_an_override_reason() -> None:
    with pytest.raises(guards.ReferralBlocked) as blocked:
        guards.require_caution_override(["abandonment_risk", "reason.dislike"], "  ")
    assert blocked.value.errors[0].path == "override_reason"
    guards.require_caution_override(["reason.dislike"], "the client asked to change")
    guards.require_caution_override(["abandonment_risk"], None)


def test_the_checklist() -> None:
    record = checklist.ChecklistRecord(ending_discussed=True, follow_up_on=DAY)
    items = checklist.checklist_state(
        record, options_offered=1, options_available=5, consent_valid=True, transfer_summary="x"
    )
    assert [i.code for i in items if not i.done] == ["options_offered"]
    with pytest.raises(InvalidInput) as bad:
        checklist.require_complete(items)
    assert [e.path for e in bad.value.errors] == ["checklist.options_offered"]
    # The directory has one option only: one is enough.
    items = checklist.checklist_state(
        record, options_offered=1, options_available=1, consent_valid=True, transfer_summary="x"
    )
    checklist.require_complete(items)
    assert checklist.ChecklistRecord.from_json(record.as_json()) == record


def test_follow_up_is_due_after_n_and_m_days_and_on_a_no_show() -> None:
    settings = follow_up.FollowUpSettings()
    sent = datetime(2026, 11, 2, 9, tzinfo=UTC)
    facts = follow_up.FollowUpFacts("requested", "sent", sent, None, None, None)
    assert follow_up.due_reasons(facts, date(2026, 11, 6), settings) == ()
    assert follow_up.due_reasons(facts, date(2026, 11, 7), settings) == ("not_acknowledged",)
    accepted = follow_up.FollowUpFacts("accepted", "accepted", sent, sent, None, None)
    assert follow_up.due_reasons(accepted, date(2026, 11, 15), settings) == ()
    assert follow_up.due_reasons(accepted, date(2026, 11, 16), settings) == ("no_appointment",)
    no_show = follow_up.FollowUpFacts("accepted", "no_show", sent, sent, DAY, None)
    assert follow_up.due_reasons(no_show, DAY, settings) == ("no_show",)
    closed = follow_up.FollowUpFacts("completed", "care_established", sent, sent, DAY, DAY)
    assert follow_up.due_reasons(closed, date(2027, 1, 1), settings) == ()


def test_docs_referrals_status_table_is_current() -> None:
    text = (Path(__file__).parents[3] / "docs" / "referrals.md").read_text(encoding="utf-8")
    between = text.split("<!-- statuses:start -->\n", 1)[1].split("\n<!-- statuses:end -->", 1)[0]
    assert between == status.status_table_markdown(), (
        "docs/referrals.md is stale: run `python scripts/gen_docs.py`"
    )
