"""The growth pages in-process, on SQLite and PostgreSQL: evidence and its forms (a certificate
file too), the CE log and its CSV, the growth plan, a supervisor's verification and log, the
admin's minimums, and supervision recorded from a finding on the client page."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable

from sqlalchemy import Engine, select

from referwell.db.engine import make_session_factory
from referwell.db.growth.models import CertificateFile, SupervisionRecord, TrainingRecord
from referwell.db.models import User

from .conftest import WebClient, audit_entries
from .seed import TODAY, Seeded
from .test_plain_words import codes_shown

PDF = b"%PDF-1.4\n% a certificate\n"


def _training(**fields: str) -> dict[str, str]:
    return {
        "title": "CBT for psychosis",
        "provider": "Front Range Institute",
        "hours": "30",
        "date": "2026-10-01",
        "category": "clinical",
        "code": "psychosis",
        **fields,
    }


def test_every_growth_page_answers_in_plain_words(
    signed_in: Callable[[str | None], WebClient], seeded: Seeded
) -> None:
    for username, paths in (
        ("clin", ["/profile", "/growth", "/growth/evidence", "/growth/ce"]),
        ("sup", ["/growth", "/growth/team", "/growth/supervision-log"]),
        ("admin", ["/admin/competence"]),
    ):
        client = signed_in(username)
        for path in paths:
            page = client.get(path)
            assert page.status_code == 200, (username, path, page.text[:300])
            assert codes_shown(page.text) == [], (username, path)


def test_evidence_added_on_the_evidence_page_counts(
    signed_in: Callable[[str | None], WebClient], engine: Engine
) -> None:
    client = signed_in("clin")
    profile = client.get("/profile").text
    assert "Your competencies and their evidence" in profile

    answer = client.post_form(
        "/growth/trainings",
        {**_training(), "back": "evidence"},
        files={"certificate": ("certificate.pdf", PDF, "application/pdf")},
    )
    assert answer.status_code == 303, answer.text[:500]
    assert answer.headers["location"] == "/growth/evidence"
    with make_session_factory(engine)() as session:
        training = session.scalar(select(TrainingRecord).order_by(TrainingRecord.id.desc()))
        assert training is not None
        stored = session.get(CertificateFile, training.id)
        assert stored is not None
        assert (stored.content_type, stored.content) == ("application/pdf", PDF)
    download = client.get(f"/growth/certificate?training={training.id}")
    assert download.status_code == 200
    assert download.content == PDF
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["content-disposition"].startswith("attachment;")
    # Someone else's certificate is not found.
    assert signed_in("clin2").get(f"/growth/certificate?training={training.id}").status_code == 404

    hours = client.post_form(
        "/growth/supervised-hours",
        {"code": "psychosis", "with_whom": "Dr Sup", "hours": "20", "date": "2026-11-01"},
    )
    assert hours.status_code == 303
    claimed = client.post_form("/profile/competencies", {"competencies": ["adults", "psychosis"]})
    assert claimed.status_code == 303
    page = client.get("/growth/evidence").text
    # 30 training hours and 20 supervised meet the default minimum for psychosis care.
    assert re.search(r'<tr data-code="psychosis" data-counts="yes">', page)
    assert "30 hours" in page
    entries = audit_entries(engine, action="competence:evidence_add")
    assert len(entries) == 2


def test_a_refused_form_says_why_beside_each_field(
    signed_in: Callable[[str | None], WebClient],
) -> None:
    client = signed_in("clin")
    answer = client.post_form(
        "/growth/trainings",
        {**_training(hours="lots", date="2031-01-01"), "back": "ce"},
        files={"certificate": ("x.exe", b"MZ not a certificate", "application/pdf")},
    )
    assert answer.status_code == 422
    assert 'id="ce-hours-error"' in answer.text
    assert 'id="ce-date-error"' in answer.text
    assert "Send a PDF, PNG or JPEG file." in answer.text
    assert "Nothing was saved" in answer.text
    # A file on a route that takes none is refused before any view.
    refused = client.post_form(
        "/growth/certifications",
        {"title": "T", "issuer": "I"},
        files={"x": ("x.pdf", PDF, "application/pdf")},
    )
    assert refused.status_code == 400


def test_the_ce_log_totals_its_periods_and_downloads_as_csv(
    signed_in: Callable[[str | None], WebClient], engine: Engine
) -> None:
    client = signed_in("clin")
    assert (
        client.post_form(
            "/growth/licence",
            {"title": "LPC", "renews_on": "2027-03-31", "period_months": "24", "back": "ce"},
        ).status_code
        == 303
    )
    for title, category, hours in (("Ethics", "ethics", "6"), ("=SUM(A1)", "clinical", "1.5")):
        made = client.post_form(
            "/growth/trainings",
            {**_training(title=title, category=category, hours=hours, code=""), "back": "ce"},
        )
        assert made.status_code == 303
        assert made.headers["location"] == "/growth/ce"
    page = client.get("/growth/ce").text
    assert "1 Apr 2025 to 31 Mar 2027 (current)" in page
    assert "ethics: 6" in page
    download = client.get("/growth/ce?format=csv")
    assert download.status_code == 200
    rows = list(csv.reader(io.StringIO(download.text)))
    assert rows[0] == [
        "date",
        "course",
        "provider",
        "hours",
        "category",
        "competency",
        "certificate",
    ]
    assert [
        "2026-10-01",
        "'=SUM(A1)",
        "Front Range Institute",
        "1.5",
        "clinical practice",
        "",
        "no",
    ] in rows
    assert audit_entries(engine, action="ce_log:export")


def test_a_supervisor_verifies_a_supervisees_competency(
    signed_in: Callable[[str | None], WebClient], seeded: Seeded, engine: Engine
) -> None:
    clin = signed_in("clin")
    claimed = clin.post_form("/profile/competencies", {"competencies": ["adults", "psychosis"]})
    assert claimed.status_code == 303
    page = clin.get("/profile").text
    assert re.search(r'<tr data-code="psychosis" data-counts="no">', page)

    sup = signed_in("sup")
    team = sup.get("/growth/team").text
    assert "Who is in training for what" in team
    verified = sup.post_form(
        "/growth/team/verify", {"clinician": str(seeded.users["clin"]), "code": "psychosis"}
    )
    assert verified.status_code == 303
    assert re.search(r'<tr data-code="psychosis" data-counts="yes">', clin.get("/profile").text)
    # Not a supervisee of theirs: refused, and nothing leaks.
    other = sup.post_form(
        "/growth/team/verify", {"clinician": str(seeded.users["clin2"]), "code": "adults"}
    )
    assert other.status_code == 422
    assert audit_entries(engine, action="competence:verify")


def test_the_admin_sets_the_minimums_with_a_reason(
    signed_in: Callable[[str | None], WebClient], engine: Engine
) -> None:
    admin = signed_in("admin")
    page = admin.get("/admin/competence").text
    assert "DBT-Linehan Board of Certification" in page
    without = admin.post_form(
        "/admin/competence", {"counts_when": "verified_or_evidence", "training_dbt": "20"}
    )
    assert without.status_code == 422
    assert 'id="reason-error"' in without.text
    saved = admin.post_form(
        "/admin/competence",
        {"counts_when": "verified_or_evidence", "training_dbt": "20", "reason": "our board"},
    )
    assert saved.status_code == 303
    assert 'value="20"' in admin.get("/admin/competence").text
    assert audit_entries(engine, action="practice:competence_policy:update")


def test_supervision_recorded_from_a_finding_clears_the_caution(
    signed_in: Callable[[str | None], WebClient], seeded: Seeded, engine: Engine
) -> None:
    client = signed_in("clin")
    client_id = seeded.clients["ex05"]
    base = f"/clients/{client_id}"
    assert (
        client.post_form(f"{base}/considering-referral", {"reason": "dislike"}).status_code == 303
    )
    page = client.get(base).text
    assert 'data-kind="alternatives_not_tried"' in page
    assert re.search(
        r'<details class="form-block record-step" id="rec-c\d+" data-for-kind="alternatives_not_tried"',
        page,
    )
    recorded = client.post_form(
        f"{base}/supervision-records",
        {
            "step": "supervision",
            "date": TODAY.isoformat(),
            "with_whom": "Dr sup",
            "note": "my reaction to the client",
            "answers": "alternatives_not_tried",
        },
    )
    assert recorded.status_code == 303
    page = client.get(base).text
    assert 'data-kind="alternatives_not_tried"' not in page
    assert "my reaction to the client" in page  # the note, on the page only
    case = client.get(f"/api/v1/clients/{client_id}/case").json()
    assert "my reaction" not in repr(case)
    assert {"step": "supervision", "date": TODAY.isoformat()} in case["steps_taken"]

    with make_session_factory(engine)() as session:
        supervisor = session.get(User, seeded.users["sup"])
        assert supervisor is not None
        assert session.scalar(select(SupervisionRecord.client_id)) == client_id
    log = signed_in("sup").get(f"/growth/supervision-log?clinician={seeded.users['clin']}")
    assert log.status_code == 200
    assert "my reaction to the client" in log.text
    assert f'href="/clients/{client_id}"' in log.text
