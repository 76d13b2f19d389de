"""Two referwell practices on loopback, each its own server and SQLite database (issue 11).

Practice A refers a client to practice B (partner records on both sides, tokens exchanged
as their admins would). B acknowledges, accepts with a date, records the first appointment
attended and then care established, pushing each Task update to A; A's `referrals poll`
brings whatever it missed. A's referral ends `completed` / `care_established`. Then a
no-show (heard by A's poll alone) and a decline; and a request with no token, a wrong one
or a revoked partner's writes nothing at B. The sender's own change (A withdraws) reaches
B by A's push or, when that is missed, by B's poll. A referral sent while B is down is
pending delivery until A's poll delivers it once B is up.
"""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
import uvicorn
from sqlalchemy import func, select

from referwell.config import AppConfig
from referwell.db import migrate
from referwell.db.audit import AuditAction
from referwell.db.base import utcnow
from referwell.db.directory.models import DirectoryEntry
from referwell.db.engine import for_writing, make_engine, make_session_factory
from referwell.db.models import AuditEntry, Client, Practice, User
from referwell.db.referrals.models import Referral
from referwell.db.uow import UnitOfWork
from referwell.services.auditing import ImmediateReads
from referwell.services.permissions import Operator, Person
from referwell.services.referrals import (
    consents,
    delivery,
    opening,
    overview,
    partners,
    receiving,
    sending,
    transitions,
    worklist,
)
from referwell.web.app import create_app

ENTRY = "b-practice-entry"


@dataclass
class PracticeAtEnd:
    name: str
    url: str
    db: str
    uow: UnitOfWork
    people: dict[str, Person]
    client_id: int | None = None
    entry_id: int | None = None
    data: Path | None = None
    server: uvicorn.Server | None = None
    thread: threading.Thread | None = None

    def stop(self) -> None:
        """Take this practice's server down (its address stays in the partner's record)."""
        assert self.server is not None
        assert self.thread is not None
        self.server.should_exit = True
        self.thread.join(5)
        assert not self.thread.is_alive()
        self.server = self.thread = None

    def start(self) -> None:
        """Bring the server up again, at the same address."""
        assert self.server is None
        assert self.data is not None
        port = int(self.url.rsplit(":", 1)[1])
        _, self.server, self.thread = _start(self.db, self.data, port=port)

    @contextmanager
    def reads(self) -> Iterator[ImmediateReads]:
        with self.uow._session_factory() as session:
            yield ImmediateReads(session)
            session.commit()

    def count(self, model: type) -> int:
        with self.uow as uow:
            return uow.session.scalar(select(func.count()).select_from(model)) or 0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _start(
    db_url: str, data_dir: Path, *, port: int | None = None
) -> tuple[str, uvicorn.Server, threading.Thread]:
    app = create_app(
        AppConfig(data_dir=data_dir, database_url=db_url, secret_key="k" * 32),
        audit_interval=0.2,
    )
    port = port or _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.02)
    assert server.started
    return f"http://127.0.0.1:{port}", server, thread


def _practice(tmp: Path, name: str, *, sender: bool) -> PracticeAtEnd:
    data = tmp / name
    data.mkdir()
    url = f"sqlite:///{data / 'referwell.sqlite3'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    factory = make_session_factory(for_writing(engine))
    people = {}
    client_id = entry_id = None
    with factory() as session:
        practice = Practice(name=f"Practice {name}")
        session.add(practice)
        session.flush()
        made = {}
        for username, role, boss in (("sup", "supervisor", None), ("clin", "clinician", "sup")):
            user = User(
                practice_id=practice.id,
                username=username,
                display_name=f"{username.capitalize()} of {name}",
                role=role,
                password_hash="x",
                supervisor_id=made[boss].id if boss else None,
            )
            session.add(user)
            session.flush()
            made[username] = user
        if sender:
            client = Client(
                practice_id=practice.id,
                clinician_id=made["clin"].id,
                external_id="a-1",
                display_name="Synthetic Client A1",
                email="a1@example.org",
                age=34,
            )
            entry = DirectoryEntry(external_id=ENTRY, kind="program", name="Practice B intake")
            session.add_all([client, entry])
            session.flush()
            client_id, entry_id = client.id, entry.id
        session.commit()
        people = {k: Person.from_user(v) for k, v in made.items()}
    base, server, thread = _start(url, data)
    at_end = PracticeAtEnd(name, base, url, UnitOfWork(factory), people, client_id, entry_id)
    at_end.data, at_end.server, at_end.thread = data, server, thread
    return at_end


