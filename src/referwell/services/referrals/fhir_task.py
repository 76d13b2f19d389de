"""A referral as a FHIR R4 `Task`, and the steps that bring one end's referral to the status
the other end's `Task` reports (docs/referrals.md, "Between two referwell practices").

The `Task` both ends exchange carries: `id` (the referral's id at the end that serves it),
`meta.versionId` (its version, for `If-Match`), `status` (FHIR `Task.status`),
`businessStatus` (a referwell business status code), `statusReason.text` (the reason of a
decline), `restriction.period.start` (the appointment's date) and `lastModified`.
"""

from __future__ import annotations

from collections import deque
from datetime import date
from typing import Any, Final

from referwell.db.referrals.models import Referral
from referwell.domain.errors import FieldError, InvalidInput
from referwell.domain.referrals.status import (
    BUSINESS_STATUSES,
    NEEDS_APPOINTMENT,
    NEEDS_REASON,
    STATUSES,
    Side,
    Step,
    next_steps,
)

BUSINESS_SYSTEM: Final = "https://referwell.example/fhir/CodeSystem/referral-business-status"
REFERRAL_SYSTEM: Final = "urn:referwell:referral"


def task_of(referral: Referral) -> dict[str, Any]:
    """The referral as this end serves it: a FHIR R4 `Task` (JSON)."""
    task: dict[str, Any] = {
        "resourceType": "Task",
        "id": str(referral.id),
        "meta": {
            "versionId": str(referral.version),
            "lastUpdated": _instant(referral.updated_at),
        },
        "identifier": [{"system": REFERRAL_SYSTEM, "value": str(referral.id)}],
        "status": referral.status,
        "businessStatus": {
            "coding": [{"system": BUSINESS_SYSTEM, "code": referral.business_status}],
            "text": referral.business_status,
        },
        "intent": "order",
        "priority": PRIORITY_OF_URGENCY.get(referral.urgency, "routine"),
        "authoredOn": _instant(referral.sent_at or referral.created_at),
        "lastModified": _instant(referral.updated_at),
    }
    last = referral.events[-1] if referral.events else None
    if last is not None and last.note and referral.business_status in NEEDS_REASON:
        task["statusReason"] = {"text": last.note}
    if referral.appointment_on is not None:
        task["restriction"] = {"period": {"start": referral.appointment_on.isoformat()}}
    return task


PRIORITY_OF_URGENCY: Final = {"routine": "routine", "soon": "urgent", "urgent": "asap"}
URGENCY_OF_PRIORITY: Final = {v: k for k, v in PRIORITY_OF_URGENCY.items()} | {"stat": "urgent"}


def etag(version: int) -> str:
    return f'W/"{version}"'


def version_of_etag(value: str | None) -> int | None:
    """The version an `If-Match`/`ETag` names (`W/"3"` or `"3"`); None when it names none."""
    if value is None:
        return None
    text = value.strip().removeprefix("W/").strip('"')
    return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else None


class TaskState:
    """What a `Task` says of a referral's status (checked: codes known, dates well formed)."""

    __slots__ = ("appointment_on", "business_status", "reason", "status", "version")

    def __init__(
        self,
        status: str,
        business_status: str,
        *,
        appointment_on: date | None = None,
        reason: str | None = None,
        version: int | None = None,
    ) -> None:
        self.status = status
        self.business_status = business_status
        self.appointment_on = appointment_on
        self.reason = reason
        self.version = version


def task_state(task: Any) -> TaskState:
    """Read a `Task` (JSON): `InvalidInput` naming each field that is wrong."""
    errors: list[FieldError] = []
    if not isinstance(task, dict) or task.get("resourceType") != "Task":
        raise InvalidInput(
            [FieldError("resourceType", 'send a FHIR R4 resource of type "Task"')], what="Task"
        )
    try:
        from fhir.resources.R4B.task import Task

        Task.model_validate(task)
    except ValueError as refused:
        errors.append(FieldError("Task", _first_line(refused)))
    status = task.get("status")
    if status not in STATUSES:
        errors.append(FieldError("status", f"not a referral status referwell uses: {status!r}"))
    business = None
    business_field = task.get("businessStatus")
    if isinstance(business_field, dict):
        for coding in business_field.get("coding") or ():
            if isinstance(coding, dict) and coding.get("system") == BUSINESS_SYSTEM:
                business = coding.get("code")
        business = business or business_field.get("text")
    if business not in BUSINESS_STATUSES:
        errors.append(
            FieldError(
                "businessStatus",
                f"give a referwell business status (coding system {BUSINESS_SYSTEM}), one of "
                + ", ".join(BUSINESS_STATUSES),
            )
        )
    appointment = None
    start = ((task.get("restriction") or {}).get("period") or {}).get("start")
    if start is not None:
        try:
            appointment = date.fromisoformat(str(start)[:10])
        except ValueError:
            errors.append(FieldError("restriction.period.start", "a date as YYYY-MM-DD"))
    reason = (task.get("statusReason") or {}).get("text")
    version = version_of_etag(str((task.get("meta") or {}).get("versionId", "")) or None)
    if errors:
        raise InvalidInput(errors, what="Task")
    assert isinstance(status, str)  # noqa: S101 - checked above
    assert isinstance(business, str)  # noqa: S101 - checked above
    return TaskState(
        status,
        business,
        appointment_on=appointment,
        reason=str(reason) if reason else None,
        version=version,
    )


def _first_line(error: Exception) -> str:
    text = str(error).splitlines()
    return (text[1] if len(text) > 1 else text[0])[:300] if text else "not a valid Task"


def steps_to(referral: Referral, side: Side, wanted: TaskState) -> list[Step]:
    """The shortest run of `side`'s legal steps from where `referral` stands to the status
    `wanted` reports (none if it is there already). Steps between need no date or reason;
    `TransitionRefused`-like `InvalidInput` when no run of steps leads there."""
    here = (referral.status, referral.business_status)
    goal = (wanted.status, wanted.business_status)
    if here == goal and (
        wanted.business_status not in NEEDS_APPOINTMENT
        or wanted.appointment_on in (None, referral.appointment_on)
    ):
        return []
    last_side = Side(referral.events[-1].side) if referral.events else None
    queue: deque[tuple[tuple[str, str], list[Step]]] = deque([(here, [])])
    seen = {here}
    while queue:
        (status, _), path = queue.popleft()
        for target, business in next_steps(status, side, last_side):
            step = Step(target, business)
            if (target, business) == goal:
                return [*path, step]
            needs_data = business in NEEDS_APPOINTMENT or business in NEEDS_REASON
            if target == "entered-in-error" or needs_data or (target, business) in seen:
                continue
            seen.add((target, business))
            queue.append(((target, business), [*path, step]))
    raise InvalidInput(
        [
            FieldError(
                "status",
                f'the referral here is "{referral.status}" ({referral.business_status}); '
                f'the {side.value} cannot bring it to "{wanted.status}" '
                f"({wanted.business_status})",
            )
        ],
        what="Task",
    )


def _instant(value: Any) -> str:
    text: str = value.isoformat(timespec="seconds")
    return text if value.tzinfo is not None else text + "+00:00"
