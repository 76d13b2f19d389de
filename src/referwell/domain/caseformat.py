"""The case format (`referwell.case/1`): one declaration gives the validator and the JSON Schema.

`parse_case(data)` checks a decoded case (dicts, lists, str, int, bool, None as
JSON or YAML gives them) and returns a `Case`, or raises `InvalidInput` listing
every problem with its path. `case_schema()` is the JSON Schema of the same
declaration, so the two cannot drift apart.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final

from referwell.domain import vocabulary as v
from referwell.domain.canonical import DEFAULT_ENGAGEMENT, DEFAULT_FORMAT_OF_CARE, merge_steps
from referwell.domain.case import (
    CASE_FORMAT,
    Case,
    Client,
    Clinician,
    Event,
    FinancialArrangement,
    Goal,
    Measure,
    PhysicalSymptom,
    Preferences,
    TherapySession,
)
from referwell.domain.errors import (
    AFTER_AS_OF,
    EMPTY,
    ITEM_COUNT,
    MISSING,
    NOT_A_DATE,
    OUT_OF_RANGE,
    TOO_LONG,
    UNKNOWN_CODE,
    UNSTORABLE,
    WRONG_TYPE,
    FieldError,
    InvalidInput,
    nearest,
    quoted_choice,
)
from referwell.domain.measures import INSTRUMENTS
from referwell.domain.measures.base import describe
from referwell.domain.storable import escaped, unstorable

INVALID: Final = object()
_DATE_RE: Final = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass
class _Context:
    errors: list[FieldError] = field(default_factory=list)
    dates: list[tuple[str, date]] = field(default_factory=list)

    def error(self, path: str, message: str, kind: str = "", **detail: Any) -> object:
        # A path or message may quote what was sent: a NUL or a lone surrogate is shown escaped.
        self.errors.append(FieldError(escaped(path), escaped(message), kind, detail))
        return INVALID

    def wrong(self, path: str, expected: str, value: Any) -> object:
        """A value of the wrong type: `null` (a form left empty) is a missing value."""
        return self.error(
            path,
            f"expected {expected}; got {describe(value)}",
            MISSING if value is None else WRONG_TYPE,
        )


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"


class Kind:
    """A value's type in the format: checks a value and describes itself as JSON Schema."""

    expected: str = "a value"
    plural: str = "values"

    def check(self, value: Any, path: str, ctx: _Context) -> Any:
        raise NotImplementedError

    def schema(self) -> dict[str, Any]:
        raise NotImplementedError


class Text(Kind):
    def __init__(self, what: str = "a non-empty string", max_length: int = 500) -> None:
        self.expected = what
        self.plural = "non-empty strings"
        self.max_length = max_length

    def check(self, value: Any, path: str, ctx: _Context) -> Any:
        if type(value) is not str:
            return ctx.wrong(path, self.expected, value)
        problem = unstorable(value)
        if problem is not None:
            return ctx.error(path, problem, UNSTORABLE)
        if not value.strip():
            return ctx.error(path, f"must not be empty; give {self.expected}", EMPTY)
        if len(value) > self.max_length:
            return ctx.error(
                path,
                f"is {len(value)} characters long; give at most {self.max_length}",
                TOO_LONG,
                length=len(value),
                most=self.max_length,
            )
        return value

    def schema(self) -> dict[str, Any]:
        return {"type": "string", "minLength": 1, "maxLength": self.max_length, "pattern": r"\S"}


class Whole(Kind):
    def __init__(self, low: int, high: int) -> None:
        self.low, self.high = low, high
        self.expected = f"a whole number from {low} to {high}"

    def check(self, value: Any, path: str, ctx: _Context) -> Any:
        if type(value) is not int:
            return ctx.wrong(path, self.expected, value)
        if not self.low <= value <= self.high:
            return ctx.error(
                path,
                f"expected {self.expected}; got {value}",
                OUT_OF_RANGE,
                low=self.low,
                high=self.high,
            )
        return value

    def schema(self) -> dict[str, Any]:
        return {"type": "integer", "minimum": self.low, "maximum": self.high}


