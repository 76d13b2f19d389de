"""A small practice for the web tests: two practices, every role, the shipped example cases.

Practice A: admin `admin`; supervisor `sup`; clinician `clin` (supervised by
`sup`) with the eight example cases; clinician `clin2` (unsupervised) with
two clients. Practice B: clinician `other` with one client, admin `admin_b`.
Every user has the password `PASSWORD` (hashed with cheap Argon2 parameters)
and two live API tokens: `token_secret(username)` to call the API with, and a
spare one (`spare_tokens`) for tests that revoke.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from argon2 import PasswordHasher
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

import shipped_examples
from referwell.db.case_parts import Goal
from referwell.db.cases import import_case
from referwell.db.directory.repository import save_entries
from referwell.db.models import ApiToken, Practice, QuestionnaireLink, User
from referwell.db.referrals.models import Referral, ReferralOption, StatusLink
from referwell.domain.directory.model import Entry, Location
from referwell.services.tokens import token_digest

PASSWORD = "correct horse battery staple"
TODAY = date(2026, 11, 20)  # the examples' as_of
# Argon2id with the smallest parameters: the tests sign in hundreds of times.
CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1, hash_len=16, salt_len=8)


# A questionnaire link of client ex01 that stays open (the routes' tests send nothing valid).
LINK_TOKEN = "rwq_test_link_of_ex01"
# A status link of a referral of ex01, sent to the directory entry (for the `/r/{token}` pages).
STATUS_LINK_TOKEN = "rws_test_status_link_of_ex01"
# The one entry of the test directory (for `/directory/entries/{external_id}`).
DIRECTORY_ENTRY = "dir-1042"


def token_secret(username: str) -> str:
    return f"rwt_test_token_of_{username}"


def example_cases() -> dict[str, dict[str, Any]]:
    """The shipped example cases by file stem (`ex04-phq9-item9`)."""
    return dict(shipped_examples.example_cases())


@dataclass
class Seeded:
    practice_id: int
    other_practice_id: int
    users: dict[str, int] = field(default_factory=dict)
    tokens: dict[str, int] = field(default_factory=dict)
    spare_tokens: dict[str, int] = field(default_factory=dict)
    clients: dict[str, int] = field(default_factory=dict)  # by case id
    goals: dict[int, int] = field(default_factory=dict)  # client id -> its first goal's id
    referral_id: int = 0  # the one outgoing referral (of ex01), for `{referral_id:id}`

    def client_with_goals_of(self, username: str) -> int:
        """Some client of this clinician that has a goal (for the routes naming an entry)."""
        return {
            "clin": self.clients["ex05"],
            "clin2": self.clients["c2-a"],
            "other": self.clients["b-1"],
        }[username]

    def fill_path(self, path: str, client_id: int) -> str:
        """A route's path naming this client, and (for an entry's routes) its first goal, or
        a goal that is not the client's when it has none."""
        goal = self.goals.get(client_id, max(self.goals.values(), default=0) + 1)
        return (
            path.replace("{client_id:id}", str(client_id))
            .replace("{kind}", "goals")
            .replace("{entry_id:id}", str(goal))
            .replace("{referral_id:id}", str(self.referral_id))
        )

    def client_of(self, username: str) -> int:
        """Some client of this clinician."""
        return {
            "clin": self.clients["ex01"],
            "clin2": self.clients["c2-a"],
            "other": self.clients["b-1"],
        }[username]


def seed(session_factory: sessionmaker[Session]) -> Seeded:
    """Write the test practice; committed."""
    with session_factory() as session:
        practice = Practice(name="Riverside (test)")
        elsewhere = Practice(name="Elsewhere (test)")
        session.add_all([practice, elsewhere])
        session.flush()
        hashed = CHEAP_HASHER.hash(PASSWORD)

        def user(name: str, role: str, where: Practice, supervisor: User | None = None) -> User:
            made = User(
                practice_id=where.id,
                username=name,
                display_name=f"{name.capitalize()} Testperson",
                role=role,
                password_hash=hashed,
                supervisor_id=supervisor.id if supervisor else None,
            )
            session.add(made)
            session.flush()
            return made

        admin = user("admin", "admin", practice)
        sup = user("sup", "supervisor", practice)
        clin = user("clin", "clinician", practice, sup)
        clin2 = user("clin2", "clinician", practice)
        other = user("other", "clinician", elsewhere)
        admin_b = user("admin_b", "admin", elsewhere)
        seeded = Seeded(practice_id=practice.id, other_practice_id=elsewhere.id)
        for made in (admin, sup, clin, clin2, other, admin_b):
            seeded.users[made.username] = made.id
            for label, secret, kept in (
                ("api", token_secret(made.username), seeded.tokens),
                ("spare", token_secret(made.username) + "_spare", seeded.spare_tokens),
            ):
                token = ApiToken(user_id=made.id, token_hash=token_digest(secret), label=label)
                session.add(token)
                session.flush()
                kept[made.username] = token.id

        cases = example_cases()
        for number, (stem, case) in enumerate(cases.items(), start=1):
            client = import_case(
                session, practice.id, clin.id, case, display_name=f"Client {number:02d} {stem[5:]}"
            )
            seeded.clients[case["id"]] = client.id
        for case_id, stem, owner, where in (
            ("c2-a", "ex05-goals-met", clin2, practice),
            ("c2-b", "ex07-not-on-track", clin2, practice),
            ("b-1", "ex04-phq9-item9", other, elsewhere),
        ):
            case = copy.deepcopy(cases[stem])
            case["id"] = case_id
            client = import_case(
                session, where.id, owner.id, case, display_name=f"Client {case_id}"
            )
            seeded.clients[case_id] = client.id
        session.add(
            QuestionnaireLink(
                client_id=seeded.clients["ex01"],
                created_by=clin.id,
                token_hash=token_digest(LINK_TOKEN),
                instruments=["PHQ-9"],
                expires_at=datetime(2100, 1, 1, tzinfo=UTC),
            )
        )
        referral = Referral(
            practice_id=practice.id,
            client_id=seeded.clients["ex01"],
            clinician_id=clin.id,
            reason="a synthetic reason",
            status="requested",
            business_status="sent",
            created_by=str(clin.id),
            options=[ReferralOption(external_id=DIRECTORY_ENTRY, name="Test Practitioner, LPC",
                                    chosen=True)],
        )  # fmt: skip
        session.add(referral)
        session.flush()
        seeded.referral_id = referral.id
        session.add(
            StatusLink(
                referral_id=referral.id,
                token_hash=token_digest(STATUS_LINK_TOKEN),
                created_by=clin.id,
                expires_at=datetime(2100, 1, 1, tzinfo=UTC),
            )
        )
        session.flush()
        for client_id in seeded.clients.values():
            goal = session.scalar(
                select(Goal.id).where(Goal.client_id == client_id).order_by(Goal.id).limit(1)
            )
            if goal is not None:
                seeded.goals[client_id] = goal
        # One directory entry, for the directory's pages.
        save_entries(
            session,
            [
                Entry(
                    DIRECTORY_ENTRY,
                    "practitioner",
                    "Test Practitioner, LPC",
                    services=frozenset({"dbt", "adults"}),
                    locations=(Location("80202", "CO", 39.7491, -104.9946),),
                    accepting_new_clients=True,
                )
            ],
        )
        session.commit()
    return seeded
