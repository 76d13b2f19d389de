"""One course of treatment, drawn for a synthetic client: trajectory, length, cadence, attendance.

Trajectories (shares): improvers 42 %, slow responders 16 %, non-responders 20 %,
reliable deteriorators 8 %, clients below caseness 14 %. About 20 % drop out part-way,
about 7 % have finished, about 5 % have only just begun; the rest are in treatment.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class TreatmentCourse:
    """How one course of treatment goes: its trajectory, length, cadence and attendance."""

    kind: str  # improve, slow, non, deteriorate, mild
    start: int  # PHQ-9 at intake
    change: int  # PHQ-9 latest minus first over the whole planned course
    scheduled: int
    cadence: int
    last: int  # days before as_of of the last scheduled session
    attendance: int  # index into _ATTENDANCE_PATTERNS
    dropout: bool
    completed: bool
    new: bool
    missed_at_end: int
    item9_risk: int  # 0 never, 1 sometimes, 2 often

    @property
    def active(self) -> bool:
        return not (self.dropout or self.completed)

    @property
    def improving(self) -> bool:
        return self.kind in ("improve", "slow")

    @classmethod
    def draw(cls, rng: random.Random) -> TreatmentCourse:
        kind = rng.choices(("improve", "slow", "non", "deteriorate", "mild"), (42, 16, 20, 8, 14))[
            0
        ]
        if kind == "mild":
            start = rng.randint(2, 9)
            change = rng.randint(-3, 2)
        elif kind == "deteriorate":
            start = rng.randint(8, 18)
            change = rng.randint(6, 10)
        else:
            start = min(27, max(10, round(rng.gauss(16, 4))))
            change = {
                "improve": lambda: -min(start, rng.randint(6, max(6, start - 2))),
                "slow": lambda: -rng.randint(2, 5),
                "non": lambda: rng.randint(-2, 2),
            }[kind]()
        stage = rng.random()
        dropout = stage < 0.20
        completed = not dropout and stage < 0.33 and kind in ("improve", "mild")
        new = not (dropout or completed) and 0.33 <= stage < 0.38
        if dropout:
            scheduled = rng.randint(2, 10)
            last = rng.randint(21, 300)
        elif completed:
            scheduled = rng.randint(8, 30)
            last = rng.randint(10, 240)
        elif new:
            scheduled = rng.randint(1, 4)
            last = rng.randint(0, 7)
        else:
            scheduled = rng.randint(10, 38)
            last = rng.randint(0, 10)
        cadence = rng.choices((7, 14, 4), (70, 25, 5))[0]
        attendance = rng.choices((0, 1, 2), (70, 20, 10))[0]
        risk_roll = rng.random()
        item9_risk = 2 if risk_roll < 0.02 else 1 if risk_roll < 0.06 else 0
        return cls(
            kind=kind,
            start=start,
            change=change,
            scheduled=scheduled,
            cadence=cadence,
            last=last,
            attendance=attendance,
            dropout=dropout,
            completed=completed,
            new=new,
            missed_at_end=rng.randint(1, min(3, scheduled - 1)) if scheduled > 1 else 0,
            item9_risk=item9_risk,
        )

    def phq9_path(self, count: int, rng: random.Random) -> list[int]:
        """PHQ-9 totals at `count` administrations, exact at the start and at the planned end.

        A client who drops out, or who has only just begun, is part-way along the path.
        """
        if count == 1:
            return [self.start]
        planned = count
        if self.dropout:
            planned = max(count, round(count / 0.45))
        elif self.new:
            planned = max(count, count * 6)
        path = []
        for number in range(count):
            share = number / (planned - 1)
            if self.kind == "improve":
                share = (1 - math.exp(-3 * share)) / (1 - math.exp(-3))
            value = self.start + self.change * share
            if 0 < number < planned - 1:
                value += rng.choice((-1, 0, 0, 1))
            path.append(min(27, max(0, round(value))))
        return path
