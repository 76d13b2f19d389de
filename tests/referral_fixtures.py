"""A practice with referrals, for the letter, Bundle and command tests (synthetic people only).

`seed_referrals(session_factory)`: a clinician with one client (the shipped example ex07,
not on track on the PHQ-9, with synthetic contact details), two directory entries, and
- `sent`: a referral to Front Range Psychiatry, sent on NOW, with a transfer summary and a
  consent covering `SCOPES_GIVEN` for that entry (not questionnaire results);
- `draft`: a draft with no recipient chosen (no letter can be made of it).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from referwell.db.cases import import_case
from referwell.db.directory.models import DirectoryEntry
from referwell.db.models import Practice, User
from referwell.db.uow import UnitOfWork
from referwell.services.clients.freshness import current_assessment
from referwell.services.permissions import Person
from referwell.services.referrals import consents, opening, sending
from shipped_examples import example_cases

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
TODAY = NOW.date()
NAME = "Quillon Zephyrine"
EMAIL = "qzephyrine@example.org"
PHONE = "555-0142"
REASON = "Wants a medication review after slow progress with weekly CBT"
SUMMARY = "Ten sessions of CBT for low mood; mood still low."
SCOPES_GIVEN = ("identity_contact", "referral_reason", "transfer_summary")


def _case() -> dict[str, Any]:
    return next(case for stem, case in example_cases() if stem.startswith("ex07"))


def seed_referrals(factory: sessionmaker[Session]) -> dict[str, Any]:
    uow = UnitOfWork(factory)
    with factory() as session:
        practice = Practice(name="Riverside Counselling")
        clinician = User(
            practice=practice, username="ada", display_name="Dr Ada Okafor", role="clinician"
        )
        stranger = User(
            practice=Practice(name="Elsewhere"),
            username="eve",
            display_name="Dr Eve",
            role="clinician",
        )
        session.add_all([clinician, stranger])
        session.flush()
        client = import_case(
            session, practice.id, clinician.id, _case(),
            display_name=NAME, email=EMAIL, phone=PHONE,
        )  # fmt: skip
        good = DirectoryEntry(external_id="rw-psy-1", kind="program", name="Front Range Psychiatry")
        other = DirectoryEntry(external_id="rw-other", kind="program", name="Aspen Clinic")
        session.add_all([good, other])
        session.commit()
        person, stranger_person = Person.from_user(clinician), Person.from_user(stranger)
        ids = {
            "client": client.id,
            "practice": practice.id,
            "good": good.id,
            "other": other.id,
        }
    view = opening.open_referral(
        uow, person, ids["client"], need_service="psychiatry", reason=REASON, urgency="soon",
        entry_ids=[ids["good"], ids["other"]], options_available=2, now=NOW,
    )  # fmt: skip
    chosen = next(o.option_id for o in view.options if o.entry_id == ids["good"])
    view = opening.choose_options(
        uow, person, view.referral_id, [chosen], expected_version=view.version
    )
    view = opening.update_details(
        uow, person, view.referral_id, expected_version=view.version,
        ending_discussed=True, follow_up_on=TODAY + timedelta(days=21), transfer_summary=SUMMARY,
    )  # fmt: skip
    consents.record_consent(
        uow, person, ids["client"], scopes=list(SCOPES_GIVEN),
        valid_until=TODAY + timedelta(days=90), entry_id=ids["good"], now=NOW,
    )  # fmt: skip
    sent = sending.send_referral(
        uow, person, view.referral_id, expected_version=view.version, now=NOW
    )
    draft = opening.open_referral(uow, person, ids["client"], reason="a client's request", now=NOW)
    current_assessment(uow, ids["client"], ids["practice"], today=TODAY)
    return ids | {
        "person": person,
        "stranger": stranger_person,
        "sent": sent.referral_id,
        "draft": draft.referral_id,
    }
