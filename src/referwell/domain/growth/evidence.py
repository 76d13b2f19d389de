"""Which claimed competencies count on a day, given their evidence and the practice's policy.

A clinician claims a competency (ticks it on the profile); the claim counts for the engine
(`clinician.competencies` of every case of theirs) when, on the case's day:

- a supervisor has verified it, or the operator attested it by importing cases that list it
  (neither is dated in its effect: it holds until withdrawn); or
- its minimum is none (0 and 0 hours: the general conditions, adults, psychotherapy …):
  the licence covers it; or, unless the practice counts verification only,
- a certification for the code is current (issued on or before the day, expiring on or
  after it: a certification counts through its expiry date, not after), or
- the training hours and the supervised hours dated on or before the day reach the
  practice's minimum for the code.

A claim that does not count is read as in training (`clinician.in_training`), which the
competence rules already answer: continue under supervision (`competence.in_training`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType
from typing import Final

from referwell.domain.growth.minimums import Minimum, default_minimum

# What counts, as a practice sets it.
VERIFIED_OR_EVIDENCE: Final = "verified_or_evidence"
VERIFIED_ONLY: Final = "verified_only"
COUNTS_WHEN: Final = (VERIFIED_OR_EVIDENCE, VERIFIED_ONLY)

# The kinds of evidence a claim carries.
TRAINING: Final = "training"
CERTIFICATION: Final = "certification"
SUPERVISED: Final = "supervised"
VERIFIED: Final = "verified"
ATTESTED: Final = "attested"
EVIDENCE_KINDS: Final = (TRAINING, CERTIFICATION, SUPERVISED, VERIFIED, ATTESTED)

# Why a claim counts, or does not (`Standing.because`).
BECAUSE_VERIFIED: Final = "verified"
BECAUSE_ATTESTED: Final = "attested"
BECAUSE_CERTIFIED: Final = "certified"
BECAUSE_EVIDENCE: Final = "evidence"
BECAUSE_LICENCE: Final = "licence"
BECAUSE_IN_TRAINING: Final = "in_training"

_EPSILON: Final = 1e-9


@dataclass(frozen=True, slots=True)
class Evidence:
    """One piece of evidence for a competency code.

    `on` is the day of a training, of supervised hours (the last of them), of a
    certification's issue, of a verification; `until` a certification's expiry (None:
    it does not expire); `hours` a training's or supervised hours' count; `by` who
    verified or attested it; `ref` the stored row's id (pages name it).
    """

    kind: str
    code: str
    hours: float = 0.0
    on: date | None = None
    until: date | None = None
    by: str = ""
    ref: int = 0


@dataclass(frozen=True, slots=True)
class CompetencePolicy:
    """A practice's rule of what counts: `counts_when`, and its minimums per code where they
    differ from the defaults (`minimums.DEFAULT_MINIMUMS`)."""

    counts_when: str = VERIFIED_OR_EVIDENCE
    overrides: Mapping[str, Minimum] = field(default_factory=lambda: MappingProxyType({}))

    def minimum(self, code: str) -> Minimum | None:
        """The minimum of evidence for `code` (None: only verification makes it count)."""
        return self.overrides.get(code) or default_minimum(code)

    @classmethod
    def from_stored(
        cls, counts_when: str | None, minimums: Mapping[str, Mapping[str, float]] | None
    ) -> CompetencePolicy:
        """A policy as stored (`competence_policies`); anything unknown falls back to the
        defaults, so a stored row can never stop the engine."""
        overrides = {
            code: Minimum(float(row["training_hours"]), float(row["supervised_hours"]))
            for code, row in (minimums or {}).items()
            if isinstance(row, Mapping) and {"training_hours", "supervised_hours"} <= set(row)
        }
        return cls(
            counts_when if counts_when in COUNTS_WHEN else VERIFIED_OR_EVIDENCE,
            MappingProxyType(overrides),
        )


DEFAULT_POLICY: Final = CompetencePolicy()


@dataclass(frozen=True, slots=True)
class Standing:
    """A claimed competency on a day: whether it counts, why, and how far its evidence goes."""

    code: str
    counts: bool
    because: str
    training_hours: float
    supervised_hours: float
    minimum: Minimum | None
    # The expiry of the current certification that lasts longest (None: none current, or
    # one without an expiry; see `certified`).
    certified_until: date | None
    certified: bool
    verified_by: str

    @property
    def training_short(self) -> float:
        """Training hours still missing for the minimum (0 when met or when none applies)."""
        if self.minimum is None:
            return 0.0
        return max(0.0, self.minimum.training_hours - self.training_hours)

    @property
    def supervised_short(self) -> float:
        if self.minimum is None:
            return 0.0
        return max(0.0, self.minimum.supervised_hours - self.supervised_hours)


def standing(
    code: str, evidence: Iterable[Evidence], policy: CompetencePolicy, day: date
) -> Standing:
    """Whether a claim of `code` counts on `day`, given its evidence (of any code: the
    others are ignored) and the practice's policy."""
    mine = [item for item in evidence if item.code == code]
    vouched = [item for item in mine if item.kind in (VERIFIED, ATTESTED)]
    certifications = [
        item
        for item in mine
        if item.kind == CERTIFICATION
        and (item.on is None or item.on <= day)
        and (item.until is None or day <= item.until)
    ]
    training = sum(
        item.hours for item in mine if item.kind == TRAINING and (item.on is None or item.on <= day)
    )
    supervised = sum(
        item.hours
        for item in mine
        if item.kind == SUPERVISED and (item.on is None or item.on <= day)
    )
    minimum = policy.minimum(code)
    certified = bool(certifications)
    until = (
        None
        if not certified or any(item.until is None for item in certifications)
        else max(item.until for item in certifications if item.until is not None)
    )
    verified = next((item for item in vouched if item.kind == VERIFIED), None)
    attested = next((item for item in vouched if item.kind == ATTESTED), None)
    met = (
        minimum is not None
        and training + _EPSILON >= minimum.training_hours
        and supervised + _EPSILON >= minimum.supervised_hours
    )
    because = BECAUSE_IN_TRAINING
    if verified is not None:
        because = BECAUSE_VERIFIED
    elif attested is not None:
        because = BECAUSE_ATTESTED
    elif minimum is not None and minimum.none_needed:
        because = BECAUSE_LICENCE
    elif policy.counts_when == VERIFIED_OR_EVIDENCE:
        if certified:
            because = BECAUSE_CERTIFIED
        elif met:
            because = BECAUSE_EVIDENCE
    return Standing(
        code=code,
        counts=because != BECAUSE_IN_TRAINING,
        because=because,
        training_hours=training,
        supervised_hours=supervised,
        minimum=minimum,
        certified_until=until,
        certified=certified,
        verified_by=voucher.by if (voucher := verified or attested) is not None else "",
    )


def counting_codes(
    claims: Sequence[str],
    in_training: Sequence[str],
    evidence: Sequence[Evidence],
    policy: CompetencePolicy,
    day: date,
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A clinician's codes as a case on `day` gives them: (`competencies`, `in_training`).

    The competencies are the claims that count, in the order claimed; in training are the
    codes the clinician put there themselves, then the claims that do not count yet.
    """
    by_code: dict[str, list[Evidence]] = {}
    for item in evidence:
        by_code.setdefault(item.code, []).append(item)
    counted: list[str] = []
    not_yet: list[str] = []
    for code in dict.fromkeys(claims):
        counts = standing(code, by_code.get(code, ()), policy, day).counts
        (counted if counts else not_yet).append(code)
    return tuple(counted), tuple(dict.fromkeys([*in_training, *not_yet]))
