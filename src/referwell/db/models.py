"""The practice: practices, users and their tokens and competencies, clients, assessments, audit.

The parts of a client's case (concerns, measures, sessions …) are in
`case_parts.py`. Codes (concerns, competencies, steps …) are stored as the
vocabulary's strings and checked by the domain, not by the database, so that
adding a code needs no migration; only the small closed sets of the case
format (roles, engagement, format of care …) carry CHECK constraints.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    event,
    false,
    text,
    true,
)
from sqlalchemy.orm import Mapped, Mapper, mapped_column, relationship

from referwell.db.base import Base, one_of, utcnow
from referwell.db.case_parts import (
    ClinicianFactor,
    Concern,
    CurrentCare,
    Event,
    FinancialArrangement,
    Goal,
    Measure,
    PhysicalSymptom,
    ReferralReason,
    StepTaken,
    TherapySession,
)
from referwell.db.import_runs import ImportRun  # noqa: F401 - on Base.metadata
from referwell.db.security import SignInThrottle, WebSession  # noqa: F401 - on Base.metadata
from referwell.domain.vocabulary import RECOMMENDATIONS

USER_ROLES = ("clinician", "supervisor", "admin")
ENGAGEMENT_LEVELS = ("active", "low", "refuses_discussion")
FORMATS_OF_CARE = ("individual", "couple", "family")


class ActorKind(StrEnum):
    """Who acted, as the audit log records it (`audit_log.actor_kind`)."""

    USER = "user"  # a person signed in to the web app; the actor is the user's id
    API_TOKEN = "api_token"  # noqa: S105 - a kind, not a secret; a program with a person's token
    OS_USER = "os_user"  # whoever ran a `referwell` command; the actor is the OS login
    SYSTEM = "system"  # referwell itself; the actor is the component's name
    # Whoever holds a one-time questionnaire link (the client, on their phone or a tablet);
    # the actor is the link's id.
    QUESTIONNAIRE_LINK = "questionnaire_link"
    # Another referwell practice, presenting the token we issued to it (the actor is the
    # partner record's id); and whoever holds a one-time referral status link (a receiving
    # provider without referwell; the actor is the link's id).
    PARTNER_PRACTICE = "partner_practice"
    STATUS_LINK = "status_link"


ACTOR_KINDS = tuple(kind.value for kind in ActorKind)


class Practice(Base):
    """A practice: its users, its clients, and its overrides of the rules' settings."""

    __tablename__ = "practices"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # Only the settings the practice changed; the engine's defaults fill the rest.
    rule_settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    users: Mapped[list[User]] = relationship(back_populates="practice")
    clients: Mapped[list[Client]] = relationship(back_populates="practice")


