"""The admin's page of partner practices: add one (our token for it shown once), revoke one.

The token a partner issued to us is typed in once and never shown again (a password field;
neither the page nor a log echoes it)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from referwell.db.ids import record_id
from referwell.domain.errors import MISSING, FieldError, InvalidInput
from referwell.services.errors import NotFound
from referwell.services.referrals import partners
from referwell.web.guard import access, moment
from referwell.web.rendering import flash, render
from referwell.web.state import web_state


def _page(
    request: Request,
    *,
    status: int = 200,
    errors: Mapping[str, Sequence[str]] | None = None,
    values: Mapping[str, Any] | None = None,
    issued: partners.NewPartner | None = None,
) -> Response:
    state = web_state(request)
    return render(
        request,
        "admin_partners.html",
        {
            "partners": partners.list_partners(state.uow(), access(request).actor),
            "errors": errors or {},
            "values": values or {},
            "issued": issued,
        },
        status_code=status,
    )


def partners_page(request: Request) -> Response:
    return _page(request)


def add(request: Request) -> Response:
    found = access(request)
    values = {
        "name": found.field("name"),
        "base_url": found.field("base_url"),
        "entry_external_ids": found.field("entry_external_ids"),
    }
    ids = [part for line in values["entry_external_ids"].splitlines() for part in line.split(",")]
    try:
        made = partners.add_partner(
            web_state(request).write_uow(),
            found.actor,
            name=values["name"],
            base_url=values["base_url"],
            entry_external_ids=ids,
            outbound_token=found.field("outbound_token"),
            now=moment(),
        )
    except InvalidInput as refused:
        grouped: dict[str, list[str]] = {}
        for error in refused.errors:
            grouped.setdefault(error.path, []).append(error.message)
        return _page(request, status=422, errors=grouped, values=values)
    # Our token for the partner: shown in this answer only, never in a redirect or a log.
    return _page(request, issued=made)


def revoke(request: Request) -> Response:
    found = access(request)
    wanted = record_id(found.field("partner_id"))
    if wanted is None:
        raise InvalidInput(
            [FieldError("partner_id", "name the partner to revoke", kind=MISSING)], "form"
        )
    try:
        done = partners.revoke_partner(
            web_state(request).write_uow(), found.actor, wanted, now=moment()
        )
    except NotFound:
        flash(request, "No such partner.")
    else:
        flash(request, f"{done.name} revoked: its token is refused from now on.")
    return RedirectResponse(request.app.url_path_for("admin_partners"), status_code=303)