class Boolean(Kind):
    expected = "true or false"

    def check(self, value: Any, path: str, ctx: _Context) -> Any:
        if type(value) is not bool:
            return ctx.wrong(path, "true or false", value)
        return value

    def schema(self) -> dict[str, Any]:
        return {"type": "boolean"}


class Day(Kind):
    expected = "a date as YYYY-MM-DD"

    def __init__(self, collect: bool = True) -> None:
        self.collect = collect

    def check(self, value: Any, path: str, ctx: _Context) -> Any:
        if type(value) is not str:
            return ctx.wrong(path, "a date as a YYYY-MM-DD string", value)
        problem = unstorable(value)
        if problem is not None:
            return ctx.error(path, problem, UNSTORABLE)
        if not _DATE_RE.fullmatch(value):
            return ctx.error(
                path,
                f'expected a date as YYYY-MM-DD (for example "2026-11-20"); got "{value}"',
                NOT_A_DATE,
            )
        try:
            day = date.fromisoformat(value)
        except ValueError:
            return ctx.error(
                path,
                f'"{value}" is not a calendar date; give a real date as YYYY-MM-DD',
                NOT_A_DATE,
            )
        if self.collect:
            ctx.dates.append((path, day))
        return day

    def schema(self) -> dict[str, Any]:
        return {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}


class Constant(Kind):
    def __init__(self, value: str) -> None:
        self.value = value
        self.expected = f'"{value}"'

    def check(self, value: Any, path: str, ctx: _Context) -> Any:
        problem = unstorable(value) if type(value) is str else None
        if problem is not None:
            return ctx.error(path, problem, UNSTORABLE)
        if value != self.value or type(value) is not str:
            return ctx.error(path, f'expected "{self.value}"; got {describe(value)}')
        return value

    def schema(self) -> dict[str, Any]:
        return {"const": self.value}


class Code(Kind):
    """One code of a vocabulary list; an unknown one names the nearest known codes."""

    def __init__(
        self,
        label: str,
        codes: tuple[str, ...] | frozenset[str],
        refused: Mapping[str, str] | None = None,
        aliases: Mapping[str, str] | None = None,
    ) -> None:
        self.aliases = dict(aliases or {})
        self.label = label
        self.codes = frozenset(codes)
        self.ordered = tuple(sorted(codes)) if isinstance(codes, frozenset) else codes
        self.refused = dict(refused or {})
        self.expected = f"{_article(label)} {label} code"
        self.plural = f"{label} codes"

    def check(self, value: Any, path: str, ctx: _Context) -> Any:
        if type(value) is not str:
            return ctx.wrong(path, f"{self.expected} (a string)", value)
        if value in self.codes:
            return value
        problem = unstorable(value)
        if problem is not None:
            return ctx.error(path, problem, UNSTORABLE)
        if value in self.refused:
            return ctx.error(path, self.refused[value], UNKNOWN_CODE)
        alias = self.aliases.get(value.strip().lower())
        if alias is not None:
            return ctx.error(
                path, f'unknown {self.label} code "{value}"; did you mean "{alias}"?', UNKNOWN_CODE
            )
        if len(self.ordered) <= 6:
            return ctx.error(
                path,
                f'unknown {self.label} "{value}"; use {quoted_choice(self.ordered)}',
                UNKNOWN_CODE,
            )
        return ctx.error(
            path,
            f'unknown {self.label} code "{value}"; did you mean '
            f"{quoted_choice(nearest(value, self.ordered))}?",
            UNKNOWN_CODE,
        )

    def schema(self) -> dict[str, Any]:
        return {"type": "string", "enum": list(self.ordered)}


