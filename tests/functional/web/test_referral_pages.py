"""The sending clinician's referral pages (issue 11), on both backends: a need's "Refer" opens
a draft with the options shown beside the need; one form saves the receiver, the checklist
and the consent and sends; bad input names its field and writes nothing; a stale version is
a 409 that keeps what was typed; the sender records next steps (a receiver's with who
reported it); consents are revoked; the worklist and the caseload list open referrals; a
clinician never sees another's referral, a supervisor sees (and cannot change) a
supervisee's."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine, func, select

from referwell.db.directory.models import DirectoryEntry
from referwell.db.engine import make_session_factory
from referwell.db.models import AuditEntry
from referwell.db.referrals.models import Referral, ReferralEvent, ReleaseConsent
from referwell.services.errors import Conflict
from referwell.web.errors import install

from .conftest import WebClient, audit_entries, sign_in
from .seed import DIRECTORY_ENTRY, TODAY, Seeded

SECOND_ENTRY = "dir-2077"
FEE_ENTRY = "dir-3099"
SCOPES = ["identity_contact", "referral_reason", "transfer_summary"]


@pytest.fixture
def entries(engine: Engine) -> None:
    """Two more entries: one of another organization, one that pays for referrals."""
    with make_session_factory(engine)() as session:
        session.add_all(
            [
                DirectoryEntry(external_id=SECOND_ENTRY, kind="program", name="Aspen DBT Program"),
                DirectoryEntry(external_id=FEE_ENTRY, kind="practitioner", name="Fee Taker, LPC",
                               financial_arrangement="referral_fee"),
            ]
        )  # fmt: skip
        session.commit()


def _open(client: WebClient, client_id: int, *entries: str, service: str = "dbt") -> str:
    client.refresh_csrf(f"/clients/{client_id}")
    answer = client.post_form(
        f"/clients/{client_id}/referrals",
        {"need_service": service, "entry_id": list(entries)},
    )
    assert answer.status_code == 303, answer.text[:500]
    return str(answer.headers["location"])


def _version(page: str) -> str:
    found = re.search(r'name="expected_version" value="(\d+)"', page)
    assert found, "no version on the page"
    return found.group(1)


def _option_ids(page: str) -> dict[str, str]:
    """Option id by the option's name, as the page's checkboxes list them."""
    return {
        name: value
        for value, name in re.findall(
            r'name="chosen" value="(\d+)"[^>]*><label for="option-\d+">([^<]+)</label>', page
        )
    }


def _referral(engine: Engine, path: str) -> Referral:
    referral_id = int(path.rstrip("/").rsplit("/", 1)[-1].split("#")[0])
    with make_session_factory(engine)() as session:
        found = session.get(Referral, referral_id)
        assert found is not None
        session.expunge(found)
        return found


def _consents(engine: Engine) -> int:
    with make_session_factory(engine)() as session:
        return int(session.scalar(select(func.count()).select_from(ReleaseConsent)) or 0)


def _ready(client: WebClient, path: str, **more: Any) -> dict[str, Any]:
    page = client.get(path).text
    options = _option_ids(page)
    return {
        "expected_version": _version(page),
        "chosen": [options["Test Practitioner, LPC"]],
        "has_checklist": "1",
        "ending_discussed": "on",
        "follow_up_on": (TODAY + timedelta(days=30)).isoformat(),
        "transfer_summary": "A synthetic summary.",
        "consent_scopes": SCOPES,
        "consent_valid_until": (TODAY + timedelta(days=300)).isoformat(),
        "action": "send",
        **more,
    }


@pytest.mark.usefixtures("entries")
def test_refer_from_a_need_consent_and_send_on_one_page(
    app: FastAPI, seeded: Seeded, engine: Engine
) -> None:
    clin = sign_in(app, "clin")
    client_id = seeded.clients["ex01"]
    page = clin.get(f"/clients/{client_id}").text
    assert 'aria-label="Refer for DBT' in page  # the need's own "Refer"
    path = _open(clin, client_id, DIRECTORY_ENTRY, SECOND_ENTRY)
    shown = clin.get(path)
    assert shown.status_code == 200
    assert set(_option_ids(shown.text)) == {"Test Practitioner, LPC", "Aspen DBT Program"}
    assert "Ending care well" in shown.text  # ex01's recommendation is to refer
    assert "Borderline personality disorder" in shown.text  # the summary's start

    sent = clin.post_form(path, _ready(clin, path))
    assert sent.status_code == 303, sent.text[:2000]
    referral = _referral(engine, path)
    assert (referral.status, referral.business_status) == ("requested", "sent")
    assert referral.follow_up_on == TODAY + timedelta(days=30)
    assert referral.transfer_summary == "A synthetic summary."
    assert _consents(engine) == 1
    after = clin.get(path).text
    assert "Where it stands" in after
    assert "requested" in after
    assert "/letter.pdf" in after
    actions = {e.action for e in audit_entries(engine)}
    assert {"referral:create", "referral:send", "consent:grant"} <= actions


@pytest.mark.usefixtures("entries")
@pytest.mark.parametrize(
    "case",
    [
        ("consent_valid_until", "next spring", "Consent valid until"),
        (
            "consent_scopes",
            ["identity_contact", "psychotherapy_notes"],
            "Consent: what may be shared",
        ),
        ("follow_up_on", "2026-13-40", "Follow-up date"),
        ("chosen", ["99999"], "Receiver"),
        ("urgency", "whenever", "Urgency"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(
    app: FastAPI, seeded: Seeded, engine: Engine, case: tuple[str, Any, str]
) -> None:
    field, value, label = case
    clin = sign_in(app, "clin")
    path = _open(clin, seeded.clients["ex01"], DIRECTORY_ENTRY, SECOND_ENTRY)
    before = _referral(engine, path)
    answer = clin.post_form(path, _ready(clin, path, **{field: value}))
    assert answer.status_code == 422
    assert f'<span class="path">{label}</span>' in answer.text
    assert "Nothing was saved" in answer.text
    after = _referral(engine, path)
    assert (after.version, after.status) == (before.version, "draft")
    assert _consents(engine) == 0


@pytest.mark.usefixtures("entries")
def test_a_stale_version_is_a_409_that_keeps_what_was_typed(
    app: FastAPI, seeded: Seeded, engine: Engine
) -> None:
    clin = sign_in(app, "clin")
    path = _open(clin, seeded.clients["ex01"], DIRECTORY_ENTRY)
    form = _ready(clin, path, action="save", transfer_summary="Typed by hand, kept.")
    saved = clin.post_form(path, {**form, "transfer_summary": "The other tab's summary."})
    assert saved.status_code == 303
    stale = clin.post_form(path, form)  # the version this form was read at has moved on
    assert stale.status_code == 409
    assert "Someone else changed this referral" in stale.text
    assert "Typed by hand, kept." in stale.text
    assert _referral(engine, path).transfer_summary == "The other tab's summary."
    assert _consents(engine) == 1  # only the first save's
    for action in ("/steps", "/consents/revoke", "/options"):
        answer = clin.post_form(
            path + action, {"expected_version": form["expected_version"], "step": "x",
                            "consent_id": "1", "entry_id": SECOND_ENTRY}
        )  # fmt: skip
        assert answer.status_code == 409, action


@pytest.mark.usefixtures("entries")
def test_what_stops_a_send_is_listed_with_citations(
    app: FastAPI, seeded: Seeded, engine: Engine
) -> None:
    clin = sign_in(app, "clin")
    path = _open(clin, seeded.clients["ex01"], DIRECTORY_ENTRY, FEE_ENTRY)
    page = clin.get(path).text
    fee = _option_ids(page)["Fee Taker, LPC"]
    answer = clin.post_form(
        path, _ready(clin, path, chosen=[fee], consent_scopes=[], ending_discussed="")
    )
    assert answer.status_code == 422
    assert "Draft saved, but not sent" in answer.text
    assert "financial arrangement" in answer.text
    assert 'class="citations"' in answer.text  # the financial conflict's sources
    assert "no valid consent" in answer.text
    assert "talk the ending through" in answer.text
    assert _referral(engine, path).status == "draft"


@pytest.mark.usefixtures("entries")
def test_next_steps_a_receivers_change_needs_who_reported_it(
    app: FastAPI, seeded: Seeded, engine: Engine
) -> None:
    clin = sign_in(app, "clin")
    path = _open(clin, seeded.clients["ex01"], DIRECTORY_ENTRY)
    assert clin.post_form(path, _ready(clin, path)).status_code == 303
    page = clin.get(path).text
    assert "They acknowledged it" in page
    assert "Withdraw the referral" in page
    version = _version(page)
    missing = clin.post_form(
        path + "/steps", {"expected_version": version, "step": "received:acknowledged"}
    )
    assert missing.status_code == 422
    assert '<span class="path">Who told you</span>' in missing.text
    assert _referral(engine, path).status == "requested"
    no_date = clin.post_form(
        path + "/steps",
        {"expected_version": version, "step": "accepted:scheduled", "reported_by": "Intake desk"},
    )
    assert no_date.status_code == 422
    assert '<span class="path">Appointment date</span>' in no_date.text
    done = clin.post_form(
        path + "/steps",
        {
            "expected_version": version,
            "step": "received:acknowledged",
            "reported_by": "Intake desk",
        },
    )
    assert done.status_code == 303
    with make_session_factory(engine)() as session:
        event = session.scalars(select(ReferralEvent).order_by(ReferralEvent.id.desc())).first()
        assert event is not None
        assert (event.to_status, event.side, event.reported_by) == (
            "received", "receiver", "Intake desk",
        )  # fmt: skip
    version = _version(clin.get(path).text)
    withdrawn = clin.post_form(
        path + "/steps", {"expected_version": version, "step": "cancelled:withdrawn"}
    )
    assert withdrawn.status_code == 303
    assert _referral(engine, path).status == "cancelled"
    assert path not in clin.get("/caseload").text  # closed: off the caseload


@pytest.mark.usefixtures("entries")
def test_revoke_a_consent(app: FastAPI, seeded: Seeded, engine: Engine) -> None:
    clin = sign_in(app, "clin")
    path = _open(clin, seeded.clients["ex01"], DIRECTORY_ENTRY)
    assert clin.post_form(path, _ready(clin, path, action="save")).status_code == 303
    page = clin.get(path).text
    consent = re.search(r'name="consent_id" value="(\d+)"', page)
    assert consent
    answer = clin.post_form(
        path + "/consents/revoke",
        {"expected_version": _version(page), "consent_id": consent.group(1)},
    )
    assert answer.status_code == 303
    with make_session_factory(engine)() as session:
        row = session.get(ReleaseConsent, int(consent.group(1)))
        assert row is not None
        assert row.revoked_at is not None
    assert 'data-consent-state="revoked"' in clin.get(path).text


@pytest.mark.usefixtures("entries")
def test_search_and_add_another_option(app: FastAPI, seeded: Seeded, engine: Engine) -> None:
    clin = sign_in(app, "clin")
    path = _open(clin, seeded.clients["ex01"], SECOND_ENTRY)
    bad = clin.post_form(path + "/search", {"service": "crisis"})
    assert bad.status_code == 422
    assert '<span class="path">Service</span>' in bad.text
    found = clin.post_form(path + "/search", {"service": "dbt"})
    assert found.status_code == 200
    assert f'data-entry-id="{DIRECTORY_ENTRY}"' in found.text
    added = clin.post_form(
        path + "/options", {"expected_version": _version(found.text), "entry_id": DIRECTORY_ENTRY}
    )
    assert added.status_code == 303
    assert "Test Practitioner, LPC" in _option_ids(clin.get(path).text)


def test_start_a_referral_with_no_need_needs_a_reason(
    app: FastAPI, seeded: Seeded, engine: Engine
) -> None:
    clin = sign_in(app, "clin")
    client_id = seeded.clients["ex01"]
    clin.refresh_csrf(f"/clients/{client_id}")
    empty = clin.post_form(f"/clients/{client_id}/referrals", {"reason": "  "})
    assert empty.status_code == 422
    with make_session_factory(engine)() as session:
        before = session.scalar(select(func.count()).select_from(Referral))
    made = clin.post_form(
        f"/clients/{client_id}/referrals", {"reason": "The client asks for a group"}
    )
    assert made.status_code == 303
    referral = _referral(engine, made.headers["location"])
    assert (referral.need_service, referral.reason) == (None, "The client asks for a group")
    with make_session_factory(engine)() as session:
        assert session.scalar(select(func.count()).select_from(Referral)) == (before or 0) + 1
    crisis = clin.post_form(f"/clients/{client_id}/referrals", {"need_service": "crisis"})
    assert crisis.status_code == 422


@pytest.mark.usefixtures("entries")
def test_who_sees_a_referral(app: FastAPI, seeded: Seeded, engine: Engine) -> None:
    clin = sign_in(app, "clin")
    client_id = seeded.clients["ex01"]
    path = _open(clin, client_id, DIRECTORY_ENTRY)
    referral_id = path.rsplit("/", 1)[-1]
    colleague = sign_in(app, "clin2")
    assert colleague.get(path).status_code == 404
    own = seeded.client_of("clin2")
    assert colleague.get(f"/clients/{own}/referrals/{referral_id}").status_code == 404
    assert sign_in(app, "other").get(path).status_code == 404
    supervisor = sign_in(app, "sup")
    seen = supervisor.get(path)
    assert seen.status_code == 200
    assert "Read-only" in seen.text
    assert 'id="referral-form"' not in seen.text
    supervisor.refresh_csrf(path)
    assert supervisor.post_form(path, {"expected_version": "1"}).status_code == 403
    listed = supervisor.get("/referrals").text  # a supervisee's referral on the worklist
    assert f"/referrals/{referral_id}" in listed
    assert f"/referrals/{referral_id}" not in colleague.get("/referrals").text


@pytest.mark.usefixtures("entries")
def test_worklist_and_caseload_list_open_referrals_with_why_due(
    app: FastAPI, seeded: Seeded, engine: Engine
) -> None:
    clin = sign_in(app, "clin")
    path = _open(clin, seeded.clients["ex01"], DIRECTORY_ENTRY)
    assert clin.post_form(path, _ready(clin, path)).status_code == 303
    referral_id = path.rsplit("/", 1)[-1]
    with make_session_factory(engine)() as session:  # sent three weeks before the day shown
        row = session.get(Referral, int(referral_id))
        assert row is not None
        row.sent_at = row.sent_at - timedelta(days=400)  # whatever the clock: long ago
        session.commit()
    worklist = clin.get("/referrals")
    assert worklist.status_code == 200
    due = worklist.text.split('id="open-title"')[0]
    assert f"/referrals/{referral_id}" in due
    assert "sent and not acknowledged" in due
    caseload = clin.get("/caseload").text
    assert "Referrals you sent" in caseload
    assert f"/referrals/{referral_id}" in caseload


@pytest.mark.usefixtures("entries")
def test_the_letter_page_and_pdf(
    app: FastAPI, seeded: Seeded, engine: Engine, flush_reads: Callable[[], int]
) -> None:
    clin = sign_in(app, "clin")
    path = _open(clin, seeded.clients["ex01"], DIRECTORY_ENTRY)
    assert clin.post_form(path, _ready(clin, path)).status_code == 303
    letter = clin.get(path + "/letter")
    assert letter.status_code == 200
    assert "<article" in letter.text
    pdf = clin.get(path + "/letter.pdf")
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    assert sign_in(app, "clin2").get(path + "/letter.pdf").status_code == 404
    flush_reads()
    with make_session_factory(engine)() as session:
        exports = session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "referral:export")
        )
    assert exports == 1


def test_a_conflict_is_409_as_a_page_and_in_the_json_shape() -> None:
    from fastapi.testclient import TestClient

    bare = FastAPI()
    install(bare)

    @bare.get("/api/v1/x")
    @bare.get("/x")
    def changed() -> None:
        raise Conflict("referral", 7, expected=1, current=2)

    client = TestClient(bare)
    api = client.get("/api/v1/x")
    assert api.status_code == 409
    assert api.json()["error"]["code"] == "changed_meanwhile"
    assert "referral" in api.json()["error"]["message"]