@pytest.fixture
def two(tmp_path: Path) -> Iterator[tuple[PracticeAtEnd, PracticeAtEnd, dict[str, int]]]:
    a = _practice(tmp_path, "A", sender=True)
    b = _practice(tmp_path, "B", sender=False)
    ops = Operator("ops")
    # B adds A first (A has issued it no token yet), A adds B with B's token, B keeps A's.
    with b.uow as uow:
        b_practice = uow.session.scalar(select(Practice.id))
    with a.uow as uow:
        a_practice = uow.session.scalar(select(Practice.id))
    a_at_b = partners.add_partner(
        b.uow, ops, name="Practice A", base_url=a.url, entry_external_ids=[],
        outbound_token="", practice_id=b_practice,
    )  # fmt: skip
    b_at_a = partners.add_partner(
        a.uow, ops, name="Practice B", base_url=b.url, entry_external_ids=[ENTRY],
        outbound_token=a_at_b.inbound_token, practice_id=a_practice,
    )  # fmt: skip
    partners.set_partner_token(b.uow, ops, a_at_b.partner.partner_id, b_at_a.inbound_token)
    ids = {"a_at_b": a_at_b.partner.partner_id, "b_at_a": b_at_a.partner.partner_id}
    ids["token_a_presents"] = 0
    try:
        yield a, b, ids
    finally:
        for end in (a, b):  # a test may have stopped or restarted one
            if end.server is not None:
                end.server.should_exit = True
        for end in (a, b):
            if end.thread is not None:
                end.thread.join(5)


def _send(a: PracticeAtEnd, reason: str) -> int:
    referral_id = _sent(a, reason)
    done = delivery.deliver(a.uow, a.people["clin"], referral_id)
    assert done.ok, done.why
    return referral_id


def _sent(a: PracticeAtEnd, reason: str) -> int:
    """A referral sent at A (consented, to B's entry), not yet delivered."""
    clin = a.people["clin"]
    assert a.client_id is not None
    assert a.entry_id is not None
    view = opening.open_referral(a.uow, clin, a.client_id, reason=reason, entry_ids=[a.entry_id])
    view = opening.choose_options(
        a.uow, clin, view.referral_id, [view.options[0].option_id], expected_version=view.version
    )
    consents.record_consent(
        a.uow,
        clin,
        a.client_id,
        scopes=["identity_contact", "referral_reason"],
        valid_until=utcnow().date() + timedelta(days=90),
        entry_id=a.entry_id,
    )
    view = sending.send_referral(a.uow, clin, view.referral_id, expected_version=view.version)
    assert view.partner_id is not None
    return view.referral_id


def _at_a(a: PracticeAtEnd, referral_id: int) -> tuple[str, str]:
    with a.uow as uow:
        r = uow.session.get(Referral, referral_id)
        assert r is not None
        return r.status, r.business_status


def _incoming(b: PracticeAtEnd, remote: int) -> Referral:
    with b.uow as uow:
        r = uow.session.scalar(select(Referral).where(Referral.remote_id == str(remote)))
        assert r is not None
        uow.session.expunge(r)
        return r


def _step(b: PracticeAtEnd, remote: int, code: str, **kw: object) -> None:
    r = _incoming(b, remote)
    receiving.receiver_step(b.uow, b.people["sup"], r.id, code, expected_version=r.version, **kw)  # type: ignore[arg-type]
    pushed = delivery.push_task(b.uow, b.people["sup"], r.id)
    assert pushed.ok, pushed.why


