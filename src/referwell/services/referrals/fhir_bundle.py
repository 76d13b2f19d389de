"""A referral as a FHIR R4 Bundle (type `collection`), built from a `release.Release` and
validated with `fhir.resources` (its R4B models) as it is built:

- `ServiceRequest`: the referral (status from the referral's, intent `order`, category
  SNOMED 3457005 "Patient referral"); the service asked for, priority and reason only with
  `referral_reason`; the transfer summary and what has been tried as notes only with
  `transfer_summary`;
- `Task`: its status is the referral's status (FHIR `Task.status`), `businessStatus` the
  referral's business status; it tracks the `ServiceRequest`;
- `Patient`: name, telecom and postal code only with `identity_contact` (else an id alone);
- `Observation`s: the questionnaire totals, only with `questionnaire_summaries` (LOINC for the
  PHQ-9 and GAD-7 totals, a text code for the others);
- `Consent`: each consent in force for the recipient: its scopes, period and recipient.

The partner endpoint sends the same Bundle (`bundle_of`).
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime
from typing import Any, Final

from sqlalchemy.orm import Session

from referwell.db.audit import AuditAction
from referwell.db.referrals.models import Referral
from referwell.db.uow import UnitOfWork
from referwell.services.auditing import ReadAudit
from referwell.services.permissions import Actor
from referwell.services.referrals.release import (
    SCOPE_WORDS,
    QuestionnaireResult,
    Release,
    load_release,
    release_for,
)

PREFIX: Final = "urn:referwell:"
REFERRAL_SYSTEM: Final = PREFIX + "referral"
CLIENT_SYSTEM: Final = PREFIX + "client"
SERVICE_SYSTEM: Final = PREFIX + "directory:service"  # as the directory's FHIR names services
ENTRY_SYSTEM: Final = PREFIX + "directory:entry"
BUSINESS_STATUS_SYSTEM: Final = PREFIX + "referral-business-status"
SCOPE_SYSTEM: Final = PREFIX + "consent-scope"
BAND_SYSTEM: Final = PREFIX + "severity-band"
INSTRUMENT_SYSTEM: Final = PREFIX + "instrument"
LOINC: Final = "http://loinc.org"
SNOMED: Final = "http://snomed.info/sct"
NAMESPACE: Final = uuid.uuid5(uuid.NAMESPACE_URL, "urn:referwell:referral:fhir")

# LOINC codes of the questionnaire totals that have one.
LOINC_TOTALS: Final = {
    "PHQ-9": ("44261-6", "Patient Health Questionnaire 9 item (PHQ-9) total score [Reported]"),
    "GAD-7": ("70274-6", "Generalized anxiety disorder 7 item (GAD-7) total score [Reported.PHQ]"),
}
# The referral's status (FHIR Task.status) as the ServiceRequest's (request-status).
REQUEST_STATUS: Final = {
    "draft": "draft",
    "requested": "active",
    "received": "active",
    "accepted": "active",
    "in-progress": "active",
    "on-hold": "on-hold",
    "completed": "completed",
    "cancelled": "revoked",
    "rejected": "revoked",
    "failed": "revoked",
    "entered-in-error": "entered-in-error",
}
PRIORITY: Final = {"routine": "routine", "soon": "urgent", "urgent": "asap"}


def referral_bundle(
    uow: UnitOfWork,
    actor: Actor,
    referral_id: int,
    reads: ReadAudit,
    *,
    option_id: int | None = None,
    on: date | None = None,
) -> dict[str, Any]:
    """The Bundle of referral `referral_id` for its chosen recipient (or option
    `option_id`), through the permission check; audited as REFERRAL_EXPORT."""
    release = load_release(
        uow,
        actor,
        referral_id,
        reads,
        action=AuditAction.REFERRAL_EXPORT,
        option_id=option_id,
        on=on,
    )
    return bundle_of(release)


def outgoing_bundle_of(session: Session, referral: Referral, on: date) -> dict[str, Any]:
    """The Bundle of an outgoing referral to its chosen recipient on `on` (no permission check
    and no audit: for the partner exchange, which loaded the referral itself)."""
    return bundle_of(release_for(session, referral, on))


def bundle_json(bundle: dict[str, Any]) -> str:
    return json.dumps(bundle, indent=2, ensure_ascii=False) + "\n"


def resource_ids(release: Release) -> dict[str, str]:
    """The ids of the Bundle's resources: the same for the same referral every time."""

    def ident(kind: str) -> str:
        return str(uuid.uuid5(NAMESPACE, f"{release.practice_id}:{release.referral_id}:{kind}"))

    return {kind: ident(kind) for kind in ("ServiceRequest", "Task", "Patient")}


