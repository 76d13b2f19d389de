"""The canonical form of a case (`referwell.case/1`): one way to write down any valid case.

Every path that writes a case out (a case file export, the API, the client
page's record, `Case.to_dict`, the database's case reader) ends here, so two
cases that say the same thing are equal as documents:

- lists of codes (`competencies`, `in_training`, `languages`, `insurance`,
  `current_care`, `concerns`, `clinician_factors`,
  `considering_referral_because`) hold each code once, in the order of first
  appearance (the format counts a repeated code once);
- `measures`, `sessions` and `events` are in date order, ties in the order
  given (the order the engine reads them in);
- `steps_taken` holds each step once, where it first appeared, with its latest
  date (a dated entry beats an undated one); an undated step is the bare code;
- a measure has `items` when items were given, else `total`;
- every event has `discussed`; defaults that say nothing are left out
  (`engagement: active`, `format_of_care: individual`, `wants_to_end: false`),
  and so are optional lists and objects that are empty;
- `physical_symptoms`, `goals` and `financial_arrangements` keep their order;
- dates are `YYYY-MM-DD` strings.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any, Final, TypeVar

DEFAULT_ENGAGEMENT: Final = "active"
DEFAULT_FORMAT_OF_CARE: Final = "individual"

_Day = TypeVar("_Day", date, str)


def merge_steps(entries: Iterable[tuple[str, _Day | None]]) -> dict[str, _Day | None]:
    """Each step once, in the order of first appearance, with its latest date (a dated entry
    beats an undated one): what a repeated step in `steps_taken` means."""
    latest: dict[str, _Day | None] = {}
    for step, day in entries:
        if step not in latest:
            latest[step] = day
            continue
        known = latest[step]
        if day is not None and (known is None or known < day):
            latest[step] = day
    return latest


def canonical_case(case: Mapping[str, Any]) -> dict[str, Any]:
    """The canonical form of a valid case (dates as `date` or ISO strings); idempotent."""
    canonical: dict[str, Any] = {"format": case["format"], "id": case["id"]}
    if case.get("as_of") is not None:
        canonical["as_of"] = _iso(case["as_of"])

    given_clinician = case["clinician"]
    clinician: dict[str, Any] = {"competencies": _unique(given_clinician["competencies"])}
    if in_training := _unique(given_clinician.get("in_training", [])):
        clinician["in_training"] = in_training
    canonical["clinician"] = clinician
    canonical["client"] = _canonical_client(case["client"])
    if case.get("format_of_care", DEFAULT_FORMAT_OF_CARE) != DEFAULT_FORMAT_OF_CARE:
        canonical["format_of_care"] = case["format_of_care"]
    canonical["concerns"] = _unique(case.get("concerns", []))

    def by_date(entries: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
        return sorted(entries, key=lambda entry: _iso(entry["date"]))  # stable: ties keep order

    optional: dict[str, list[Any]] = {
        "physical_symptoms": [
            {"symptom": entry["symptom"], "medically_evaluated": bool(entry["medically_evaluated"])}
            for entry in case.get("physical_symptoms", [])
        ],
        "measures": [
            {"instrument": entry["instrument"], "date": _iso(entry["date"])}
            | (
                {"items": list(entry["items"])}
                if entry.get("items") is not None
                else {"total": entry["total"]}
            )
            for entry in by_date(case.get("measures", []))
        ],
        "sessions": [
            {"date": _iso(entry["date"]), "attendance": entry["attendance"]}
            for entry in by_date(case.get("sessions", []))
        ],
        "events": [
            {
                "date": _iso(entry["date"]),
                "kind": entry["kind"],
                "discussed": bool(entry.get("discussed", False)),
            }
            for entry in by_date(case.get("events", []))
        ],
        "clinician_factors": _unique(case.get("clinician_factors", [])),
        "considering_referral_because": _unique(case.get("considering_referral_because", [])),
        "steps_taken": _canonical_steps(case.get("steps_taken", [])),
        "goals": [
            ({"description": entry["description"]} if entry.get("description") is not None else {})
            | {"status": entry["status"]}
            for entry in case.get("goals", [])
        ],
        "financial_arrangements": [
            {"with": entry["with"], "kind": entry["kind"]}
            for entry in case.get("financial_arrangements", [])
        ],
    }
    canonical.update({key: value for key, value in optional.items() if value})
    return canonical


def _canonical_client(given: Mapping[str, Any]) -> dict[str, Any]:
    person: dict[str, Any] = {"age": given["age"]}
    if languages := _unique(given.get("languages", [])):
        person["languages"] = languages
    if given.get("postal_code") is not None:
        person["postal_code"] = given["postal_code"]
    if insurance := _unique(given.get("insurance", [])):
        person["insurance"] = insurance
    if given.get("telehealth_ok") is not None:
        person["telehealth_ok"] = bool(given["telehealth_ok"])
    preferences = {k: v for k, v in (given.get("preferences") or {}).items() if v is not None}
    if preferences:
        person["preferences"] = preferences
    if current_care := _unique(given.get("current_care", [])):
        person["current_care"] = current_care
    if given.get("engagement", DEFAULT_ENGAGEMENT) != DEFAULT_ENGAGEMENT:
        person["engagement"] = given["engagement"]
    if given.get("wants_to_end"):
        person["wants_to_end"] = True
    return person


def _canonical_steps(entries: Iterable[str | Mapping[str, Any]]) -> list[str | dict[str, str]]:
    pairs: list[tuple[str, str | None]] = []
    for entry in entries:
        if isinstance(entry, str):
            pairs.append((entry, None))
        else:
            day = entry.get("date")
            pairs.append((entry["step"], _iso(day) if day is not None else None))
    return [
        step if day is None else {"step": step, "date": day}
        for step, day in merge_steps(pairs).items()
    ]


def _unique(codes: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(codes))


def _iso(day: str | date) -> str:
    return day.isoformat() if isinstance(day, date) else date.fromisoformat(day).isoformat()
