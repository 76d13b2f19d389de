"""`referwell partners`: the partner practices a practice exchanges referrals with.

The operator adds a partner for a practice (its name, base URL, the directory entries it
answers for, and the token the partner issued to this practice, read from a prompt or
standard input so that it stays out of the shell's history), revokes one, or lists them.
Adding one prints, once, the token this practice issues to the partner: give it to them.
Each is audited with the operator's login (`partner:create`, `partner:revoke`).
"""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from referwell.cli.common import (
    DatabaseOption,
    database_url,
    fail,
    operator,
    out,
    refuse,
    require_head,
    unit_of_work,
)
from referwell.cli.helpstyle import App
from referwell.domain.errors import InvalidInput

partners_app = App(help="Partner practices: other referwell practices to exchange referrals with.")


@partners_app.command("add")
def add(
    name: Annotated[str, typer.Option("--name", help="The partner practice's name.")],
    base_url: Annotated[
        str,
        typer.Option(
            "--url", help="The address of its referwell, e.g. https://referwell.example.org."
        ),
    ],
    entries: Annotated[
        list[str],
        typer.Option(
            "--entry",
            help="A directory entry (its external id) the partner answers for; repeat for several.",
            metavar="ID",
        ),
    ],
    practice: Annotated[
        int, typer.Option("--practice", help="The number of the practice that keeps the partner.")
    ],
    token_stdin: Annotated[
        bool,
        typer.Option(
            "--token-stdin",
            help="Read the token the partner issued to this practice from standard input "
            "(else it is asked for, without echo; empty when it has not issued one yet: "
            "`partners set-token` later).",
        ),
    ] = False,
    database: DatabaseOption = None,
) -> None:
    """Add a partner practice, and print once the token this practice issues to it.

    The token the partner issued to this practice is kept secret: it is never printed
    again. Bad input is refused with each field named (exit status 2); nothing is written.
    """
    from referwell.services.referrals.partners import add_partner

    if token_stdin:
        outbound = sys.stdin.readline().strip()
    else:
        outbound = typer.prompt(
            "The token the partner issued to this practice (empty: not yet)",
            hide_input=True,
            default="",
            show_default=False,
        )
    url = database_url(database)
    require_head(url)
    try:
        made = add_partner(
            unit_of_work(url),
            operator(),
            name=name,
            base_url=base_url,
            entry_external_ids=entries,
            outbound_token=outbound,
            practice_id=practice,
        )
    except InvalidInput as exc:
        refuse(exc)
    out.print(f"partner {made.partner.partner_id} added: {made.partner.name}", markup=False)
    out.print("Give the partner this token (shown once; only its hash is kept):", markup=False)
    sys.stdout.write(made.inbound_token + "\n")


@partners_app.command("set-token")
def set_token(
    partner_id: Annotated[int, typer.Argument(help="The partner's number.", metavar="ID")],
    token_stdin: Annotated[
        bool,
        typer.Option("--token-stdin", help="Read the token from standard input (else a prompt)."),
    ] = False,
    database: DatabaseOption = None,
) -> None:
    """Keep the token a partner issued to this practice (when it was added before it had one)."""
    from referwell.services.errors import NotFound
    from referwell.services.referrals.partners import set_partner_token

    if token_stdin:
        token = sys.stdin.readline().strip()
    else:
        token = typer.prompt("The token the partner issued to this practice", hide_input=True)
    url = database_url(database)
    require_head(url)
    try:
        done = set_partner_token(unit_of_work(url), operator(), partner_id, token)
    except InvalidInput as exc:
        refuse(exc)
    except NotFound:
        fail(f"no active partner {partner_id}")
    out.print(f"partner {done.partner_id}: token kept", markup=False)


@partners_app.command("revoke")
def revoke(
    partner_id: Annotated[int, typer.Argument(help="The partner's number.", metavar="ID")],
    database: DatabaseOption = None,
) -> None:
    """Revoke a partner: its token is refused from now on (its record stays)."""
    from referwell.services.errors import NotFound
    from referwell.services.referrals.partners import revoke_partner

    url = database_url(database)
    require_head(url)
    try:
        done = revoke_partner(unit_of_work(url), operator(), partner_id)
    except NotFound:
        fail(f"no partner {partner_id}")
    out.print(f"partner {done.partner_id} revoked: {done.name}", markup=False)


@partners_app.command("list")
def list_command(
    practice: Annotated[
        int | None, typer.Option("--practice", help="Only this practice's partners.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="A JSON list instead of lines.")] = False,
    database: DatabaseOption = None,
) -> None:
    """List partner practices (never a token)."""
    from referwell.services.referrals.partners import list_partners

    url = database_url(database)
    require_head(url)
    rows = list_partners(unit_of_work(url), operator(), practice_id=practice)
    if as_json:
        sys.stdout.write(
            json.dumps(
                [
                    {
                        "partner_id": p.partner_id,
                        "practice_id": p.practice_id,
                        "name": p.name,
                        "base_url": p.base_url,
                        "entries": list(p.entry_external_ids),
                        "revoked_at": p.revoked_at.isoformat() if p.revoked_at else None,
                    }
                    for p in rows
                ],
                indent=2,
            )
            + "\n"
        )
        return
    for p in rows:
        state = f"revoked {p.revoked_at:%Y-%m-%d}" if p.revoked_at else "active"
        out.print(
            f"{p.partner_id}\tpractice {p.practice_id}\t{p.name}\t{p.base_url}\t"
            f"{','.join(p.entry_external_ids)}\t{state}",
            markup=False,
        )
