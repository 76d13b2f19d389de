"""Use cases: searching the directory, for one need (the CLI's and the web page's filters) or
for every referral need of a case.

A query's place comes from the client's postal code: a US ZIP code's centre and its state
(`places.zip_centre`, offline); a state given apart wins for telehealth licensing. A case
gives the rest: the client's age, insurance, languages, whether they accept telehealth,
their preferences, and the entries or organizations named in a prohibited financial
arrangement (`financial_arrangements[].with`). Its needs come from the engine's
assessment: the transfer needs as one question, each adjunct need alone, and `crisis` as
crisis resources (988, the Crisis Text Line, 911, and the directory's crisis services
near the client), never as a referral list.

Every search runs on the process's index of the directory (`loading.current_index`), so
it answers what `domain.directory.matching.match` would answer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Final

from referwell.db.uow import UnitOfWork
from referwell.domain import vocabulary as v
from referwell.domain.case import Case
from referwell.domain.directory.matching import DEFAULT_K, DEFAULT_MAX_DISTANCE_KM, Options, Query
from referwell.domain.directory.model import Entry, codes
from referwell.domain.directory.needs import (
    CRISIS,
    CRISIS_FORMAT,
    NATIONAL_CRISIS_RESOURCES,
    NeedQuestion,
    questions,
)
from referwell.domain.errors import FieldError, InvalidInput
from referwell.services.directory.places import state_code, zip5, zip_centre
from referwell.services.permissions import Actor, Operator, Permission, require_permission

if TYPE_CHECKING:
    from referwell.services.directory.loading import IndexCache

LOCAL_CRISIS_SERVICES: Final = 5


@dataclass(frozen=True, slots=True)
class Place:
    """Where the client is, as matching measures it: a ZIP code's centre and its state."""

    postal_code: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    state: str | None = None

    @property
    def known(self) -> bool:
        return self.latitude is not None and self.longitude is not None


def place_of(postal_code: str | None, state: str | None = None) -> Place:
    """The client's place from a US ZIP code (its centre and state); a state given apart
    wins for telehealth. An unknown code leaves the distance unknown (nothing in person)."""
    given = state_code(state) if state else None
    five = zip5(postal_code)
    centre = zip_centre(five) if five else None
    if centre is None:
        return Place(postal_code, None, None, given)
    latitude, longitude, centre_state = centre
    return Place(postal_code, latitude, longitude, given or centre_state or None)


def service_codes(given: Iterable[str], where: str = "--service") -> frozenset[str]:
    """Service codes as given, each checked against the vocabulary."""
    found = codes(given)
    errors = [
        FieldError(where, f'unknown service code "{code}"; see `referwell schema case`')
        for code in sorted(found)
        if code not in v.SERVICES
    ]
    if not found:
        errors.append(FieldError(where, "give a service code, such as dbt or psychiatry"))
    if errors:
        raise InvalidInput(errors)
    return found


def query_for(
    services: Iterable[str],
    *,
    age: int,
    postal_code: str | None,
    state: str | None = None,
    insurance: Iterable[str] = (),
    languages: Sequence[str] = (),
    telehealth: bool = False,
    include_waitlist: bool = False,
    max_distance_km: float = DEFAULT_MAX_DISTANCE_KM,
    k: int = DEFAULT_K,
) -> Query:
    """A query from the search form's or the command's filters; InvalidInput names each
    filter that cannot be read."""
    errors: list[FieldError] = []
    if not 0 <= age <= 120:
        errors.append(FieldError("age", f"an age from 0 to 120; got {age}"))
    if state and state_code(state) is None:
        errors.append(FieldError("state", f'"{state}" is not a US state; give its two letters'))
    if not max_distance_km >= 0 or max_distance_km > 20_000:
        errors.append(FieldError("max_distance_km", "a distance from 0 to 20000 km"))
    if not 1 <= k <= 100:
        errors.append(FieldError("k", f"from 1 to 100 options; got {k}"))
    try:
        asked = service_codes(services, "service")
    except InvalidInput as exc:
        errors.extend(exc.errors)
        asked = frozenset()
    place = place_of(postal_code, state)
    if postal_code and not place.known:
        errors.append(FieldError("postal_code", f'"{postal_code}" is not a US ZIP code we know'))
    if errors:
        raise InvalidInput(errors, "search")
    return Query(
        services=asked,
        age=age,
        latitude=place.latitude,
        longitude=place.longitude,
        state=place.state,
        insurance=codes(insurance),
        languages=tuple(code.strip().lower() for code in languages if code.strip()),
        telehealth_ok=telehealth,
        include_waitlist=include_waitlist,
        max_distance_km=float(max_distance_km),
        k=k,
    )


@dataclass(frozen=True, slots=True)
class CaseQuestion:
    """One question a case asks of the directory, and its answer."""

    question: NeedQuestion
    options: Options


@dataclass(frozen=True, slots=True)
class CrisisResources:
    """What `crisis` is answered with: the national resources, then the directory's crisis
    services near the client."""

    because: tuple[str, ...]
    local: Options | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "format": CRISIS_FORMAT,
            "because": list(self.because),
            "national": [dict(resource) for resource in NATIONAL_CRISIS_RESOURCES],
            "local": [] if self.local is None else [o.as_dict() for o in self.local.options],
        }