def bundle_of(release: Release) -> dict[str, Any]:
    """The release as a FHIR R4 Bundle (collection); every resource validated by its R4B
    model (a `pydantic.ValidationError` is a bug here, never the user's input)."""
    ids = resource_ids(release)
    patient_ref = {"reference": f"urn:uuid:{ids['Patient']}"}
    observations = [
        _observation(release, q, patient_ref, which)
        for q in release.questionnaires
        for which in (("first", "latest") if q.first is not None else ("latest",))
    ]
    consents = [_consent(release, index, patient_ref) for index in range(len(release.consents))]
    resources = [
        _service_request(release, ids, patient_ref, observations),
        _task(release, ids, patient_ref),
        _patient(release, ids),
        *observations,
        *consents,
    ]
    bundle = {
        "resourceType": "Bundle",
        "id": str(uuid.uuid5(NAMESPACE, f"{release.practice_id}:{release.referral_id}:bundle")),
        "type": "collection",
        "timestamp": _instant(release.updated_at),
        "entry": [
            {"fullUrl": f"urn:uuid:{resource['id']}", "resource": resource}
            for resource in resources
        ],
    }
    _validate(bundle)
    return bundle


def _validate(bundle: dict[str, Any]) -> None:
    from fhir.resources.R4B import get_fhir_model_class
    from fhir.resources.R4B.bundle import Bundle

    Bundle.model_validate(bundle)
    for entry in bundle["entry"]:
        resource = entry["resource"]
        get_fhir_model_class(resource["resourceType"]).model_validate(resource)


def _instant(moment: datetime) -> str:
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).isoformat(timespec="seconds")


def _requester(release: Release) -> dict[str, Any]:
    return {"display": f"{release.sender.clinician_name}, {release.sender.practice_name}"}


def _performer(release: Release) -> dict[str, Any]:
    return {
        "display": release.recipient_name,
        "identifier": {"system": ENTRY_SYSTEM, "value": release.recipient_external_id},
    }


def _identifier(release: Release) -> list[dict[str, Any]]:
    return [{"system": REFERRAL_SYSTEM, "value": f"{release.practice_id}-{release.referral_id}"}]


def _service_request(
    release: Release,
    ids: dict[str, str],
    patient_ref: dict[str, Any],
    observations: list[dict[str, Any]],
) -> dict[str, Any]:
    request: dict[str, Any] = {
        "resourceType": "ServiceRequest",
        "id": ids["ServiceRequest"],
        "identifier": _identifier(release),
        "status": REQUEST_STATUS[release.status],
        "intent": "order",
        "category": [
            {"coding": [{"system": SNOMED, "code": "3457005", "display": "Patient referral"}]}
        ],
        "subject": patient_ref,
        "authoredOn": _instant(release.sent_at or release.created_at),
        "requester": _requester(release),
        "performer": [_performer(release)],
    }
    if release.reason is not None:
        reason = release.reason
        if reason.need_service:
            request["code"] = {
                "coding": [
                    {
                        "system": SERVICE_SYSTEM,
                        "code": reason.need_service,
                        "display": reason.service_label,
                    }
                ],
                "text": reason.service_label,
            }
        request["priority"] = PRIORITY[reason.urgency]
        if reason.text:
            request["reasonCode"] = [{"text": reason.text}]
    if release.transfer is not None:
        notes = []
        if release.transfer.summary:
            notes.append({"text": release.transfer.summary})
        if release.transfer.tried:
            notes.append({"text": "What has been tried: " + "; ".join(release.transfer.tried)})
        if notes:
            request["note"] = notes
    if observations:
        request["supportingInfo"] = [{"reference": f"urn:uuid:{o['id']}"} for o in observations]
    return request


def _task(release: Release, ids: dict[str, str], patient_ref: dict[str, Any]) -> dict[str, Any]:
    return {
        "resourceType": "Task",
        "id": ids["Task"],
        "identifier": _identifier(release),
        "status": release.status,
        "businessStatus": {
            "coding": [{"system": BUSINESS_STATUS_SYSTEM, "code": release.business_status}],
            "text": release.business_status.replace("_", " "),
        },
        "intent": "order",
        "code": {
            "coding": [
                {
                    "system": "http://hl7.org/fhir/CodeSystem/task-code",
                    "code": "fulfill",
                    "display": "Fulfill the focal request",
                }
            ]
        },
        "focus": {"reference": f"urn:uuid:{ids['ServiceRequest']}"},
        "for": patient_ref,
        "authoredOn": _instant(release.created_at),
        "lastModified": _instant(release.updated_at),
        "requester": _requester(release),
        "owner": _performer(release),
    }


