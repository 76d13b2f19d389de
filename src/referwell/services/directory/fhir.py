"""FHIR R4 in (`fhir_export` writes it): `Practitioner`, `PractitionerRole`,
`HealthcareService`, `Location` and `Organization` in a Bundle, checked with
`fhir.resources` (its R4B models).

A `PractitionerRole` is an entry of kind `practitioner` (its `Practitioner` gives the name,
gender, languages and credentials; a `Practitioner` no role names is an entry of its own);
a `HealthcareService` is an entry of kind `program`. Organizations and locations are found
by their references within the Bundle (`Organization/x`, or an entry's `fullUrl`).

What FHIR has elements for goes in them: names, gender, `communication` (BCP 47 language
tags), `qualification`, `specialty` (service codes, in the coding system
`urn:referwell:directory:service`), locations with address and position. Every other
fact is an extension whose URL is `urn:referwell:directory:` and the fact's name (see
`EXTENSIONS`). Ids FHIR does not allow are replaced by UUIDs made from them; the ids
themselves travel as identifiers (`urn:referwell:directory:entry`, `…:organization`,
`…:location`), so a round trip gives back the same entries. Codings of other systems are
read through the mapping file.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence
from typing import Any, Final

from referwell.domain import vocabulary as v
from referwell.services.directory.draft import Draft, Parsed, Place, finished, text
from referwell.services.directory.mapping import DirectoryMapping, Target
from referwell.services.directory.report import ImportReport, Origin, Refusals, refuse

FORMAT: Final = "fhir"
PREFIX: Final = "urn:referwell:directory:"
ENTRY_SYSTEM: Final = PREFIX + "entry"
ORGANIZATION_SYSTEM: Final = PREFIX + "organization"
LOCATION_SYSTEM: Final = PREFIX + "location"
SERVICE_SYSTEM: Final = PREFIX + "service"
LANGUAGE_SYSTEM: Final = "urn:ietf:bcp:47"
NAMESPACE: Final = uuid.uuid5(uuid.NAMESPACE_URL, "urn:referwell:directory:fhir")
FHIR_ID: Final = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")
# The extensions (URL: PREFIX + name) and their value's element.
EXTENSIONS: Final = {
    "age-min": "valueInteger",
    "age-max": "valueInteger",
    "telehealth": "valueBoolean",
    "telehealth-state": "valueCode",  # one a state; "none": licensed in no state
    "accepting-new-clients": "valueBoolean",
    "waitlist-weeks": "valueInteger",
    "sliding-scale": "valueBoolean",
    "insurance": "valueString",
    "fees": "valueString",
    "financial-arrangement": "valueCode",
    "gender": "valueCode",
    "faith": "valueString",
    "credential": "valueString",  # a program's; a practitioner's are its qualifications
}
NO_STATE: Final = "none"
FHIR_GENDER: Final = {"female": "female", "male": "male", "nonbinary": "other"}
BCP47: Final = {"asl": "ase"}  # codes of ISO 639-1's gaps, as BCP 47 writes them
READ: Final = ("PractitionerRole", "HealthcareService", "Practitioner", "Organization", "Location")
MAX_AGE: Final = 130


def fhir_id(kind: str, value: str) -> str:
    """`value` when FHIR allows it as an id, else a UUID made from it (the same every time)."""
    return value if FHIR_ID.match(value) else str(uuid.uuid5(NAMESPACE, f"{kind}:{value}"))


def check_bundle(data: Any, file: str) -> None:
    """Refuse, naming every element at fault, a document that is not a valid R4 Bundle."""
    from fhir.resources.R4B import get_fhir_model_class
    from fhir.resources.R4B.bundle import Bundle
    from pydantic import ValidationError

    if not isinstance(data, dict) or data.get("resourceType") != "Bundle":
        found = data.get("resourceType") if isinstance(data, dict) else None
        raise refuse(
            file,
            f"a FHIR {found}, not a Bundle: give the resources in a Bundle"
            if found
            else "not a FHIR Bundle",
            field_name="resourceType",
        )
    refusals = Refusals()
    entries = data.get("entry")
    shell = dict(data)
    if isinstance(entries, list):
        shell["entry"] = [
            {name: value for name, value in entry.items() if name != "resource"}
            if isinstance(entry, dict)
            else entry
            for entry in entries
        ]
    try:
        Bundle.model_validate(shell)
    except ValidationError as exc:
        _refusals(exc, "", file, refusals)
    for index, entry in enumerate(entries if isinstance(entries, list) else []):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(resource, dict):
            continue
        where = f"entry[{index}].resource"
        try:
            model = get_fhir_model_class(str(resource.get("resourceType")))
        except (KeyError, ValueError):
            refusals.add(
                Origin(file, f"entry[{index}]", "resource.resourceType"),
                f'"{resource.get("resourceType")}" is not a FHIR R4 resource type',
            )
            continue
        try:
            model.model_validate(resource)
        except ValidationError as exc:
            _refusals(exc, where, file, refusals)
    refusals.raise_if_any()


def _refusals(exc: Any, prefix: str, file: str, refusals: Refusals) -> None:
    for error in exc.errors():
        path = prefix
        for part in error["loc"]:
            path += f"[{part}]" if isinstance(part, int) else f".{part}" if path else str(part)
        entry, _, rest = path.partition(".")
        row, field = (entry, rest) if entry.startswith("entry[") else ("", path)
        refusals.add(Origin(file, row, field), str(error["msg"]))


def read_bundle(data: Any, file: str, mapping: DirectoryMapping) -> Parsed:
    """The entries of a FHIR R4 Bundle; InvalidInput when it is not a valid one."""
    check_bundle(data, file)
    report = ImportReport(FORMAT, file, mapping.source)
    reader = _BundleReader(data, file, report, mapping)
    return finished(reader.drafts(), report, Refusals())


class _BundleReader:
    def __init__(
        self, data: Mapping[str, Any], file: str, report: ImportReport, mapping: DirectoryMapping
    ) -> None:
        self.file, self.report, self.mapping = file, report, mapping
        self.resources: list[tuple[int, dict[str, Any]]] = []
        self.by_reference: dict[str, tuple[int, dict[str, Any]]] = {}
        others: dict[str, int] = {}
        for index, entry in enumerate(data.get("entry") or []):
            resource = entry.get("resource")
            if not isinstance(resource, dict):
                continue
            kind = str(resource["resourceType"])
            if kind not in READ:
                others[kind] = others.get(kind, 0) + 1
                continue
            self.resources.append((index, resource))
            if resource.get("id"):
                self.by_reference[f"{kind}/{resource['id']}"] = (index, resource)
            if entry.get("fullUrl"):
                self.by_reference[str(entry["fullUrl"])] = (index, resource)
        report.not_read.extend(f"{kind} ({n})" for kind, n in sorted(others.items()))
        # A Bundle referwell wrote names every location id by identifier; a Location without
        # one stands for a place that had none. In any other Bundle the Location's id is it.
        self.ours = any(
            str(identifier.get("system", "")).startswith(PREFIX)
            for _, resource in self.resources
            for identifier in resource.get("identifier") or []
            if isinstance(identifier, dict)
        )

    def resolve(self, reference: Any, kind: str) -> tuple[int, dict[str, Any]] | None:
        if not isinstance(reference, dict) or not reference.get("reference"):
            return None
        said = str(reference["reference"])
        found = self.by_reference.get(said)
        if found is None and "/" in said:  # an absolute URL ending in Type/id
            found = self.by_reference.get("/".join(said.rstrip("/").split("/")[-2:]))
        if found is None or found[1]["resourceType"] != kind:
            return None
        return found

    def drafts(self) -> list[Draft]:
        drafts = []
        with_roles: set[str] = set()
        for index, resource in self.resources:
            if resource["resourceType"] == "PractitionerRole":
                practitioner = self.resolve(resource.get("practitioner"), "Practitioner")
                if practitioner is not None:
                    with_roles.add(f"Practitioner/{practitioner[1].get('id')}")
                draft = self._role(index, resource, practitioner)
            elif resource["resourceType"] == "HealthcareService":
                draft = self._service(index, resource)
            else:
                continue
            if draft is not None:
                drafts.append(draft)
        for index, resource in self.resources:
            if (
                resource["resourceType"] == "Practitioner"
                and f"Practitioner/{resource.get('id')}" not in with_roles
            ):
                draft = self._start(index, resource, "practitioner", _person_name(resource))
                if draft is not None:
                    self._person(draft, resource, index)
                    drafts.append(draft)
        return drafts

    def _start(
        self, index: int, resource: Mapping[str, Any], kind: str, name: str | None
    ) -> Draft | None:
        origin = Origin(self.file, f"entry[{index}]")
        ident = _identifier(resource, ENTRY_SYSTEM) or text(resource.get("id"))
        if resource.get("active") is False:
            self.report.skipped(origin.at("active"), f"an inactive {resource['resourceType']}")
            return None
        if ident is None or name is None:
            self.report.skipped(
                origin.at("id" if ident is None else "name"),
                f"a {resource['resourceType']} needs an id and a name to be an entry",
            )
            return None
        return Draft(ident, kind, name, origin)

    def _role(
        self,
        index: int,
        role: Mapping[str, Any],
        practitioner: tuple[int, dict[str, Any]] | None,
    ) -> Draft | None:
        person = practitioner[1] if practitioner else {}
        name = _person_name(person) or text((role.get("practitioner") or {}).get("display"))
        draft = self._start(index, role, "practitioner", name)
        if draft is None:
            return None
        if practitioner is not None:
            self._person(draft, person, practitioner[0])
        elif role.get("practitioner"):
            self.report.noted(
                draft.origin.at("practitioner"),
                "names no Practitioner of this Bundle; its display is the name",
            )
        self._common(draft, role, "organization", ("specialty", "code"))
        return draft

    def _service(self, index: int, service: Mapping[str, Any]) -> Draft | None:
        draft = self._start(index, service, "program", text(service.get("name")))
        if draft is None:
            return None
        self._languages(draft, service)
        self._common(
            draft, service, "providedBy", ("category", "type", "specialty", "characteristic")
        )
        return draft

    def _person(self, draft: Draft, person: Mapping[str, Any], index: int) -> None:
        origin = Origin(self.file, f"entry[{index}]")
        self._extensions(draft, person, origin)
        gender = person.get("gender")
        if draft.gender is not None:  # said by the extension, more precisely
            pass
        elif gender in ("female", "male"):
            draft.gender = gender
        elif gender not in (None, "unknown"):
            draft.keep_unmapped("gender", str(gender))
            self.report.unmapped(
                origin.at("gender"),
                "no clinician gender of referwell's (female, male, or nonbinary by extension)",
                value=gender,
            )
        for qualification in person.get("qualification") or []:
            said = _concept_text(qualification.get("code"))
            if said and said not in draft.credentials:
                draft.credentials.append(said)
        self._languages(draft, person, index)

    def _languages(
        self, draft: Draft, resource: Mapping[str, Any], index: int | None = None
    ) -> None:
        origin = draft.origin if index is None else Origin(self.file, f"entry[{index}]")
        for concept in resource.get("communication") or []:
            said = [c.get("code") for c in concept.get("coding") or []]
            said += [c.get("display") for c in concept.get("coding") or []] + [concept.get("text")]
            code = next((found for s in said if (found := self.mapping.language(s))), None)
            if code is not None:
                draft.languages.add(code)
            else:
                shown = next((str(s) for s in said if s), "")
                draft.keep_unmapped("languages", shown)
                self.report.unmapped(
                    origin.at("communication"), "not a language code or name", value=shown
                )

    def _common(
        self, draft: Draft, resource: Mapping[str, Any], owner: str, coded: Sequence[str]
    ) -> None:
        self._organization(draft, resource.get(owner), owner)
        for number, reference in enumerate(resource.get("location") or []):
            found = self.resolve(reference, "Location")
            if found is None:
                self.report.skipped(
                    draft.origin.at(f"location[{number}]"),
                    "names no Location of this Bundle",
                    value=reference.get("reference"),
                )
            else:
                draft.places.append(self._place(*found))
        for element in coded:
            for number, concept in enumerate(resource.get(element) or []):
                self._concept(draft, concept, draft.origin.at(f"{element}[{number}]"))
        self._extensions(draft, resource, draft.origin)

    def _organization(self, draft: Draft, reference: Any, owner: str) -> None:
        if not reference:
            return
        found = self.resolve(reference, "Organization")
        if found is None:
            self.report.corrected(
                draft.origin.at(owner),
                "names no Organization of this Bundle; the entry is imported without one",
                value=reference.get("reference") or reference.get("display"),
            )
            return
        organization = found[1]
        draft.organization_id = _identifier(organization, ORGANIZATION_SYSTEM) or text(
            organization.get("id")
        )
        draft.organization_name = text(organization.get("name")) or draft.organization_id

    def _place(self, index: int, location: Mapping[str, Any]) -> Place:
        origin = Origin(self.file, f"entry[{index}]")
        address = location.get("address") or {}
        position = location.get("position") or {}
        lines = [line for line in address.get("line") or [] if line]
        return Place(
            origin,
            postal_code=text(address.get("postalCode")),
            state=text(address.get("state")),
            latitude=_degrees(position.get("latitude")),
            longitude=_degrees(position.get("longitude")),
            location_id=_identifier(location, LOCATION_SYSTEM)
            or (None if self.ours else text(location.get("id"))),
            name=text(location.get("name")),
            address=", ".join(lines) or None,
            city=text(address.get("city")),
            country=text(address.get("country")),
        )

    def _concept(self, draft: Draft, concept: Mapping[str, Any], origin: Origin) -> None:
        codings = concept.get("coding") or []
        unmapped = []
        for coding in codings:
            system, code, display = (text(coding.get(n)) for n in ("system", "code", "display"))
            if system == SERVICE_SYSTEM and code in v.SERVICES:
                targets: tuple[Target, ...] | None = (Target(None, code),)
            else:
                keys = [f"{system}|{code}" if system and code else None, code, display]
                targets = self.mapping.meaning(keys)
            if targets is None or not draft.apply(targets, None, origin, self.report, self.mapping):
                unmapped.append((system, code, display))
        if not codings and concept.get("text"):
            targets = self.mapping.meaning([concept["text"]])
            if targets is None or not draft.apply(targets, None, origin, self.report, self.mapping):
                unmapped.append((None, None, str(concept["text"])))
        for system, code, display in unmapped:
            draft.keep_unmapped(
                "coding", display or code or "", system=system or "", code=code or ""
            )
            self.report.unmapped(
                origin,
                "a coding the mapping file does not map",
                value=f"{display or code} ({system}|{code})",
            )

    def _extensions(self, draft: Draft, resource: Mapping[str, Any], origin: Origin) -> None:
        for extension in resource.get("extension") or []:
            url = str(extension.get("url") or "")
            if not url.startswith(PREFIX):
                continue
            name = url.removeprefix(PREFIX)
            element = EXTENSIONS.get(name)
            value = extension.get(element) if element else None
            if value is None or not self._fact(draft, name, value):
                shown = next(
                    (str(val) for key, val in extension.items() if key.startswith("value")), ""
                )
                draft.keep_unmapped("extension", shown, url=url)
                self.report.unmapped(
                    origin.at("extension"),
                    "an extension referwell does not read",
                    value=f"{url} {shown}",
                )

    def _fact(self, draft: Draft, name: str, value: Any) -> bool:
        """Apply a referwell extension's value; False when it is not one that fact takes."""
        if name in ("age-min", "age-max"):
            if not 0 <= value <= MAX_AGE:
                return False
            setattr(draft, name.replace("-", "_"), value)
        elif name == "telehealth-state":
            if value == NO_STATE:
                draft.telehealth_states = draft.telehealth_states or set()
                return True
            resolved = self.mapping.resolve(Target("telehealth_state", str(value)), None)
            if resolved is None:
                return False
            draft.telehealth_states = {*(draft.telehealth_states or ()), resolved[1]}
        elif name == "fees":
            draft.fees = str(value)
        elif name == "credential":
            if value not in draft.credentials:
                draft.credentials.append(str(value))
        else:
            fact = name.replace("-", "_")
            said = ("yes" if value else "no") if isinstance(value, bool) else str(value)
            resolved = self.mapping.resolve(Target(fact, said), None)
            if resolved is None:
                return False
            draft.set_fact(resolved[0], resolved[1], draft.origin, self.report)
        return True


def _identifier(resource: Mapping[str, Any], system: str) -> str | None:
    for identifier in resource.get("identifier") or []:
        if identifier.get("system") == system and text(identifier.get("value")):
            return text(identifier["value"])
    return None


def _person_name(person: Mapping[str, Any]) -> str | None:
    for name in person.get("name") or []:
        if said := text(name.get("text")):
            return said
        parts = [*(name.get("prefix") or []), *(name.get("given") or []), name.get("family")]
        if said := " ".join(str(part) for part in parts if part):
            return said
    return None


def _concept_text(concept: Any) -> str | None:
    if not isinstance(concept, dict):
        return None
    codings = concept.get("coding") or []
    return text(concept.get("text")) or next(
        (
            text(c.get("display") or c.get("code"))
            for c in codings
            if c.get("display") or c.get("code")
        ),
        None,
    )


def _degrees(value: Any) -> float | None:
    return None if value is None else float(value)
