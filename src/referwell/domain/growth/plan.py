"""The growth plan: which needs a clinician referred out most, and what training would let them
serve such clients, with the hours and supervision that route usually takes.

The tally reads the referral needs of stored assessments (`referral_needs`); a client
counts once per service however many assessments named it. A need is trainable when its
code is a competency with a minimum of evidence (`minimums.DEFAULT_MINIMUMS`); the others
(psychiatry, primary care, a neuropsychological assessment, a programme) stay referrals
whatever the clinician learns, and the plan says so.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Final

from referwell.domain.growth.minimums import DEFAULT_MINIMUMS, Minimum


@dataclass(frozen=True, slots=True)
class GrowthPath:
    """What a clinician would take to serve clients with this need: the training, in words,
    and the other competencies that serve the same clients."""

    training: str
    also: tuple[str, ...] = ()


_PATHS: Final[dict[str, GrowthPath]] = {
    "dbt": GrowthPath("DBT intensive training (at least 40 hours of teaching) and a year on a "
                      "DBT consultation team", ("mbt", "tfp", "schema_therapy")),
    "mbt": GrowthPath("MBT basic training (3 days) and supervised MBT cases"),
    "tfp": GrowthPath("TFP training and supervised TFP cases"),
    "schema_therapy": GrowthPath("schema therapy training accredited by the ISST, with "
                                 "individual supervision"),
    "trauma_focused": GrowthPath("TF-CBT: the TF-CBTWeb course, a 2-day live training and 12 "
                                 "consultation calls", ("cpt", "pe", "emdr")),
    "cpt": GrowthPath("a 2-day CPT workshop and about 6 months of case consultation"),
    "pe": GrowthPath("a 4-day PE workshop and supervised PE cases"),
    "emdr": GrowthPath("EMDRIA-approved EMDR basic training: teaching, supervised practicum "
                       "and consultation"),
    "erp": GrowthPath("ERP training such as the IOCDF's Behavior Therapy Training Institute, "
                      "with supervised exposure cases"),
    "eating_disorders": GrowthPath("eating disorder training and supervised cases",
                                   ("family_based_treatment",)),
    "family_based_treatment": GrowthPath("a 2-day FBT workshop and supervised FBT cases"),
    "addiction": GrowthPath("addiction counselling education and supervised practice"),
    "psychosis": GrowthPath("CBT for psychosis training and supervised cases"),
    "bipolar": GrowthPath("training in psychotherapy for bipolar disorder (such as "
                          "interpersonal and social rhythm therapy) and supervised cases"),
    "dissociative": GrowthPath("the ISSTD's Professional Training Program and supervised cases"),
    "suicide_prevention": GrowthPath("a suicide-risk assessment and management workshop "
                                     "(AMSR, CAMS)"),
    "children": GrowthPath("child therapy training and supervised child cases"),
    "adolescents": GrowthPath("adolescent therapy training and supervised adolescent cases"),
    "couples": GrowthPath("couples therapy training (Gottman Levels 1 and 2, or an EFT "
                          "externship) and supervised couples cases", ("gottman", "eft")),
    "family": GrowthPath("family therapy training and supervised family cases"),
    "gottman": GrowthPath("the Gottman Institute's Level 1 and Level 2 trainings"),
    "eft": GrowthPath("the EFT externship and supervised EFT cases"),
}  # fmt: skip
PATHS: Final[Mapping[str, GrowthPath]] = MappingProxyType(_PATHS)


def path_for(need: str) -> GrowthPath | None:
    """The training route that serves `need`; None when no psychotherapy training does
    (the need stays a referral) or the need is therapy itself."""
    default = DEFAULT_MINIMUMS.get(need)
    if default is None or default.minimum is None or default.minimum.none_needed:
        return None
    return PATHS.get(need) or GrowthPath("training and supervised cases in this area")


@dataclass(frozen=True, slots=True)
class NeedCount:
    """How many clients needed a referral for `service`, and how many of them only alongside
    this therapy (adjunct)."""

    service: str
    clients: int
    adjunct_only: int


def tally_needs(assessments: Iterable[tuple[int, Iterable[Mapping[str, Any]]]]) -> list[NeedCount]:
    """(client id, referral needs of one stored assessment) pairs into counts per service: a
    client counts once per service; most clients first, then by service code."""
    clients: dict[str, set[int]] = {}
    transfers: dict[str, set[int]] = {}
    for client_id, needs in assessments:
        for need in needs:
            service = need.get("service")
            if not isinstance(service, str):
                continue
            clients.setdefault(service, set()).add(client_id)
            if not need.get("adjunct", False):
                transfers.setdefault(service, set()).add(client_id)
    counts = [
        NeedCount(service, len(ids), len(ids - transfers.get(service, set())))
        for service, ids in clients.items()
    ]
    return sorted(counts, key=lambda count: (-count.clients, count.service))


@dataclass(frozen=True, slots=True)
class PlanRow:
    """One need of the plan: how many clients, and the route to serving them (None: it stays
    a referral), with the practice's minimum for it."""

    need: NeedCount
    path: GrowthPath | None
    minimum: Minimum | None

    @property
    def another_profession(self) -> bool:
        """A need no psychotherapy training serves: a profession or a programme of its own."""
        default = DEFAULT_MINIMUMS.get(self.need.service)
        return self.path is None and (default is None or default.minimum is None)


def plan_rows(counts: Iterable[NeedCount], minimums: Mapping[str, Minimum | None]) -> list[PlanRow]:
    """The plan's rows, trainable needs first (most clients first), then the rest."""
    rows = [
        PlanRow(count, path_for(count.service), minimums.get(count.service)) for count in counts
    ]
    return sorted(rows, key=lambda row: row.path is None)


def paths_markdown() -> str:
    """The plan's table of routes as Markdown, for docs/growth.md (a test keeps it fresh)."""
    from referwell.domain.labels import label

    lines = [
        "| need | training route | also serve these clients | training hours | supervised hours |",
        "|---|---|---|---|---|",
    ]
    for need in DEFAULT_MINIMUMS:
        path = path_for(need)
        default = DEFAULT_MINIMUMS[need].minimum
        if path is None or default is None:
            continue
        also = ", ".join(f"`{code}`" for code in path.also)
        lines.append(
            f"| `{need}` ({label('competency', need)}) | {path.training} | {also} | "
            f"{default.training_hours:g} | {default.supervised_hours:g} |"
        )
    return "\n".join(lines)
