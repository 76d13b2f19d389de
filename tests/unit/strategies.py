"""Hypothesis strategies for the case format: every field and every code of referwell.case/1.

`cases()` draws valid cases (dates on or before as_of, measures as items or totals for all
four instruments). Each drawn case comes with the `today` to read it with, for the cases
that leave `as_of` out. `invalid_cases()` breaks one thing in a valid case (a wrong type, an
unknown key, an unknown code, a date after as_of) and says which path must be named.
"""

from __future__ import annotations

import copy
from datetime import date, timedelta
from typing import Any

from hypothesis import strategies as st

from referwell.domain import vocabulary as v
from referwell.domain.measures import INSTRUMENTS

TEXT = st.text(
    alphabet=st.sampled_from("abcdefghijklmnopqrstuvwxyzABCXYZ0123456789 -_.éüñ日"),
    min_size=1,
    max_size=16,
).filter(lambda s: s.strip() != "")
AS_OF = st.dates(min_value=date(2015, 1, 1), max_value=date(2032, 12, 31))
LANGUAGE_CODES = sorted(v.LANGUAGES)


def codes(
    vocabulary: tuple[str, ...] | list[str], max_size: int = 4
) -> st.SearchStrategy[list[str]]:
    """A list of codes; repeats allowed (the format counts a repeated code once)."""
    return st.lists(st.sampled_from(list(vocabulary)), max_size=max_size)


def maybe(draw: st.DrawFn, out: dict[str, Any], key: str, strategy: st.SearchStrategy[Any]) -> None:
    """Set `key` in `out` on some draws only: optional fields are left out as often as not."""
    if draw(st.booleans()):
        out[key] = draw(strategy)


@st.composite
def measure(draw: st.DrawFn, when: st.SearchStrategy[str]) -> dict[str, Any]:
    code = draw(st.sampled_from(list(INSTRUMENTS)))
    inst = INSTRUMENTS[code]
    out: dict[str, Any] = {"instrument": code, "date": draw(when)}
    if draw(st.integers(0, 4)):  # items preferred
        out["items"] = draw(
            st.lists(
                st.integers(0, inst.item_max), min_size=inst.item_count, max_size=inst.item_count
            )
        )
    else:
        out["total"] = draw(st.integers(0, inst.total_max))
    return out


@st.composite
def cases(
    draw: st.DrawFn, *, distinct_dates: bool = False, max_sessions: int = 24
) -> tuple[dict[str, Any], date]:
    """(a valid case, the `today` to read it with)."""
    as_of = draw(AS_OF)
    # A short span crowds dates around the windows' edges; a long one spreads them out.
    span = draw(st.sampled_from([9, 35, 400]))
    when = st.integers(0, span).map(lambda n: (as_of - timedelta(days=n)).isoformat())

    def dated(strategy: st.SearchStrategy[dict[str, Any]], max_size: int) -> Any:
        if distinct_dates:
            return st.lists(strategy, max_size=max_size, unique_by=lambda e: e["date"])
        return st.lists(strategy, max_size=max_size)

    clinician: dict[str, Any] = {"competencies": draw(codes(v.COMPETENCIES, 6))}
    maybe(draw, clinician, "in_training", codes(v.COMPETENCIES, 3))

    client: dict[str, Any] = {"age": draw(st.integers(0, 120))}
    maybe(draw, client, "languages", codes(LANGUAGE_CODES, 3))
    maybe(draw, client, "postal_code", TEXT)
    maybe(draw, client, "insurance", st.lists(TEXT, max_size=2))
    maybe(draw, client, "telehealth_ok", st.booleans())
    if draw(st.booleans()):
        prefs: dict[str, Any] = {}
        maybe(draw, prefs, "clinician_gender", st.sampled_from(v.CLINICIAN_GENDERS))
        maybe(draw, prefs, "faith", TEXT)
        maybe(draw, prefs, "sliding_scale", st.booleans())
        maybe(draw, prefs, "in_person", st.booleans())
        client["preferences"] = prefs
    maybe(draw, client, "current_care", codes(v.SERVICES, 3))
    maybe(draw, client, "engagement", st.sampled_from(v.ENGAGEMENT))
    maybe(draw, client, "wants_to_end", st.booleans())

    case: dict[str, Any] = {"format": "referwell.case/1", "id": draw(TEXT)}
    as_of_given = draw(st.integers(0, 5)) > 0
    if as_of_given:
        case["as_of"] = as_of.isoformat()
    case["clinician"] = clinician
    case["client"] = client
    maybe(draw, case, "format_of_care", st.sampled_from(v.FORMATS_OF_CARE))
    case["concerns"] = draw(codes(v.CONDITIONS, 4))
    maybe(
        draw,
        case,
        "physical_symptoms",
        st.lists(
            st.fixed_dictionaries({"symptom": TEXT, "medically_evaluated": st.booleans()}),
            max_size=3,
        ),
    )
    maybe(draw, case, "measures", dated(measure(when), 10))
    maybe(
        draw,
        case,
        "sessions",
        dated(
            st.fixed_dictionaries({"date": when, "attendance": st.sampled_from(v.ATTENDANCE)}),
            max_sessions,
        ),
    )
    maybe(
        draw,
        case,
        "events",
        dated(
            st.fixed_dictionaries(
                {"date": when, "kind": st.sampled_from(v.EVENT_KINDS)},
                optional={"discussed": st.booleans()},
            ),
            6,
        ),
    )
    maybe(draw, case, "clinician_factors", codes(v.CLINICIAN_FACTORS, 3))
    maybe(draw, case, "considering_referral_because", codes(v.REASONS, 3))
    step = st.one_of(
        st.sampled_from(v.STEPS),
        st.fixed_dictionaries({"step": st.sampled_from(v.STEPS), "date": when}),
    )
    maybe(draw, case, "steps_taken", st.lists(step, max_size=5))
    maybe(
        draw,
        case,
        "goals",
        st.lists(
            st.fixed_dictionaries(
                {"status": st.sampled_from(v.GOAL_STATUSES)}, optional={"description": TEXT}
            ),
            max_size=3,
        ),
    )
    maybe(
        draw,
        case,
        "financial_arrangements",
        st.lists(
            st.fixed_dictionaries({"with": TEXT, "kind": st.sampled_from(v.FINANCIAL_KINDS)}),
            max_size=2,
        ),
    )
    return case, as_of


