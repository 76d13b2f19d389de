"""`referwell directory search`: the options for one need, or for every referral need of a
case, from the directory in the database."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from referwell.cli.common import (
    DatabaseOption,
    database_url,
    err,
    fail,
    operator,
    out,
    refuse,
    require_head,
    unit_of_work,
)
from referwell.domain.errors import InvalidInput

if TYPE_CHECKING:
    from referwell.domain.directory.matching import Options


# What each hard filter left out, in words.
LEFT_OUT = {
    "financial_conflict": "with a payment for referrals on record",
    "age": "not serving this age",
    "intake": "not taking new clients",
    "reach": "out of reach",
}


class SearchFormat(StrEnum):
    text = "text"
    json = "json"


def search(
    service: Annotated[
        list[str] | None,
        typer.Option(
            "--service",
            help="A service code the option must offer (dbt, psychiatry …); repeat for several, all offered by one option.",
            metavar="CODE",
        ),
    ] = None,
    age: Annotated[int | None, typer.Option("--age", help="The client's age.", metavar="N")] = None,
    postal_code: Annotated[
        str | None,
        typer.Option(
            "--postal-code",
            help="The client's US ZIP code: where distances are measured from.",
            metavar="ZIP",
        ),
    ] = None,
    state: Annotated[
        str | None,
        typer.Option(
            "--state",
            help="The client's state for telehealth licensing (default: the ZIP code's).",
            metavar="ST",
        ),
    ] = None,
    insurance: Annotated[
        list[str] | None,
        typer.Option(
            "--insurance", help="A payer code the client has; repeat for several.", metavar="CODE"
        ),
    ] = None,
    language: Annotated[
        list[str] | None,
        typer.Option(
            "--language",
            help="A language the client speaks (ISO 639-1); repeat for several.",
            metavar="CODE",
        ),
    ] = None,
    telehealth: Annotated[
        bool, typer.Option("--telehealth", help="The client accepts telehealth.")
    ] = False,
    include_waitlist: Annotated[
        bool,
        typer.Option(
            "--include-waitlist",
            help="Entries with a waitlist may be options (never for an urgent need).",
        ),
    ] = False,
    max_distance_km: Annotated[
        float,
        typer.Option(
            "--max-distance-km", help="How far the client can go in person, in km.", metavar="N"
        ),
    ] = 40.0,
    k: Annotated[int, typer.Option("--k", help="How many options.", metavar="N")] = 10,
    case: Annotated[
        Path | None,
        typer.Option(
            "--case",
            help="A case file: match every referral need of its assessment, with what it says of the client.",
            metavar="FILE",
        ),
    ] = None,
    output: Annotated[
        SearchFormat,
        typer.Option(
            "--format",
            "-f",
            help="text: the options in words; json: referwell.options/1 (with --case, one object a question).",
            metavar="FORMAT",
        ),
    ] = SearchFormat.text,
    database: DatabaseOption = None,
) -> None:
    """Search the directory: the best options for a need, why each fits and what is uncertain.

    Give the need (--service, --age, --postal-code …), or --case FILE to answer every
    referral need of a case: the transfer needs together, each adjunct need alone, and
    crisis with crisis resources (988 and local crisis services), never a referral list.
    Entries left out by a hard filter are counted under it; those with a payment for
    referrals are never shown.
    """
    from referwell.services.directory.search import query_for, search_directory

    url = database_url(database)
    if case is not None:
        if service or age is not None or postal_code or insurance or language or telehealth:
            fail(
                "--case: the case says the need and the client; give no --service, --age, --postal-code, --insurance, --language or --telehealth with it"
            )
        found = _case(url, case, state, include_waitlist, max_distance_km, k)
        if output is SearchFormat.json:
            sys.stdout.write(json.dumps(found.as_list(), indent=2, ensure_ascii=False) + "\n")
        else:
            _print_case(found)
        return
    if not service or age is None:
        fail(
            "give --service and --age (and --postal-code or --telehealth with --state), or --case FILE"
        )
    try:
        query = query_for(
            service,
            age=age,
            postal_code=postal_code,
            state=state,
            insurance=insurance or (),
            languages=language or (),
            telehealth=telehealth,
            include_waitlist=include_waitlist,
            max_distance_km=max_distance_km,
            k=k,
        )
    except InvalidInput as exc:
        refuse(_options_named(exc))
    if query.latitude is None and not (telehealth and query.state):
        fail("--postal-code: give the client's ZIP code (or --telehealth with --state)")
    require_head(url)
    options = search_directory(unit_of_work(url), operator(), query)
    if output is SearchFormat.json:
        sys.stdout.write(json.dumps(options.as_dict(), indent=2, ensure_ascii=False) + "\n")
    else:
        _print_options(options)


def _options_named(exc: InvalidInput) -> InvalidInput:
    """The form's field names as the command's options."""
    from referwell.domain.errors import FieldError

    names = {"max_distance_km": "--max-distance-km", "postal_code": "--postal-code", "k": "--k"}
    return InvalidInput(
        [
            FieldError(names.get(e.path, f"--{e.path.replace('_', '-')}"), e.message)
            for e in exc.errors
        ]
    )


def _case(url: str, path: Path, state: str | None, waitlist: bool, km: float, k: int) -> Any:
    from referwell.domain.assessment import assess_case
    from referwell.domain.caseformat import parse_case
    from referwell.services.caseio import read_path
    from referwell.services.directory.search import search_case

    try:
        parsed = parse_case(read_path(path))
    except InvalidInput as exc:
        refuse(exc, str(path))
    needs = [need.as_dict() for need in assess_case(parsed).referral_needs]
    require_head(url)
    found = search_case(
        unit_of_work(url), operator(), parsed, needs,
        include_waitlist=waitlist, max_distance_km=km, k=k, state=state,
    )  # fmt: skip
    if parsed.client.postal_code and not found.place.known:
        err.print(
            f"client.postal_code: {parsed.client.postal_code} is not a US ZIP code we know; "
            "no distance can be measured",
            markup=False,
            soft_wrap=True,
        )
    elif not parsed.client.postal_code:
        err.print("client.postal_code: not given; no distance can be measured", markup=False)
    return found


def _print_options(options: Options, indent: str = "") -> None:
    from referwell.domain.directory.matching import FILTERS

    if not options.options:
        out.print(f"{indent}No options.", markup=False)
    for number, option in enumerate(options.options, 1):
        where = f"{option.distance_km:.1f} km" if option.distance_km is not None else "telehealth"
        out.print(
            f"{indent}{number}. {option.entry.name} ({option.entry.entry_id}), {where}, "
            f"score {option.score}",
            markup=False,
            soft_wrap=True,
        )
        for note in option.fits:
            out.print(f"{indent}   fits: {note.text}", markup=False, soft_wrap=True)
        for note in option.uncertain:
            out.print(f"{indent}   uncertain: {note.text}", markup=False, soft_wrap=True)
    left = [f"{options.excluded.get(name, 0)} {LEFT_OUT[name]}" for name in FILTERS]
    out.print(f"{indent}Left out: {', '.join(left)}.", markup=False, soft_wrap=True)


def _print_case(found: Any) -> None:
    from referwell.domain.labels import label

    if not found.answers and found.crisis is None:
        out.print("No referral is needed now.", markup=False)
    for answer in found.answers:
        services = ", ".join(label("service", c) for c in sorted(answer.question.services))
        kind = "alongside this therapy" if answer.question.adjunct else "transfer of care"
        out.print(f"{services} ({kind}):", markup=False)
        _print_options(answer.options, "  ")
    if found.crisis is not None:
        resources = found.crisis.as_dict()
        out.print("Crisis resources:", markup=False)
        for resource in resources["national"]:
            out.print(
                f"  {resource['name']}: {resource['how']} ({resource['hours']})", markup=False
            )
        for local in resources["local"]:
            out.print(
                f"  {local['name']} ({local['entry_id']}), {local['distance_km']} km", markup=False
            )
