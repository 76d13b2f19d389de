"""Hypothesis strategies for the case format: every field and every code of referwell.case/1.

`cases()` draws valid cases (dates on or before as_of, measures as items or totals for all
four instruments). Each drawn case comes with the `today` to read it with, for the cases
that leave `as_of` out.
"""

from __future__ import annotations

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
    when = st.integers(0, 400).map(lambda n: (as_of - timedelta(days=n)).isoformat())

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
