"""An assessment's referral needs as questions to the directory.

The transfer needs go together: one clinician or program must offer all of them (`dbt`
for an adolescent is one question: DBT, for a client of 15). Each adjunct need is a
question of its own (primary care alongside therapy). `crisis` never opens a referral
list: it is answered with crisis resources (988, and local crisis services).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

CRISIS: Final = "crisis"
CRISIS_FORMAT: Final = "referwell.crisis_resources/1"


@dataclass(frozen=True, slots=True)
class NeedQuestion:
    """The services one option must offer, for which needs, and how urgent."""

    services: frozenset[str]
    because: tuple[str, ...]
    adjunct: bool
    urgent: bool

    @property
    def key(self) -> str:
        """A stable name for the question: its services, sorted, joined by `+`."""
        return "+".join(sorted(self.services))


def questions(needs: Iterable[Mapping[str, Any]]) -> tuple[list[NeedQuestion], bool]:
    """(the questions to ask the directory, whether crisis resources are needed) for the
    `referral_needs` of an assessment (`service`, `because`, `urgency`, `adjunct`)."""
    transfer: list[Mapping[str, Any]] = []
    out: list[NeedQuestion] = []
    crisis = False
    for need in needs:
        if need["service"] == CRISIS:
            crisis = True
        elif need.get("adjunct"):
            out.append(
                NeedQuestion(
                    frozenset({need["service"]}),
                    (str(need["because"]),),
                    adjunct=True,
                    urgent=need.get("urgency") == "urgent",
                )
            )
        else:
            transfer.append(need)
    if transfer:
        out.insert(
            0,
            NeedQuestion(
                frozenset(need["service"] for need in transfer),
                tuple(dict.fromkeys(str(need["because"]) for need in transfer)),
                adjunct=False,
                urgent=any(need.get("urgency") == "urgent" for need in transfer),
            ),
        )
    return out, crisis


# The crisis resources every answer for `crisis` gives, before any local service.
NATIONAL_CRISIS_RESOURCES: Final = (
    {
        "name": "988 Suicide & Crisis Lifeline",
        "how": "call or text 988, or chat at 988lifeline.org; veterans press 1",
        "hours": "any time",
    },
    {"name": "Crisis Text Line", "how": "text HOME to 741741", "hours": "any time"},
    {
        "name": "Emergency services",
        "how": "call 911 when someone is in danger now",
        "hours": "any time",
    },
)