class ListOf(Kind):
    """A list; a repeated code counts once when `unique` (the format says so for code lists)."""

    def __init__(self, item: Kind, unique: bool = False, max_items: int = 5000) -> None:
        self.item = item
        self.unique = unique
        self.max_items = max_items
        self.expected = "a list"

    def check(self, value: Any, path: str, ctx: _Context) -> Any:
        if type(value) is not list:
            return ctx.error(path, f"expected a list of {self.item.plural}; got {describe(value)}")
        if len(value) > self.max_items:
            return ctx.error(path, f"has {len(value)} entries; give at most {self.max_items}")
        out = []
        check = self.item.check
        for i, entry in enumerate(value):
            checked = check(entry, f"{path}[{i}]", ctx)
            if checked is not INVALID:
                out.append(checked)
        if self.unique:
            out = list(dict.fromkeys(out))
        return out

    def schema(self) -> dict[str, Any]:
        return {"type": "array", "items": self.item.schema(), "maxItems": self.max_items}


@dataclass(frozen=True)
class Field:
    kind: Kind
    required: bool = False
    description: str = ""


Check = Callable[[dict[str, Any], dict[str, Any], str, "_Context"], Any]


class Obj(Kind):
    """An object with known keys; unknown keys are refused with the nearest known key."""

    def __init__(
        self,
        fields: dict[str, Field],
        description: str = "",
        after: Check | None = None,
        extra_schema: dict[str, Any] | None = None,
    ) -> None:
        self.fields = fields
        self.description = description
        self.after = after
        self.extra_schema = extra_schema or {}
        self.expected = "an object"
        self.plural = "objects"

    def check(self, value: Any, path: str, ctx: _Context) -> Any:
        if not isinstance(value, dict):
            return ctx.error(path or "(case)", f"expected an object; got {describe(value)}")
        for key in getattr(value, "duplicates", ()):
            ctx.error(_join(path, str(key)), "key repeated in one object; give each key once")
        out: dict[str, Any] = {}
        fields = self.fields
        for key, raw in value.items():
            spec = fields.get(key) if type(key) is str else None
            if spec is None:
                close = nearest(str(key), list(fields))
                ctx.error(
                    _join(path, str(key)),
                    f"unknown key; did you mean {quoted_choice(close)}? "
                    f"Known keys here: {', '.join(fields)}",
                )
                continue
            checked = spec.kind.check(raw, _join(path, key), ctx)
            if checked is not INVALID:
                out[key] = checked
        for key, spec in fields.items():
            if spec.required and key not in value:
                ctx.error(
                    _join(path, key),
                    f"required field is missing; give {spec.kind.expected}",
                    MISSING,
                )
        if self.after is not None:
            return self.after(value, out, path, ctx)
        return out

    def schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {
            "type": "object",
            "properties": {
                k: f.kind.schema() | ({"description": f.description} if f.description else {})
                for k, f in self.fields.items()
            },
            "required": [k for k, f in self.fields.items() if f.required],
            "additionalProperties": False,
        }
        if self.description:
            schema["description"] = self.description
        return schema | self.extra_schema


class Either(Kind):
    """A code, or an object that carries the code and more (steps_taken entries)."""

    def __init__(self, code: Code, obj: Obj) -> None:
        self.code, self.obj = code, obj
        self.expected = f"{code.expected} or an object"
        self.plural = f"{code.plural} or objects"

    def check(self, value: Any, path: str, ctx: _Context) -> Any:
        if isinstance(value, dict):
            return self.obj.check(value, path, ctx)
        if type(value) is str:
            return self.code.check(value, path, ctx)
        return ctx.error(path, f"expected {self.expected}; got {describe(value)}")

    def schema(self) -> dict[str, Any]:
        return {"oneOf": [self.code.schema(), self.obj.schema()]}


class AnyList(Kind):
    """A list checked by its parent, which knows the rules (measure items per instrument)."""

    def __init__(self, item_schema: dict[str, Any], expected: str) -> None:
        self.item_schema = item_schema
        self.expected = expected

    def check(self, value: Any, path: str, ctx: _Context) -> Any:
        if type(value) is not list:
            return ctx.error(path, f"expected {self.expected}; got {describe(value)}")
        return value

    def schema(self) -> dict[str, Any]:
        return {"type": "array", "items": self.item_schema}


