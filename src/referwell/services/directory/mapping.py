"""The mapping file: how the importers read another vocabulary's terms as referwell's codes.

A TOML file the operator can edit (`referwell directory import --mapping FILE`; the one
shipped is `directory_mapping.toml` beside this module) with three tables:

- `[terms]`: a taxonomy term, a FHIR coding or a service word -> a list of targets. A
  target is a service code of the vocabulary (`cbt`, `psychiatry`, `adolescents` …) or a
  fact, `name=value` (`telehealth=yes`, `insurance=medicaid`), whose value may be
  `{value}`: the value of the HSDS attribute that carries the term. An empty list means
  "known, and means nothing for matching": such a term is not reported.
- `[languages]`: a language's name or code (`spa`, `Spanish`) -> its ISO 639-1 code.
- `[insurance]`: a payer's name -> the payer identifier clients' cases use.

Keys are matched without regard to case or repeated spaces. A term is looked up, first
match winning, as `code=value` and `name=value` (an attribute with a value), as
`taxonomy:code` (HSDS) or `system|code` (FHIR), then as its code, then as its name.
What maps to nothing is kept on the entry and reported, never dropped.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Final

from referwell.domain import vocabulary as v
from referwell.domain.errors import FieldError, InvalidInput, nearest, quoted_choice
from referwell.services.directory.places import state_code

MAPPING_FORMAT: Final = "referwell.directory_mapping/1"
DEFAULT_MAPPING: Final = "directory_mapping.toml"
VALUE: Final = "{value}"
YES: Final = frozenset({"yes", "y", "true", "1"})
NO: Final = frozenset({"no", "n", "false", "0"})
BOOLEAN_FACTS: Final = ("telehealth", "accepting_new_clients", "sliding_scale")
# Every fact a target may set, and what its value must be.
FACTS: Final[dict[str, str]] = {
    "kind": "practitioner or program",
    "telehealth": "yes or no",
    "accepting_new_clients": "yes or no",
    "sliding_scale": "yes or no",
    "waitlist_weeks": "a whole number of weeks, 0 to 520",
    "insurance": "a payer's name or identifier",
    "language": "a language's ISO 639-1 code or its name",
    "telehealth_state": "a US state's two-letter code or name",
    "gender": "female, male or nonbinary",
    "faith": "a faith, in words",
    "credential": "a credential or licence, in words (LCSW, PhD)",
    "financial_arrangement": quoted_choice(v.FINANCIAL_KINDS),
}
GENDERS: Final = tuple(code for code in v.CLINICIAN_GENDERS if code != "any")
EXTRA_LANGUAGES: Final = frozenset({"asl"})  # American Sign Language has no ISO 639-1 code
_REGION: Final = re.compile(r"^([a-z]{2,3})[-_][a-z0-9]{2,8}$")


def key(text: str) -> str:
    """A key as the mapping compares it: no case, single spaces."""
    return " ".join(text.split()).casefold()


@dataclass(frozen=True, slots=True)
class Target:
    """What a term means: a service code (`fact` None) or a fact and its value."""

    fact: str | None
    value: str

    def __str__(self) -> str:
        return self.value if self.fact is None else f"{self.fact}={self.value}"


@dataclass(frozen=True, slots=True)
class DirectoryMapping:
    """A loaded mapping file (see the module's docstring)."""

    terms: Mapping[str, tuple[Target, ...]] = field(default_factory=dict)
    languages: Mapping[str, str] = field(default_factory=dict)
    insurance: Mapping[str, str] = field(default_factory=dict)
    source: str = "default"

    def meaning(self, keys: Iterable[str | None]) -> tuple[Target, ...] | None:
        """The targets of the first of `keys` the mapping holds; None when none is held."""
        for candidate in keys:
            if candidate and (found := self.terms.get(key(candidate))) is not None:
                return found
        return None

    def language(self, text: str | None) -> str | None:
        """An ISO 639-1 code for a code, a tag (`es-MX`) or a name; None when unknown."""
        if not text or not text.strip():
            return None
        word = key(text)
        if word in v.LANGUAGES or word in EXTRA_LANGUAGES:
            return word
        if word in self.languages:
            return self.languages[word]
        if word in v.LANGUAGE_NAMES:
            return v.LANGUAGE_NAMES[word]
        if (region := _REGION.match(word)) is not None:
            return self.language(region.group(1))
        return None

    def payer(self, text: str) -> str:
        """A payer identifier: the mapping's for a name it holds, else the words themselves
        (lower case, single spaces): any identifier is a payer's."""
        word = key(text)
        return self.insurance.get(word, word)

    def resolve(self, target: Target, value: str | None) -> tuple[str | None, str] | None:
        """(fact, value) for a target, `{value}` replaced by the attribute's value and the
        value normalised; None when the value means nothing for that fact."""
        if target.fact is None:
            return None, target.value
        raw = value if target.value == VALUE else target.value
        if raw is None or not raw.strip():
            return None
        normalised = fact_value(target.fact, raw, self)
        return None if normalised is None else (target.fact, normalised)


def fact_value(fact: str, raw: str, mapping: DirectoryMapping) -> str | None:
    """A fact's value in its normal form (`yes`, `CA`, `es`, `12`); None when `raw` is not
    a value of that fact."""
    word = key(raw)
    if fact in BOOLEAN_FACTS:
        return "yes" if word in YES else "no" if word in NO else None
    if fact == "kind":
        return word if word in ("practitioner", "program") else None
    if fact == "waitlist_weeks":
        return word if word.isdigit() and int(word) <= 520 else None
    if fact == "insurance":
        return mapping.payer(raw)
    if fact == "language":
        return mapping.language(raw)
    if fact == "telehealth_state":
        return state_code(raw)
    if fact == "gender":
        return word if word in GENDERS else None
    if fact == "financial_arrangement":
        return word if word in v.FINANCIAL_KINDS else None
    if fact == "faith":
        return word or None
    if fact == "credential":
        return " ".join(raw.split()) or None
    return None


def parse_target(text: str, mapping: DirectoryMapping) -> Target | str:
    """A target written in the file, or what is wrong with it."""
    if "=" not in text:
        code = text.strip()
        if code in v.SERVICES:
            return Target(None, code)
        return (
            f'"{code}" is not a service code of the vocabulary; did you mean '
            f"{quoted_choice(nearest(code, v.SERVICES))}? (a fact is written name=value)"
        )
    fact, _, value = (part.strip() for part in text.partition("="))
    if fact not in FACTS:
        return f'"{fact}" is not a fact; use {quoted_choice(list(FACTS))}'
    if value == VALUE:
        return Target(fact, VALUE)
    normalised = fact_value(fact, value, mapping)
    if normalised is None:
        return f'{fact}: "{value}" is not {FACTS[fact]} (or {VALUE})'
    return Target(fact, normalised)


def load_mapping(path: Path | None = None) -> DirectoryMapping:
    """The mapping file at `path`, else the one shipped. Raises InvalidInput naming the
    file and the key at fault."""
    if path is None:
        shipped = resources.files("referwell.services.directory").joinpath(DEFAULT_MAPPING)
        text = shipped.read_text(encoding="utf-8")
        return parse_mapping(text, "default")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(
            [FieldError(f"--mapping {path}", f"cannot be read ({type(exc).__name__})")],
            "mapping file",
        ) from None
    return parse_mapping(text, str(path))


def parse_mapping(text: str, source: str) -> DirectoryMapping:
    """A mapping file's text, checked whole: every wrong key or target is named."""
    name = "mapping" if source == "default" else source
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput([FieldError(name, f"not valid TOML: {exc}")], "mapping file") from None
    errors: list[FieldError] = []
    known = {"format", "terms", "languages", "insurance"}
    errors.extend(
        FieldError(f"{name}: {extra}", f"unknown table; use {quoted_choice(sorted(known))}")
        for extra in sorted(set(data) - known)
    )
    if data.get("format", MAPPING_FORMAT) != MAPPING_FORMAT:
        errors.append(FieldError(f"{name}: format", f'expected "{MAPPING_FORMAT}"'))
    languages = _table(data, "languages", name, errors)
    insurance = _table(data, "insurance", name, errors)
    plain = DirectoryMapping(
        languages={key(k): key(val) for k, val in languages.items()},
        insurance={key(k): key(val) for k, val in insurance.items()},
        source=source,
    )
    for word, code in plain.languages.items():
        if code not in v.LANGUAGES and code not in EXTRA_LANGUAGES:
            errors.append(
                FieldError(f"{name}: languages.{word}", f'"{code}" is not an ISO 639-1 code')
            )
    terms: dict[str, tuple[Target, ...]] = {}
    table = data.get("terms", {})
    if not isinstance(table, dict):
        errors.append(FieldError(f"{name}: terms", 'expected a table of "term" = ["target", …]'))
        table = {}
    for word, targets in table.items():
        where = f"{name}: terms.{word}"
        if not isinstance(targets, list) or not all(isinstance(t, str) for t in targets):
            errors.append(FieldError(where, 'expected a list of targets, as ["cbt"]'))
            continue
        parsed = [parse_target(target, plain) for target in targets]
        errors.extend(FieldError(where, p) for p in parsed if isinstance(p, str))
        terms[key(word)] = tuple(p for p in parsed if isinstance(p, Target))
    if errors:
        raise InvalidInput(errors, "mapping file")
    return DirectoryMapping(terms, plain.languages, plain.insurance, source)


def _table(
    data: Mapping[str, Any], table: str, name: str, errors: list[FieldError]
) -> dict[str, str]:
    found = data.get(table, {})
    if not isinstance(found, dict) or not all(isinstance(val, str) for val in found.values()):
        errors.append(FieldError(f"{name}: {table}", 'expected a table of "name" = "code"'))
        return {}
    return dict(found)
