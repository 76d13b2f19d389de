"""A referral sent to a partner practice that could not be reached yet (no Task id of the
partner's kept) says so on its page and on the worklist, until a delivery succeeds. Both
backends."""

from __future__ import annotations

import hashlib

from fastapi import FastAPI
from sqlalchemy import Engine

from referwell.db.engine import make_session_factory
from referwell.db.referrals.models import Partner, Referral

from .conftest import sign_in
from .seed import Seeded

PENDING = 'id="delivery-pending"'


def _to_partner(engine: Engine, referral_id: int, *, remote_id: str | None) -> None:
    with make_session_factory(engine)() as session:
        referral = session.get(Referral, referral_id)
        assert referral is not None
        partner = Partner(
            practice_id=referral.practice_id,
            name="Partner Practice (test)",
            base_url="http://127.0.0.1:9",
            entry_external_ids=[],
            outbound_token="their-secret-token-for-us",
            inbound_token_hash=hashlib.sha256(b"rwp_test_pending").hexdigest(),
            created_by="test",
        )
        session.add(partner)
        session.flush()
        referral.partner_id = partner.id
        referral.remote_id = remote_id
        session.commit()


def _set_remote(engine: Engine, referral_id: int, remote_id: str | None) -> None:
    with make_session_factory(engine)() as session:
        referral = session.get(Referral, referral_id)
        assert referral is not None
        referral.remote_id = remote_id
        session.commit()


def test_an_undelivered_referral_says_its_delivery_is_pending(
    app: FastAPI, seeded: Seeded, engine: Engine
) -> None:
    clin = sign_in(app, "clin")
    page = f"/clients/{seeded.clients['ex01']}/referrals/{seeded.referral_id}"
    before = clin.get(page)
    assert before.status_code == 200
    assert PENDING not in before.text  # to no partner: nothing to deliver

    _to_partner(engine, seeded.referral_id, remote_id=None)
    shown = clin.get(page)
    assert shown.status_code == 200
    assert PENDING in shown.text
    assert "Partner Practice (test)" in shown.text.split(PENDING, 1)[1][:400]
    listed = clin.get("/referrals").text
    row = listed.split(f'data-referral="{seeded.referral_id}"', 1)[1].split("</tr>", 1)[0]
    assert "not delivered yet" in row

    _set_remote(engine, seeded.referral_id, "77")  # the partner's Task id: delivered
    assert PENDING not in clin.get(page).text
    row = clin.get("/referrals").text.split(f'data-referral="{seeded.referral_id}"', 1)[1]
    assert "not delivered yet" not in row.split("</tr>", 1)[0]