def _post(url: str, body: object, token: str | None, *, method: str = "POST") -> tuple[int, dict]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)  # noqa: S310 - loopback
    request.add_header("Content-Type", "application/fhir+json")
    if token is not None:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:  # noqa: S310 - loopback
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_a_referral_travels_to_care_established_and_back(two: tuple) -> None:
    a, b, _ = two
    referral_id = _send(a, "needs a DBT skills group")
    incoming = _incoming(b, referral_id)
    assert (incoming.direction, incoming.status, incoming.client_id) == (
        "incoming",
        "requested",
        None,
    )
    assert incoming.reason == "needs a DBT skills group"
    # Only what the consent covered came: no questionnaire Observation, no transfer summary.
    kinds = {e["resource"]["resourceType"] for e in incoming.payload["entry"]}
    assert "Observation" not in kinds
    assert "Patient" in kinds
    with b.reads() as reads:
        waiting = worklist.inbox(b.uow, b.people["sup"], reads)
    assert [v.referral_id for v in waiting] == [incoming.id]

    _step(b, referral_id, "acknowledge")
    assert _at_a(a, referral_id) == ("received", "acknowledged")

    r = _incoming(b, referral_id)
    day = utcnow().date() + timedelta(days=7)
    accepted = receiving.accept_incoming(
        b.uow, b.people["sup"], r.id, clinician_id=b.people["clin"].user_id,
        expected_version=r.version, today=utcnow().date(), appointment_on=day,
    )  # fmt: skip
    assert delivery.push_task(b.uow, b.people["sup"], r.id).ok
    with b.uow as uow:
        client = uow.session.get(Client, accepted.client_id)
        assert client is not None
        assert (client.display_name, client.email, client.clinician_id) == (
            "Synthetic Client A1", "a1@example.org", b.people["clin"].user_id,
        )  # fmt: skip
    assert _at_a(a, referral_id) == ("accepted", "scheduled")
    with a.uow as uow:
        assert uow.session.get(Referral, referral_id).appointment_on == day  # type: ignore[union-attr]

    _step(b, referral_id, "first_appointment")
    assert _at_a(a, referral_id) == ("in-progress", "first_appointment_attended")
    # The last step is not pushed: A's poll reads it from B.
    r = _incoming(b, referral_id)
    receiving.receiver_step(
        b.uow, b.people["clin"], r.id, "care_established", expected_version=r.version
    )
    assert _at_a(a, referral_id) == ("in-progress", "first_appointment_attended")
    report = delivery.poll(a.uow, Operator("ops"))
    assert not report.failed
    assert [d.steps for d in report.read] == [1]
    assert _at_a(a, referral_id) == ("completed", "care_established")
    with a.uow as uow:
        steps = [
            (e.to_status, e.side, e.actor_kind)
            for e in uow.session.get(Referral, referral_id).events  # type: ignore[union-attr]
        ]
    assert steps[-1] == ("completed", "receiver", "partner_practice")
    assert [s[0] for s in steps] == [
        "draft", "requested", "received", "accepted", "in-progress", "completed",
    ]  # fmt: skip


def test_a_no_show_is_heard_by_polling_and_a_decline_by_its_push(two: tuple) -> None:
    a, b, _ = two
    no_show = _send(a, "first referral")
    declined = _send(a, "second referral")
    r = _incoming(b, no_show)
    receiving.accept_incoming(
        b.uow, b.people["sup"], r.id, clinician_id=b.people["clin"].user_id,
        expected_version=r.version, today=utcnow().date(),
        appointment_on=utcnow().date() + timedelta(days=1),
    )  # fmt: skip
    r = _incoming(b, no_show)
    receiving.receiver_step(b.uow, b.people["clin"], r.id, "no_show", expected_version=r.version)
    assert _at_a(a, no_show) == ("requested", "sent")  # nothing pushed
    assert not delivery.poll(a.uow, Operator("ops")).failed
    assert _at_a(a, no_show) == ("accepted", "no_show")
    with a.reads() as reads:
        due = worklist.due_referrals(a.uow, a.people["clin"], reads)
    assert any(d.referral.referral_id == no_show and "no_show" in d.reasons for d in due)

    _step(b, declined, "decline", reason="no group places this term")
    assert _at_a(a, declined) == ("rejected", "declined_by_receiver")
    with a.uow as uow:
        last = uow.session.get(Referral, declined).events[-1]  # type: ignore[union-attr]
        assert last.note == "no group places this term"