def _patient(release: Release, ids: dict[str, str]) -> dict[str, Any]:
    patient: dict[str, Any] = {"resourceType": "Patient", "id": ids["Patient"]}
    identity = release.identity
    if identity is None:
        return patient
    patient["identifier"] = [{"system": CLIENT_SYSTEM, "value": identity.external_id}]
    patient["name"] = [{"text": identity.name}]
    telecom = []
    if identity.phone:
        telecom.append({"system": "phone", "value": identity.phone})
    if identity.email:
        telecom.append({"system": "email", "value": identity.email})
    if telecom:
        patient["telecom"] = telecom
    if identity.postal_code:
        patient["address"] = [{"postalCode": identity.postal_code}]
    return patient


def _observation(
    release: Release, q: QuestionnaireResult, patient_ref: dict[str, Any], which: str
) -> dict[str, Any]:
    total, day = (q.latest, q.latest_on) if which == "latest" else (q.first, q.first_on)
    if total is None or day is None:  # pragma: no cover - "first" only when there is one
        raise ValueError(f"{q.instrument} has no {which} total")
    loinc = LOINC_TOTALS.get(q.instrument)
    coding = [{"system": INSTRUMENT_SYSTEM, "code": q.instrument, "display": f"{q.title} total"}]
    if loinc:
        coding.insert(0, {"system": LOINC, "code": loinc[0], "display": loinc[1]})
    observation: dict[str, Any] = {
        "resourceType": "Observation",
        "id": str(
            uuid.uuid5(
                NAMESPACE,
                f"{release.practice_id}:{release.referral_id}:{q.instrument}:{which}",
            )
        ),
        "status": "final",
        "category": [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                        "code": "survey",
                        "display": "Survey",
                    }
                ]
            }
        ],
        "code": {"coding": coding, "text": f"{q.instrument} total score"}
        if loinc
        else {"text": f"{q.instrument} total score ({q.title})"},
        "subject": patient_ref,
        "effectiveDateTime": day.isoformat(),
        "valueInteger": total,
    }
    if which == "latest":
        band = q.severity_label
        interpretation: dict[str, Any] = {
            "text": (band or "no severity bands") + (", at caseness" if q.caseness else "")
        }
        if q.severity:
            interpretation["coding"] = [{"system": BAND_SYSTEM, "code": q.severity}]
        observation["interpretation"] = [interpretation]
        observation["note"] = [{"text": q.meaning}]
    return observation


def _consent(release: Release, index: int, patient_ref: dict[str, Any]) -> dict[str, Any]:
    c = release.consents[index]
    return {
        "resourceType": "Consent",
        "id": str(uuid.uuid5(NAMESPACE, f"{release.practice_id}:consent:{c.consent_id}")),
        "status": "active",
        "scope": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/consentscope",
                    "code": "patient-privacy",
                    "display": "Privacy Consent",
                }
            ]
        },
        "category": [
            {
                "coding": [{"system": LOINC, "code": "59284-0", "display": "Patient Consent"}],
                "text": "Consent to release information",
            }
        ],
        "patient": patient_ref,
        "dateTime": c.granted_on.isoformat(),
        "policyRule": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
                    "code": "OPTIN",
                    "display": "opt-in",
                }
            ]
        },
        "provision": {
            "type": "permit",
            "period": {"start": c.valid_from.isoformat(), "end": c.valid_until.isoformat()},
            "actor": [
                {
                    "role": {
                        "coding": [
                            {
                                "system": "http://terminology.hl7.org/CodeSystem/v3-ParticipationType",
                                "code": "IRCP",
                                "display": "information recipient",
                            }
                        ]
                    },
                    "reference": {"display": c.recipient_name},
                }
            ],
            "action": [
                {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/consentaction",
                            "code": "disclose",
                        }
                    ]
                }
            ],
            "code": [
                {"coding": [{"system": SCOPE_SYSTEM, "code": s}], "text": SCOPE_WORDS[s]}
                for s in c.scopes
            ],
        },
    }