class AnyWhole(Kind):
    """A whole number checked by its parent (a measure's total, whose range is the instrument's)."""

    expected = "a whole number"

    def check(self, value: Any, path: str, ctx: _Context) -> Any:
        if type(value) is not int:
            return ctx.error(path, f"expected a whole number; got {describe(value)}")
        return value

    def schema(self) -> dict[str, Any]:
        return {"type": "integer", "minimum": 0}


def _check_measure(raw: dict[str, Any], out: dict[str, Any], path: str, ctx: _Context) -> Any:
    has_items, has_total = "items" in raw, "total" in raw
    if has_items == has_total:
        return ctx.error(
            path,
            "give exactly one of items (preferred: item 9 of the PHQ-9 matters) and total; "
            f"got {'both' if has_items else 'neither'}",
        )
    code = out.get("instrument")
    instrument = INSTRUMENTS.get(code) if isinstance(code, str) else None
    if instrument is None:
        return INVALID  # the instrument's own error has been reported
    if has_items:
        items = out.get("items")
        if items is None:
            return INVALID
        problem = instrument.items_problem(items)
        if problem:
            return ctx.error(
                _join(path, "items"),
                problem,
                ITEM_COUNT,
                instrument=instrument.code,
                count=instrument.item_count,
            )
        bad = False
        for i, answer in enumerate(items):
            problem = instrument.item_problem(i + 1, answer)
            if problem:
                bad = True
                if answer is None:
                    kind = MISSING
                elif type(answer) is not int:
                    kind = WRONG_TYPE
                else:
                    kind = OUT_OF_RANGE
                ctx.error(
                    f"{path}.items[{i}]",
                    problem,
                    kind,
                    instrument=instrument.code,
                    item=i + 1,
                    low=instrument.item_min,
                    high=instrument.item_max,
                )
        if bad:
            return INVALID
        out["total"] = sum(items)
        out["items"] = tuple(items)
    else:
        total = out.get("total")
        if total is None:
            return INVALID
        problem = instrument.total_problem(total)
        if problem:
            return ctx.error(_join(path, "total"), problem)
        out["items"] = None
    return out


def _measure_schema() -> dict[str, Any]:
    branches = []
    for inst in INSTRUMENTS.values():
        branches.append(
            {
                "if": {"properties": {"instrument": {"const": inst.code}}},
                "then": {
                    "properties": {
                        "items": {
                            "minItems": inst.item_count,
                            "maxItems": inst.item_count,
                            "items": {"type": "integer", "minimum": 0, "maximum": inst.item_max},
                        },
                        "total": {"maximum": inst.total_max},
                    }
                },
            }
        )
    return {"oneOf": [{"required": ["items"]}, {"required": ["total"]}], "allOf": branches}


def _specialized_refusals() -> dict[str, str]:
    refusals = {}
    for condition, codes in v.COMPETENCE_FOR_CONDITION.items():
        refusals[condition] = (
            f'"{condition}" is a condition, not a competency; competence with it is '
            f"expressed by {quoted_choice(codes)}"
        )
    return refusals


def _competency_code() -> Code:
    return Code("competency", v.COMPETENCIES, refused=_specialized_refusals())


def _check_step(raw: dict[str, Any], out: dict[str, Any], path: str, ctx: _Context) -> Any:
    if "step" not in out or "date" not in out:
        return INVALID
    return (out["step"], out["date"])


_STEP_CODE = Code("step", v.STEPS)