def _objects(case: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Every object of the case with its path."""
    out: list[tuple[str, dict[str, Any]]] = [
        ("", case),
        ("clinician", case["clinician"]),
        ("client", case["client"]),
    ]
    if "preferences" in case["client"]:
        out.append(("client.preferences", case["client"]["preferences"]))
    for key in (
        "physical_symptoms",
        "measures",
        "sessions",
        "events",
        "steps_taken",
        "goals",
        "financial_arrangements",
    ):
        for i, entry in enumerate(case.get(key, [])):
            if isinstance(entry, dict):
                out.append((f"{key}[{i}]", entry))
    return out


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


@st.composite
def invalid_cases(draw: st.DrawFn) -> tuple[dict[str, Any], date, str, str]:
    """(a case with one thing wrong, today, the path that must be named, what was done)."""
    case, today = draw(cases())
    case = copy.deepcopy(case)
    as_of = date.fromisoformat(case["as_of"]) if "as_of" in case else today
    how = draw(st.sampled_from(["wrong_type", "unknown_key", "unknown_code", "future_date"]))

    if how == "unknown_key":
        path, obj = draw(st.sampled_from(_objects(case)))
        key = "zz_" + draw(st.text(alphabet="abcdefgh_", min_size=1, max_size=8))
        obj[key] = draw(st.one_of(st.integers(), TEXT, st.booleans()))
        return case, today, _join(path, key), how

    if how == "wrong_type":
        choices: list[tuple[str, Any]] = [
            ("client.age", str(case["client"]["age"])),
            ("client.age", float(case["client"]["age"]) + draw(st.sampled_from([0.0, 0.5]))),
            ("client.age", True),
            ("client.telehealth_ok", draw(st.sampled_from(["yes", "true", 1, "on"]))),
            ("client.wants_to_end", draw(st.sampled_from(["no", "false", 0, "off"]))),
            ("client.postal_code", draw(st.integers(0, 99999))),
            ("id", draw(st.integers())),
            ("concerns", "depression"),
            ("clinician.competencies", "cbt"),
            ("as_of", int(as_of.strftime("%Y%m%d"))),
        ]
        for key in ("measures", "sessions", "events"):
            for i in range(len(case.get(key, []))):
                choices.append((f"{key}[{i}].date", int(as_of.strftime("%Y%m%d"))))
        path, value = draw(st.sampled_from(choices))
        if isinstance(value, float) and value.is_integer():
            # JSON Schema counts 34.0 as an integer; only the validator can refuse it.
            how = "whole_float"
        head, _, tail = path.partition(".")
        if "[" in head or "[" in tail:
            key, _, rest = path.partition("[")
            index, _, field = rest.partition("].")
            case[key][int(index)][field] = value
        elif tail:
            case[head][tail] = value
        else:
            case[head] = value
        return case, today, path, how

    if how == "unknown_code":
        bad = "zz_" + draw(st.text(alphabet="qxz", min_size=1, max_size=6))
        lists = [
            ("concerns", case["concerns"]),
            ("clinician.competencies", case["clinician"]["competencies"]),
            ("clinician_factors", case.setdefault("clinician_factors", [])),
            ("considering_referral_because", case.setdefault("considering_referral_because", [])),
            ("steps_taken", case.setdefault("steps_taken", [])),
            ("client.current_care", case["client"].setdefault("current_care", [])),
            ("client.languages", case["client"].setdefault("languages", [])),
        ]
        fields: list[tuple[str, dict[str, Any], str]] = [
            ("client", case["client"], "engagement"),
            ("", case, "format_of_care"),
        ]
        for key, field in (
            ("sessions", "attendance"),
            ("events", "kind"),
            ("measures", "instrument"),
            ("goals", "status"),
            ("financial_arrangements", "kind"),
        ):
            for i, entry in enumerate(case.get(key, [])):
                fields.append((f"{key}[{i}]", entry, field))
        if draw(st.booleans()):
            path, codes = draw(st.sampled_from(lists))
            at = draw(st.integers(0, len(codes)))
            codes.insert(at, bad)
            return case, today, f"{path}[{at}]", how
        path, obj, field = draw(st.sampled_from(fields))
        obj[field] = bad
        return case, today, _join(path, field), how

    later = (as_of + timedelta(days=draw(st.integers(1, 400)))).isoformat()
    dated = [
        (f"{key}[{i}].date", entry)
        for key in ("measures", "sessions", "events", "steps_taken")
        for i, entry in enumerate(case.get(key, []))
        if isinstance(entry, dict)
    ]
    if dated and draw(st.booleans()):
        path, entry = draw(st.sampled_from(dated))
        entry["date"] = later
        return case, today, path, how
    sessions = case.setdefault("sessions", [])
    sessions.append({"date": later, "attendance": "attended"})
    return case, today, f"sessions[{len(sessions) - 1}].date", how