class PracticeSettingChange(Base):
    """A rule setting a practice set to a value other than its default: by whom, when, why.

    Rows are only added; a setting's record is its newest row. The value in force is the
    practice's `rule_settings`; every assessment made under it names this record.
    """

    __tablename__ = "practice_setting_changes"
    __table_args__ = (Index(None, "practice_id", "name", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practices.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(64))
    value: Mapped[int] = mapped_column(Integer)
    # Who set it: a username, `referwell` (a migration raising a value to its floor), or
    # empty when the value predates this record.
    set_by: Mapped[str] = mapped_column(String(100))
    set_at: Mapped[datetime] = mapped_column(default=utcnow)
    reason: Mapped[str] = mapped_column(Text)


class User(Base):
    """Someone who logs in: a clinician, a supervisor or an admin of one practice."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(one_of("role", USER_ROLES), name="role"),
        Index(None, "practice_id"),
        Index(None, "supervisor_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practices.id"))
    username: Mapped[str] = mapped_column(String(100), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    # An Argon2 hash in its PHC string form; None: this user cannot log in.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    supervisor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    active: Mapped[bool] = mapped_column(default=True, server_default=true())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    practice: Mapped[Practice] = relationship(back_populates="users")
    supervisor: Mapped[User | None] = relationship(
        remote_side="User.id", back_populates="supervisees"
    )
    supervisees: Mapped[list[User]] = relationship(back_populates="supervisor")
    competencies: Mapped[list[ClinicianCompetency]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="ClinicianCompetency.id"
    )
    in_training: Mapped[list[ClinicianTraining]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="ClinicianTraining.id"
    )
    api_tokens: Mapped[list[ApiToken]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )


API_TOKEN_DAYS = 90  # an API token's life unless its maker chooses another


def default_token_expiry() -> datetime:
    """When a token made now expires unless its maker chooses otherwise."""
    return utcnow() + timedelta(days=API_TOKEN_DAYS)


class ApiToken(Base):
    """A personal API token; only its SHA-256 is kept, and revoking keeps the row."""

    __tablename__ = "api_tokens"
    __table_args__ = (Index(None, "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    # It opens nothing from then on; chosen when it is made (`API_TOKEN_DAYS` by default).
    expires_at: Mapped[datetime] = mapped_column(default=default_token_expiry)

    user: Mapped[User] = relationship(back_populates="api_tokens")


class ClinicianCompetency(Base):
    """A code the clinician is trained and experienced in (`clinician.competencies`)."""

    __tablename__ = "clinician_competencies"
    __table_args__ = (UniqueConstraint("user_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(64))

    user: Mapped[User] = relationship(back_populates="competencies")


class ClinicianTraining(Base):
    """A code the clinician is learning under supervision (`clinician.in_training`)."""

    __tablename__ = "clinician_training"
    __table_args__ = (UniqueConstraint("user_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(64))

    user: Mapped[User] = relationship(back_populates="in_training")


class Client(Base):
    """A client of one clinician, with the client part of the case and synthetic contact details.

    `case_version` starts at 1 and goes up by one whenever the case changes:
    this row, any part of the case, or the clinician's competencies (see
    `engine.make_session_factory`). It is also the optimistic lock: an update
    made from a stale copy fails instead of overwriting.
    """

    __tablename__ = "clients"
    __table_args__ = (
        UniqueConstraint("practice_id", "external_id"),
        CheckConstraint("age BETWEEN 0 AND 120", name="age"),
        CheckConstraint(one_of("engagement", ENGAGEMENT_LEVELS), name="engagement"),
        CheckConstraint(one_of("format_of_care", FORMATS_OF_CARE), name="format_of_care"),
        Index(None, "clinician_id"),
        Index(None, "import_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practices.id"))
    clinician_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # The case file's `id`: never a real name.
    external_id: Mapped[str] = mapped_column(String(100))
    # Synthetic, never a real person's: referwell holds no real identities.
    display_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))

    age: Mapped[int] = mapped_column(SmallInteger)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    postal_code: Mapped[str | None] = mapped_column(String(20))
    insurance: Mapped[list[str]] = mapped_column(JSON, default=list)
    telehealth_ok: Mapped[bool | None]
    preferences: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    engagement: Mapped[str] = mapped_column(
        String(32), default="active", server_default=text("'active'")
    )
    wants_to_end: Mapped[bool] = mapped_column(default=False, server_default=false())
    format_of_care: Mapped[str] = mapped_column(
        String(16), default="individual", server_default=text("'individual'")
    )

    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    case_version: Mapped[int] = mapped_column(Integer)
    # The day the current episode closed; None while the client is in care. The episodes
    # themselves, with who closed them and why, are `client_episodes`.
    discharged_on: Mapped[date | None] = mapped_column(Date)
    # The import writing this client, while it runs: nobody sees the client until the
    # import's last transaction clears this (`db.imports`); None for every other client.
    import_id: Mapped[int | None] = mapped_column(ForeignKey("imports.id"))

    __mapper_args__ = {"version_id_col": case_version}  # noqa: RUF012 - read by SQLAlchemy

    practice: Mapped[Practice] = relationship(back_populates="clients")
    clinician: Mapped[User] = relationship()

    concerns: Mapped[list[Concern]] = relationship(
        back_populates="client", cascade="all, delete-orphan", order_by="Concern.id"
    )
    physical_symptoms: Mapped[list[PhysicalSymptom]] = relationship(
        back_populates="client", cascade="all, delete-orphan", order_by="PhysicalSymptom.id"
    )
    measures: Mapped[list[Measure]] = relationship(
        back_populates="client",
        cascade="all, delete-orphan",
        order_by="(Measure.date, Measure.id)",
    )
    sessions: Mapped[list[TherapySession]] = relationship(
        back_populates="client",
        cascade="all, delete-orphan",
        order_by="(TherapySession.date, TherapySession.id)",
    )
    events: Mapped[list[Event]] = relationship(
        back_populates="client",
        cascade="all, delete-orphan",
        order_by="(Event.date, Event.id)",
    )
    clinician_factors: Mapped[list[ClinicianFactor]] = relationship(
        back_populates="client", cascade="all, delete-orphan", order_by="ClinicianFactor.id"
    )
    referral_reasons: Mapped[list[ReferralReason]] = relationship(
        back_populates="client", cascade="all, delete-orphan", order_by="ReferralReason.id"
    )
    steps_taken: Mapped[list[StepTaken]] = relationship(
        back_populates="client", cascade="all, delete-orphan", order_by="StepTaken.id"
    )
    goals: Mapped[list[Goal]] = relationship(
        back_populates="client", cascade="all, delete-orphan", order_by="Goal.id"
    )
    financial_arrangements: Mapped[list[FinancialArrangement]] = relationship(
        back_populates="client", cascade="all, delete-orphan", order_by="FinancialArrangement.id"
    )
    current_care: Mapped[list[CurrentCare]] = relationship(
        back_populates="client", cascade="all, delete-orphan", order_by="CurrentCare.id"
    )
    episodes: Mapped[list[Episode]] = relationship(
        back_populates="client", cascade="all, delete-orphan", order_by="Episode.id"
    )
    assessments: Mapped[list[StoredAssessment]] = relationship(
        back_populates="client", cascade="all, delete-orphan", passive_deletes=True
    )


class Episode(Base):
    """An episode of care: opened on a day, closed (the client discharged) on another.

    A client has one open episode while in care (`clients.discharged_on` is None).
    Entries of the record are dated within an episode.
    """

    __tablename__ = "client_episodes"
    __table_args__ = (Index(None, "client_id", "opened_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    opened_on: Mapped[date] = mapped_column(Date)
    opened_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_on: Mapped[date | None] = mapped_column(Date)
    closed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[datetime | None]
    # Why the episode closed, in the clinician's words (goals met, moved away …).
    close_reason: Mapped[str | None] = mapped_column(Text)

    client: Mapped[Client] = relationship(back_populates="episodes")


class StoredAssessment(Base):
    """An assessment as computed: what it said, from which case version, rules and settings."""

    __tablename__ = "assessments"
    __table_args__ = (
        CheckConstraint(one_of("recommendation", RECOMMENDATIONS), name="recommendation"),
        Index(None, "client_id", "computed_at"),
        # The newest stored assessment of a client is its largest id (freshness checks).
        Index(None, "client_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)
    as_of: Mapped[date] = mapped_column(Date)
    case_version: Mapped[int] = mapped_column(Integer)
    rules_version: Mapped[str] = mapped_column(String(40))
    settings: Mapped[dict[str, Any]] = mapped_column(JSON)
    # The whole `referwell.assessment/1` document.
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
    # The same assessment in words for people (`Assessment.display()`); None on rows stored
    # before it existed, which are therefore stale.
    display: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    recommendation: Mapped[str] = mapped_column(String(32))
    # 1 (urgent_safety) … 6 (continue): ORDER BY this puts the most pressing first.
    recommendation_rank: Mapped[int] = mapped_column(SmallInteger)

    client: Mapped[Client] = relationship(back_populates="assessments")


class SupervisionReview(Base):
    """A supervisor's "reviewed" mark on a client, with a note.

    It holds while the client's recommendation stays the one it was made under; a
    stored assessment with another recommendation clears it (`cleared_at`, and why),
    and the clearing is audited. Rows are never deleted: they are the review's history.
    """

    __tablename__ = "supervision_reviews"
    __table_args__ = (
        CheckConstraint(one_of("recommendation", RECOMMENDATIONS), name="recommendation"),
        Index(
            "ix_supervision_reviews_open",
            "client_id",
            sqlite_where=text("cleared_at IS NULL"),
            postgresql_where=text("cleared_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    # The client's recommendation when reviewed: the mark holds while it stays.
    recommendation: Mapped[str] = mapped_column(String(32))
    reviewed_at: Mapped[datetime] = mapped_column(default=utcnow)
    cleared_at: Mapped[datetime | None]
    # Why the mark cleared: "recommendation_changed" or "reviewed_again".
    cleared_because: Mapped[str | None] = mapped_column(String(32))
    # The recommendation that cleared it, when it changed.
    cleared_by_recommendation: Mapped[str | None] = mapped_column(String(32))


class QuestionnaireLink(Base):
    """A one-time link a client fills in questionnaires by, without signing in.

    Only the SHA-256 of its token is kept. It is used up when submitted (not when
    opened: link previewers open links), and expires at `expires_at` unused.
    """

    __tablename__ = "questionnaire_links"
    __table_args__ = (Index(None, "client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The instruments' codes, in the order the client sees them.
    instruments: Mapped[list[str]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class AuditEntry(Base):
    """One audited act: who, what, when and on which records; never clinical content.

    Append-only: the database refuses UPDATE and DELETE on this table (triggers
    made by the migrations), and the ORM refuses to flush a change to a row.
    """

    __tablename__ = "audit_log"
    __table_args__ = (
        CheckConstraint(one_of("actor_kind", ACTOR_KINDS), name="actor_kind"),
        Index(None, "at"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    # A user's id as a string for actor_kind "user" and "api_token"; the OS login for
    # "os_user"; the component's name for "system".
    actor: Mapped[str] = mapped_column(String(100))
    actor_kind: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(64))
    target_type: Mapped[str | None] = mapped_column(String(32))
    target_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    # The entry's place in the audit chain (1, 2, 3 …) and its HMAC over the entry and the
    # one before, set when it is flushed (`audit_chain.py`): an entry changed, removed or
    # inserted breaks the chain.
    seq: Mapped[int] = mapped_column(BigInteger, unique=True)
    hmac: Mapped[str] = mapped_column(String(64))


class AuditChainHead(Base):
    """The audit chain's newest link, in one row: what the next entry chains on.

    Appending locks the row (`SELECT … FOR UPDATE`; SQLite serializes writers anyway), so
    two transactions never chain on the same entry. Its copy outside the database
    (`audit_chain.HeadStore`) is what shows a tail cut off.
    """

    __tablename__ = "audit_chain"
    __table_args__ = (CheckConstraint("id = 1", name="one_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    # Random, made with the chain: names its head outside the database.
    chain_id: Mapped[str] = mapped_column(String(36))
    length: Mapped[int] = mapped_column(BigInteger)
    last_hmac: Mapped[str] = mapped_column(String(64))  # "" while the chain is empty


class AuditLogAppendOnlyError(RuntimeError):
    """Someone tried to change or remove an audit entry."""


@event.listens_for(AuditEntry, "before_update")
@event.listens_for(AuditEntry, "before_delete")
def _refuse_audit_change(mapper: Mapper[Any], connection: Any, target: AuditEntry) -> None:
    del mapper, connection
    raise AuditLogAppendOnlyError(f"audit entry {target.id} cannot be changed or removed")


# The directory's tables live in their own package, and so do those of the clinician's own
# growth (competence evidence; ethics practice cards and ProQOL check-ins); importing them
# here puts them on the metadata every migration and test compares against.
from referwell.db.directory import models as _directory_models  # noqa: E402, F401
from referwell.db.growth import cards as _growth_cards  # noqa: E402, F401
from referwell.db.growth import check_ins as _growth_check_ins  # noqa: E402, F401
from referwell.db.growth import models as _growth_models  # noqa: E402, F401
from referwell.db.referrals import models as _referral_models  # noqa: E402, F401