CASE_KIND: Final = Obj(
    description="A client's case (referwell.case/1); see case-format.md.",
    fields={
        "format": Field(Constant(CASE_FORMAT), True, "format and version"),
        "id": Field(Text("the case's identifier (never a real name)", 200), True),
        "as_of": Field(Day(collect=False), False, "the day of the assessment; default today"),
        "clinician": Field(
            Obj(
                {
                    "competencies": Field(ListOf(_competency_code(), unique=True), True),
                    "in_training": Field(ListOf(_competency_code(), unique=True)),
                }
            ),
            True,
        ),
        "client": Field(
            Obj(
                {
                    "age": Field(Whole(0, 120), True),
                    "languages": Field(
                        ListOf(
                            Code("ISO 639-1 language", v.LANGUAGES, aliases=v.LANGUAGE_NAMES),
                            unique=True,
                        )
                    ),
                    "postal_code": Field(Text("a postal code as a string", 20)),
                    "insurance": Field(ListOf(Text("a payer identifier", 100), unique=True)),
                    "telehealth_ok": Field(Boolean()),
                    "preferences": Field(
                        Obj(
                            {
                                "clinician_gender": Field(
                                    Code("clinician gender", v.CLINICIAN_GENDERS)
                                ),
                                "faith": Field(Text("a faith, as a string", 100)),
                                "sliding_scale": Field(Boolean()),
                                "in_person": Field(Boolean()),
                            }
                        )
                    ),
                    "current_care": Field(ListOf(Code("service", v.SERVICES), unique=True)),
                    "engagement": Field(Code("engagement", v.ENGAGEMENT)),
                    "wants_to_end": Field(Boolean()),
                }
            ),
            True,
        ),
        "format_of_care": Field(Code("format of care", v.FORMATS_OF_CARE)),
        "concerns": Field(ListOf(Code("condition", v.CONDITIONS), unique=True), True),
        "physical_symptoms": Field(
            ListOf(
                Obj(
                    {
                        "symptom": Field(Text("a description of the symptom"), True),
                        "medically_evaluated": Field(Boolean(), True),
                    }
                )
            )
        ),
        "measures": Field(
            ListOf(
                Obj(
                    {
                        "instrument": Field(Code("instrument", tuple(INSTRUMENTS)), True),
                        "date": Field(Day(), True),
                        "items": Field(
                            AnyList(
                                {"type": "integer", "minimum": 0, "maximum": 4},
                                "a list of item scores",
                            )
                        ),
                        "total": Field(AnyWhole()),
                    },
                    after=_check_measure,
                    extra_schema=_measure_schema(),
                )
            )
        ),
        "sessions": Field(
            ListOf(
                Obj(
                    {
                        "date": Field(Day(), True),
                        "attendance": Field(Code("attendance", v.ATTENDANCE), True),
                    }
                )
            )
        ),
        "events": Field(
            ListOf(
                Obj(
                    {
                        "date": Field(Day(), True),
                        "kind": Field(Code("event kind", v.EVENT_KINDS), True),
                        "discussed": Field(Boolean()),
                    }
                )
            )
        ),
        "clinician_factors": Field(ListOf(Code("clinician factor", v.CLINICIAN_FACTORS), True)),
        "considering_referral_because": Field(ListOf(Code("reason", v.REASONS), unique=True)),
        "steps_taken": Field(
            ListOf(
                Either(
                    _STEP_CODE,
                    Obj(
                        {"step": Field(_STEP_CODE, True), "date": Field(Day(), True)},
                        after=_check_step,
                    ),
                )
            )
        ),
        "goals": Field(
            ListOf(
                Obj(
                    {
                        "description": Field(Text("a short description of the goal")),
                        "status": Field(Code("goal status", v.GOAL_STATUSES), True),
                    }
                )
            )
        ),
        "financial_arrangements": Field(
            ListOf(
                Obj(
                    {
                        "with": Field(Text("a directory id or a name"), True),
                        "kind": Field(Code("financial arrangement", v.FINANCIAL_KINDS), True),
                    }
                )
            )
        ),
    },
)


def case_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the case format."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://referwell.example/schema/referwell.case-1.json",
        "title": "referwell case, format referwell.case/1",
    } | CASE_KIND.schema()