def test_no_token_a_wrong_one_or_a_revoked_partner_writes_nothing(two: tuple) -> None:
    a, b, ids = two
    referral_id = _send(a, "a first one, to have a Bundle")
    bundle = _incoming(b, referral_id).payload
    bundle["entry"][0]["resource"]["id"] = "9999"
    referrals, audits = b.count(Referral), b.count(AuditEntry)
    for token in (None, "rwp_not_a_token", ""):
        status, answer = _post(f"{b.url}/fhir/r4/Bundle", bundle, token)
        assert status == 401
        assert answer["resourceType"] == "OperationOutcome"
        assert answer["issue"][0]["code"] == "login"
    status, answer = _post(f"{b.url}/fhir/r4/Task/1", None, None, method="GET")
    assert (status, answer["resourceType"]) == (401, "OperationOutcome")
    partners.revoke_partner(b.uow, Operator("ops"), ids["a_at_b"])
    referrals_after_revoke, audits_after_revoke = b.count(Referral), b.count(AuditEntry)
    assert referrals_after_revoke == referrals
    assert audits_after_revoke == audits + 1  # the revocation itself, nothing of the requests
    later = _send_undelivered(a, "after the revocation")
    assert b.count(Referral) == referrals
    assert b.count(AuditEntry) == audits_after_revoke
    with a.uow as uow:
        assert uow.session.get(Referral, later).remote_id is None  # type: ignore[union-attr]
    # A's poll tries again, and is refused again: still nothing at B.
    report = delivery.poll(a.uow, Operator("ops"))
    assert sorted(d.referral_id for d in report.failed) == sorted([referral_id, later])
    assert b.count(Referral) == referrals


def _send_undelivered(a: PracticeAtEnd, reason: str) -> int:
    clin = a.people["clin"]
    assert a.client_id is not None
    assert a.entry_id is not None
    view = opening.open_referral(a.uow, clin, a.client_id, reason=reason, entry_ids=[a.entry_id])
    view = opening.choose_options(
        a.uow, clin, view.referral_id, [view.options[0].option_id], expected_version=view.version
    )
    view = sending.send_referral(a.uow, clin, view.referral_id, expected_version=view.version)
    done = delivery.deliver(a.uow, clin, view.referral_id)
    assert not done.ok
    assert "401" in done.why
    return view.referral_id


def _withdraw(a: PracticeAtEnd, referral_id: int) -> None:
    with a.uow as uow:
        version = uow.session.get(Referral, referral_id).version  # type: ignore[union-attr]
    transitions.record_transition(
        a.uow, a.people["clin"], referral_id, "cancelled", "withdrawn", expected_version=version
    )


def _events_at_b(b: PracticeAtEnd, remote: int) -> list[tuple[str, str, str, str]]:
    with b.uow as uow:
        r = uow.session.scalar(select(Referral).where(Referral.remote_id == str(remote)))
        assert r is not None
        return [(e.to_status, e.business_status, e.side, e.actor_kind) for e in r.events]


def _versions(end: PracticeAtEnd) -> dict[int, tuple[int, str, str]]:
    with end.uow as uow:
        rows = uow.session.scalars(select(Referral)).all()
        return {r.id: (r.version, r.status, r.business_status) for r in rows}