@dataclass(frozen=True, slots=True)
class CaseAnswers:
    """Every referral need of a case, answered: the questions, then crisis resources."""

    place: Place
    answers: tuple[CaseQuestion, ...] = ()
    crisis: CrisisResources | None = None
    needs: tuple[Mapping[str, Any], ...] = field(default=())

    def as_list(self) -> list[dict[str, Any]]:
        """One object per question (`referwell.options/1`), and for `crisis` one
        `referwell.crisis_resources/1`."""
        out: list[dict[str, Any]] = []
        for answer in self.answers:
            found = answer.options.as_dict()
            found["question"] = {
                "key": answer.question.key,
                "because": list(answer.question.because),
                "adjunct": answer.question.adjunct,
                "urgent": answer.question.urgent,
            }
            out.append(found)
        if self.crisis is not None:
            out.append(self.crisis.as_dict())
        return out

    def for_service(self, service: str) -> CaseQuestion | None:
        """The question a need for `service` belongs to."""
        return next((a for a in self.answers if service in a.question.services), None)


def case_query(
    case: Case,
    question: NeedQuestion,
    place: Place,
    *,
    include_waitlist: bool = False,
    max_distance_km: float = DEFAULT_MAX_DISTANCE_KM,
    k: int = DEFAULT_K,
) -> Query:
    """The question as a query, with what the case says of the client."""
    client = case.client
    preferences = client.preferences
    return Query(
        services=question.services,
        age=client.age,
        latitude=place.latitude,
        longitude=place.longitude,
        state=place.state,
        insurance=codes(client.insurance),
        languages=tuple(code.lower() for code in client.languages),
        telehealth_ok=bool(client.telehealth_ok),
        include_waitlist=include_waitlist,
        urgent=question.urgent,
        max_distance_km=max_distance_km,
        k=k,
        conflicted=frozenset(
            arrangement.with_
            for arrangement in case.financial_arrangements
            if arrangement.kind in v.PROHIBITED_FINANCIAL_KINDS
        ),
        clinician_gender=preferences.clinician_gender if preferences else None,
        faith=preferences.faith if preferences else None,
        wants_sliding_scale=bool(preferences and preferences.sliding_scale),
        wants_in_person=bool(preferences and preferences.in_person),
    )


def _may_search(actor: Actor) -> None:
    """Clinicians and supervisors search in the web app; the operator at the command line."""
    require_permission(
        actor, Permission.OPERATE if isinstance(actor, Operator) else Permission.CLINICAL
    )


def search_directory(
    uow: UnitOfWork, actor: Actor, query: Query, *, cache: IndexCache | None = None
) -> Options:
    """The options for one query, best first, with what each hard filter left out (from
    `cache`, default the process's indexes)."""
    _may_search(actor)
    with uow:
        index = _indexes(cache).current(uow.session)
    return index.match(query)


def _indexes(cache: IndexCache | None) -> IndexCache:
    from referwell.services.directory.loading import INDEXES

    return cache if cache is not None else INDEXES


def search_case(
    uow: UnitOfWork,
    actor: Actor,
    case: Case,
    needs: Iterable[Mapping[str, Any]],
    *,
    include_waitlist: bool = False,
    max_distance_km: float = DEFAULT_MAX_DISTANCE_KM,
    k: int = DEFAULT_K,
    state: str | None = None,
    cache: IndexCache | None = None,
) -> CaseAnswers:
    """Every referral need of the case (an assessment's `referral_needs`) answered."""
    _may_search(actor)
    listed = tuple(needs)
    asked, crisis = questions(listed)
    place = place_of(case.client.postal_code, state)
    if not asked and not crisis:
        return CaseAnswers(place, needs=listed)
    with uow:
        index = _indexes(cache).current(uow.session)
    answers = []
    for question in asked:
        query = case_query(
            case,
            question,
            place,
            include_waitlist=include_waitlist and not question.urgent,
            max_distance_km=max_distance_km,
            k=k,
        )
        answers.append(CaseQuestion(question, index.match(query)))
    resources = None
    if crisis:
        because = tuple(str(n["because"]) for n in listed if n["service"] == CRISIS)
        local = None
        if place.known:
            crisis_question = NeedQuestion(frozenset({CRISIS}), because, False, True)
            query = replace(
                case_query(case, crisis_question, place, max_distance_km=max_distance_km),
                telehealth_ok=False,
                k=LOCAL_CRISIS_SERVICES,
            )
            local = index.match(query)
        resources = CrisisResources(because, local)
    return CaseAnswers(place, tuple(answers), resources, listed)


def directory_entry(uow: UnitOfWork, actor: Actor, entry_id: str) -> Entry:
    """One entry of the directory, whole, by its id; NotFound when there is none."""
    from referwell.db.directory.repository import load_entries
    from referwell.services.errors import NotFound

    _may_search(actor)
    with uow:
        found = load_entries(uow.session, [entry_id])
    if not found:
        raise NotFound("directory entry", entry_id)
    return found[0]


def record_options(
    uow: UnitOfWork,
    actor: Actor,
    case_document: Mapping[str, Any],
    assessment: Mapping[str, Any] | None,
    *,
    today: Any,
    k: int = 3,
) -> CaseAnswers | None:
    """The client page's options beside each referral need (a waitlist shown as uncertain);
    None when nothing is needed or the stored case does not validate."""
    from referwell.domain.caseformat import parse_case

    if not assessment or not assessment.get("referral_needs"):
        return None
    try:
        case = parse_case(case_document, today=today)
    except InvalidInput:
        return None
    return search_case(uow, actor, case, assessment["referral_needs"], include_waitlist=True, k=k)