def parse_case(data: Any, today: date | None = None) -> Case:
    """Check a decoded case file and build the case; raise InvalidInput listing every error."""
    ctx = _Context()
    checked = CASE_KIND.check(data, "", ctx)
    if checked is INVALID:
        raise InvalidInput(ctx.errors)
    as_of_given = "as_of" in checked
    as_of_invalid = isinstance(data, dict) and "as_of" in data and not as_of_given
    as_of: date = checked["as_of"] if as_of_given else (today or date.today())
    if not as_of_invalid:
        for path, day in ctx.dates:
            if day > as_of:
                ctx.error(
                    path,
                    f"{day.isoformat()} is after as_of {as_of.isoformat()}; "
                    "give a date on or before as_of",
                    AFTER_AS_OF,
                    as_of=as_of,
                )
    if ctx.errors:
        raise InvalidInput(sorted(ctx.errors, key=_document_order(data)))
    return _build(checked, as_of, as_of_given)


def _document_order(data: Any) -> Callable[[FieldError], tuple[int, str]]:
    """Errors in the order of the case's top-level keys, so a date error sits with its field."""
    keys = {k: i for i, k in enumerate(data)} if isinstance(data, dict) else {}

    def order(error: FieldError) -> tuple[int, str]:
        head = re.split(r"[.\[]", error.path, maxsplit=1)[0]
        return (keys.get(head, len(keys)), "")

    return order


def _by_date(entries: list[Any]) -> list[Any]:
    return sorted(entries, key=lambda e: e.date)  # stable: ties keep file order


def _build(d: dict[str, Any], as_of: date, as_of_given: bool) -> Case:
    cl = d["client"]
    prefs = cl.get("preferences")
    client = Client(
        age=cl["age"],
        languages=tuple(cl.get("languages", ())),
        postal_code=cl.get("postal_code"),
        insurance=tuple(cl.get("insurance", ())),
        telehealth_ok=cl.get("telehealth_ok"),
        preferences=Preferences(**prefs) if prefs is not None else None,
        current_care=tuple(cl.get("current_care", ())),
        engagement=cl.get("engagement", DEFAULT_ENGAGEMENT),
        wants_to_end=cl.get("wants_to_end", False),
    )
    clin = d["clinician"]
    steps: dict[str, date | None] = merge_steps(
        (entry, None) if isinstance(entry, str) else entry for entry in d.get("steps_taken", ())
    )
    return Case(
        id=d["id"],
        as_of=as_of,
        as_of_given=as_of_given,
        clinician=Clinician(tuple(clin["competencies"]), tuple(clin.get("in_training", ()))),
        client=client,
        concerns=tuple(d["concerns"]),
        format_of_care=d.get("format_of_care", DEFAULT_FORMAT_OF_CARE),
        physical_symptoms=tuple(
            PhysicalSymptom(s["symptom"], s["medically_evaluated"])
            for s in d.get("physical_symptoms", ())
        ),
        measures=tuple(
            _by_date(
                [
                    Measure(m["instrument"], m["date"], m["total"], m["items"], i)
                    for i, m in enumerate(d.get("measures", ()))
                ]
            )
        ),
        sessions=tuple(
            _by_date([TherapySession(s["date"], s["attendance"]) for s in d.get("sessions", ())])
        ),
        events=tuple(
            _by_date(
                [
                    Event(e["date"], e["kind"], e.get("discussed", False))
                    for e in d.get("events", ())
                ]
            )
        ),
        clinician_factors=tuple(d.get("clinician_factors", ())),
        considering_referral_because=tuple(d.get("considering_referral_because", ())),
        steps_taken=steps,
        goals=tuple(Goal(g["status"], g.get("description")) for g in d.get("goals", ())),
        financial_arrangements=tuple(
            FinancialArrangement(f["with"], f["kind"]) for f in d.get("financial_arrangements", ())
        ),
    )