def test_the_senders_withdrawal_reaches_the_receiver_by_push_or_by_its_poll(two: tuple) -> None:
    a, b, _ = two
    pushed = _send(a, "withdrawn, and the withdrawal pushed")
    polled = _send(a, "withdrawn, the push missed")
    lagging = _send(a, "acknowledged at B, A not told yet")
    for remote in (pushed, polled):
        _step(b, remote, "acknowledge")
    r = _incoming(b, lagging)  # B's step, not pushed: A's copy is behind B's
    receiving.receiver_step(b.uow, b.people["sup"], r.id, "acknowledge", expected_version=r.version)
    clients_at_b = b.count(Client)
    with b.reads() as reads:
        assert len(worklist.inbox(b.uow, b.people["sup"], reads)) == 3

    # The web's path: the sender's step commits, then its Task is pushed to B.
    _withdraw(a, pushed)
    done = delivery.push_task(a.uow, a.people["clin"], pushed)
    assert done.ok, done.why
    assert _incoming(b, pushed).status == "cancelled"

    # The push missed (B down, or the change made where nothing pushes): B's poll hears it.
    _withdraw(a, polled)
    assert (_incoming(b, polled).status, _incoming(b, polled).business_status) == (
        "received", "acknowledged",
    )  # fmt: skip
    at_a = _versions(a)
    report = delivery.poll(b.uow, Operator("ops"))
    assert not report.failed, [d.why for d in report.failed]
    assert report.delivered == []
    steps = {d.referral_id: d.steps for d in report.read}
    assert steps == {_incoming(b, polled).id: 1, _incoming(b, lagging).id: 0}
    assert _versions(a) == at_a  # B's poll only reads at A

    for remote in (pushed, polled):
        r = _incoming(b, remote)
        assert (r.status, r.business_status, r.client_id) == ("cancelled", "withdrawn", None)
        assert r.closed_at is not None
        assert _events_at_b(b, remote) == [
            ("requested", "sent", "sender", "partner_practice"),
            ("received", "acknowledged", "receiver", "user"),
            ("cancelled", "withdrawn", "sender", "partner_practice"),
        ]
        with b.uow as uow:
            audited = [
                e.actor_kind
                for e in uow.session.scalars(
                    select(AuditEntry)
                    .where(AuditEntry.action == AuditAction.REFERRAL_STATUS.value)
                    .order_by(AuditEntry.id)
                )
                if e.target_ids == [r.id]
            ]
        assert audited == ["user", "partner_practice"]
    # B's own step A had not heard of is left as it was: the sender's copy is not followed back.
    assert _events_at_b(b, lagging)[-1] == ("received", "acknowledged", "receiver", "user")
    with b.reads() as reads:
        waiting = worklist.inbox(b.uow, b.people["sup"], reads)
    assert [v.referral_id for v in waiting] == [_incoming(b, lagging).id]
    assert b.count(Client) == clients_at_b
    assert _at_a(a, pushed) == _at_a(a, polled) == ("cancelled", "withdrawn")
    # Closed at both ends: polled no more, from either.
    assert [d.referral_id for d in delivery.poll(b.uow, Operator("ops")).read] == [
        _incoming(b, lagging).id
    ]
    assert [d.referral_id for d in delivery.poll(a.uow, Operator("ops")).read] == [lagging]


def test_a_referral_sent_while_the_partner_is_down_is_pending_until_a_poll_delivers_it(
    two: tuple,
) -> None:
    a, b, _ = two
    clin, ops = a.people["clin"], Operator("ops")
    b.stop()
    referral_id = _sent(a, "sent while B is down")
    done = delivery.deliver(a.uow, clin, referral_id)
    assert not done.ok
    assert "unreachable" in done.why

    def pending() -> tuple[bool, list[bool]]:
        with a.reads() as reads:
            view = worklist.get_referral(a.uow, clin, referral_id, reads)
            rows = overview.open_referrals(a.uow, clin, reads, today=utcnow().date())
        return view.delivery_pending, [r.delivery_pending for r in rows]

    assert pending() == (True, [True])
    report = delivery.poll(a.uow, ops)  # still down: tried, and still pending
    assert [(d.referral_id, d.ok) for d in report.delivered] == [(referral_id, False)]
    assert pending() == (True, [True])

    b.start()
    assert b.count(Referral) == 0
    report = delivery.poll(a.uow, ops)
    assert not report.failed, [d.why for d in report.failed]
    assert [(d.referral_id, d.ok) for d in report.delivered] == [(referral_id, True)]
    incoming = _incoming(b, referral_id)
    assert (incoming.direction, incoming.status, incoming.reason) == (
        "incoming", "requested", "sent while B is down",
    )  # fmt: skip
    with a.uow as uow:
        assert uow.session.get(Referral, referral_id).remote_id == str(incoming.id)  # type: ignore[union-attr]
    assert pending() == (False, [False])
    assert _at_a(a, referral_id) == ("requested", "sent")
    # Delivered once: the next poll reads B's Task instead of posting again.
    report = delivery.poll(a.uow, ops)
    assert report.delivered == []
    assert [(d.referral_id, d.ok) for d in report.read] == [(referral_id, True)]
    assert b.count(Referral) == 1
