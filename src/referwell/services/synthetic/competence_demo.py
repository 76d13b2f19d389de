"""The demo practice's competence evidence, licences, CE log and supervision records.

Every competency a demo clinician claims counts, as it did before claims needed evidence,
so the caseloads stay as they are: each rests on its evidence (trainings and supervised
hours that meet the default minimums, a current certification) or on Morgan's
verification; the general codes need nothing beyond the licence. The codes they are
training in get some evidence on the way (Casey's EMDR, Robin's couples work), and
Casey's anxiety certification expires within the reminder's 90 days. The supervision
steps of the written demo cases get their records (with Morgan, a short note), so the
supervisor's log has something to show. Every date counts back from the demo day; all
of it is synthetic.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any, Final

from sqlalchemy.orm import Session

from referwell.db.audit import AuditAction
from referwell.db.growth.models import (
    Certification,
    Licence,
    SupervisedHours,
    SupervisionRecord,
    TrainingRecord,
    Verification,
)
from referwell.db.models import User
from referwell.services.auditing import audit_write
from referwell.services.permissions import Operator

SUPERVISOR: Final = "morgan"

# (username, title, provider, hours, days back, CE category, competency or None)
TRAININGS: Final = (
    ("casey", "ACT: a two-day workshop", "Front Range Contextual Therapies", 16, 400,
     "clinical", "act"),
    ("casey", "Motivational interviewing: introductory workshop", "Rocky Mountain MI Trainers",
     16, 520, "clinical", "mi"),
    ("casey", "EMDR basic training, part 1", "Summit EMDR Institute", 20, 60, "clinical", "emdr"),
    ("casey", "Ethics in counselling practice", "Colorado Counseling Association", 6, 200,
     "ethics", None),
    ("casey", "Broaching race and culture in therapy", "Mile High Diversity Institute", 3, 150,
     "cultural_competence", None),
    ("casey", "Telehealth law update", "Front Range Law for Clinicians", 2, 90, "law", None),
    ("dana", "DBT intensive training (two five-day weeks)", "Western DBT Training Group", 70, 900,
     "clinical", "dbt"),
    ("dana", "Cognitive processing therapy workshop", "Alpine Trauma Center", 14, 800,
     "clinical", "cpt"),
    ("dana", "Assessing and managing suicide risk", "Front Range Suicide Prevention Network", 6.5,
     250, "risk", "suicide_prevention"),
    ("dana", "Ethics of dual relationships", "Colorado Social Work Board Seminar", 3, 120,
     "ethics", None),
    ("robin", "Family-based treatment for adolescent eating disorders",
     "Plains Eating Disorder Institute", 14, 450, "clinical", "family_based_treatment"),
    ("robin", "Adolescent therapy: development and engagement", "Westside Child Institute", 24,
     700, "clinical", "adolescents"),
    ("robin", "Gottman method, level 1", "Gottman-trained regional trainer", 12, 45, "clinical",
     "couples"),
    ("robin", "Cultural humility with families", "Mile High Diversity Institute", 4, 100,
     "cultural_competence", None),
)  # fmt: skip
# (username, title, issuer, number, issued days back, expires days ahead, competency)
CERTIFICATIONS: Final = (
    ("casey", "Certified Clinical Anxiety Treatment Professional", "Evergreen Certification Board",
     "CCATP-20417", 700, 40, "cbt"),
    ("dana", "Certified DBT Clinician", "DBT-Linehan Board of Certification", "DBTLBC-1187", 500,
     600, "dbt"),
    ("dana", "TF-CBT National Therapist Certification", "TF-CBT Certification Program",
     "TFCBT-55120", 400, 1100, "trauma_focused"),
)  # fmt: skip
# (username, competency, with whom, hours, days back)
SUPERVISED: Final = (
    ("casey", "emdr", "Morgan Vale", 4, 20),
    ("dana", "cpt", "CPT consultation group", 22, 600),
    ("robin", "family_based_treatment", "Morgan Vale", 20, 200),
    ("robin", "adolescents", "Morgan Vale", 20, 500),
)
# (username, competency, days back): verified by the supervisor.
VERIFIED: Final = (
    ("dana", "pe", 300),
    ("dana", "adolescents", 300),
    ("robin", "children", 420),
    ("robin", "family", 420),
)
# (username, title, number, renews in days, period in months, CE hours required)
LICENCES: Final = (
    ("casey", "Licensed Professional Counselor, Colorado", "LPC.0019234", 75, 24, 40.0),
    ("dana", "Licensed Clinical Social Worker, Colorado", "CSW.0093321", 400, 24, 40.0),
    ("robin", "Licensed Marriage and Family Therapist, Colorado", "MFT.0004412", 200, 24, 40.0),
)
NOTES: Final = (
    "Went over the formulation and the next two sessions.",
    "Looked at what the client's reaction stirs in me; agreed a plan.",
    "Checked the risk assessment and the safety plan together.",
)


def seed_competence_evidence(
    session: Session, actor: Operator, users: Mapping[str, User], day: date
) -> None:
    """The demo clinicians' evidence, verifications and licences; audited as the operator's."""
    supervisor = users[SUPERVISOR]
    trainings = [
        TrainingRecord(
            user_id=users[name].id,
            title=title,
            provider=provider,
            hours=float(hours),
            day=day - timedelta(days=back),
            category=category,
            code=code,
        )
        for name, title, provider, hours, back, category, code in TRAININGS
    ]
    certifications = [
        Certification(
            user_id=users[name].id,
            title=title,
            issuer=issuer,
            number=number,
            issued_on=day - timedelta(days=issued),
            expires_on=day + timedelta(days=expires),
            code=code,
        )
        for name, title, issuer, number, issued, expires, code in CERTIFICATIONS
    ]
    supervised = [
        SupervisedHours(
            user_id=users[name].id,
            code=code,
            with_whom=with_whom,
            hours=float(hours),
            day=day - timedelta(days=back),
        )
        for name, code, with_whom, hours, back in SUPERVISED
    ]
    verified = [
        Verification(
            user_id=users[name].id,
            code=code,
            kind="verified",
            by_user_id=supervisor.id,
            by_name=supervisor.display_name,
            day=day - timedelta(days=back),
        )
        for name, code, back in VERIFIED
    ]
    session.add_all([*trainings, *certifications, *supervised, *verified])
    session.add_all(
        Licence(
            user_id=users[name].id,
            title=title,
            number=number,
            renews_on=day + timedelta(days=renews),
            period_months=months,
            required_hours=required,
        )
        for name, title, number, renews, months, required in LICENCES
    )
    session.flush()
    for action, target_type, rows in (
        (AuditAction.COMPETENCE_EVIDENCE_ADD, "growth_training", trainings),
        (AuditAction.COMPETENCE_EVIDENCE_ADD, "growth_certification", certifications),
        (AuditAction.COMPETENCE_EVIDENCE_ADD, "growth_supervised_hours", supervised),
        (AuditAction.COMPETENCE_VERIFY, "growth_verification", verified),
    ):
        audit_write(
            session, actor, action, target_type=target_type, target_ids=[r.id for r in rows]
        )


def seed_supervision_records(
    session: Session,
    actor: Operator,
    clients: Sequence[tuple[int, str, Mapping[str, Any]]],
    users: Mapping[str, User],
) -> None:
    """A record (with the supervisor, a short note) beside each dated supervision step of the
    written demo cases: (client id, clinician's username, case)."""
    supervisor = users[SUPERVISOR]
    made: list[SupervisionRecord] = []
    for client_id, username, case in clients:
        for entry in case.get("steps_taken", []):
            if not isinstance(entry, Mapping) or entry.get("step") != "supervision":
                continue
            made.append(
                SupervisionRecord(
                    client_id=client_id,
                    clinician_id=users[username].id,
                    step="supervision",
                    day=date.fromisoformat(entry["date"]),
                    with_whom=supervisor.display_name,
                    note=NOTES[len(made) % len(NOTES)],
                )
            )
    session.add_all(made)
    session.flush()
    audit_write(
        session,
        actor,
        AuditAction.SUPERVISION_RECORD,
        target_type="supervision_record",
        target_ids=[r.id for r in made],
    )
