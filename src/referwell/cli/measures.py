"""`referwell measures`: score an administration, compute a reliable change index."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from referwell.cli.common import out, refuse
from referwell.cli.helpstyle import App
from referwell.domain.errors import InvalidInput

measures_app = App(
    help="Score questionnaires (PHQ-9, GAD-7, PHQ-15, PCL-5; and ProQOL-5, a clinician's own "
    "check-in) and reliable change."
)


@measures_app.command("score")
def score_command(
    instrument: Annotated[
        str,
        typer.Argument(
            help="PHQ-9, GAD-7, PHQ-15 or PCL-5; or ProQOL-5, the clinician's own check-in "
            "(30 answers from 1 to 5), which is not part of any case."
        ),
    ],
    items: Annotated[
        str, typer.Argument(help="The item answers, comma-separated: 1,2,0,3,1,0,2,1,0.")
    ],
    output: Annotated[
        str, typer.Option("--format", "-f", help="text or json.", metavar="FORMAT")
    ] = "text",
) -> None:
    """Score one administration: total, severity band, caseness and the instrument's flags.

    ProQOL-5 gives its three sums instead (compassion satisfaction, burnout with items 1, 4,
    15, 17 and 29 reversed, secondary traumatic stress), each 10 to 50 with its level: low
    (22 or less), moderate (23 to 41) or high (42 or more). Bad answers exit 2 and name the
    item and the valid range.
    """
    from referwell.domain.growth.proqol import is_proqol
    from referwell.domain.measures.scoring import parse_answers, score

    if is_proqol(instrument):
        _score_proqol(parse_answers(items), output)
        return
    try:
        result = score(instrument, parse_answers(items))
    except InvalidInput as exc:
        refuse(exc)
    if output == "json":
        sys.stdout.write(json.dumps(result.as_dict()) + "\n")
        return
    out.print(f"{result.instrument}: total {result.total} of {result.total_max}", markup=False)
    out.print(f"severity: {result.severity or '— (no bands for this instrument)'}", markup=False)
    out.print(f"caseness: {'yes' if result.caseness else 'no'}", markup=False)
    if "item9" in result.flags:
        flag = " — ask about suicidal thoughts now" if result.flags["item9_positive"] else ""
        out.print(f"item 9: {result.flags['item9']}{flag}", markup=False)
    if "medium_or_high" in result.flags:
        out.print(
            "somatic burden medium or high: "
            + ("yes — argues for a medical evaluation" if result.flags["medium_or_high"] else "no"),
            markup=False,
        )


def _score_proqol(answers: list[object], output: str) -> None:
    from referwell.domain.growth.proqol import CODE, score_proqol

    try:
        scores = score_proqol(answers)
    except InvalidInput as exc:
        refuse(exc)
    if output == "json":
        sys.stdout.write(json.dumps(scores.as_dict()) + "\n")
        return
    out.print(f"{CODE} (the clinician's own check-in)", markup=False)
    for subscale in scores.subscales:
        out.print(f"{subscale.name}: {subscale.score} of 50, {subscale.level}", markup=False)


@measures_app.command("rci")
def rci_command(
    first: Annotated[float, typer.Option(help="The first score.", metavar="SCORE")],
    latest: Annotated[float, typer.Option(help="The latest score.", metavar="SCORE")],
    sd: Annotated[
        float, typer.Option(help="The standard deviation of the first scores (s1).", metavar="SD")
    ],
    reliability: Annotated[
        float,
        typer.Option(help="The instrument's reliability r_xx (for example 0.89).", metavar="R"),
    ],
    output: Annotated[
        str, typer.Option("--format", "-f", help="text or json.", metavar="FORMAT")
    ] = "text",
) -> None:
    """Jacobson-Truax reliable change index: RC = (x2 − x1) / (√2 · s1 · √(1 − r_xx))."""
    from referwell.domain.errors import FieldError
    from referwell.domain.measures.outcomes import reliable_change_index

    errors = []
    if sd <= 0:
        errors.append(FieldError("--sd", f"must be greater than 0; got {sd}"))
    if not 0 <= reliability < 1:
        errors.append(
            FieldError("--reliability", f"must be at least 0 and below 1; got {reliability}")
        )
    if errors:
        refuse(InvalidInput(errors, what="rci"))
    rc = reliable_change_index(first, latest, sd, reliability)
    data = {
        "first": first,
        "latest": latest,
        "sd": sd,
        "reliability": reliability,
        "standard_error": round(rc.standard_error, 4),
        "s_diff": round(rc.s_diff, 4),
        "rci": round(rc.rci, 4),
        "reliable_change_points": round(rc.threshold, 4),
        "reliable": rc.reliable,
        "direction": rc.direction,
    }
    if output == "json":
        sys.stdout.write(json.dumps(data) + "\n")
        return
    out.print(
        f"RCI {data['rci']:+.2f} (SE {data['standard_error']}, S_diff {data['s_diff']}); "
        f"a change of {data['reliable_change_points']:.2f} points is reliable; "
        f"this change is {'reliable, a ' + rc.direction if rc.reliable else 'not reliable'}.",
        markup=False,
    )
