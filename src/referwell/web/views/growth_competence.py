"""A clinician's own growth: the evidence for their competencies, their continuing-education
log (with its CSV and the certificate files), their licence, and their growth plan.

Each form posts to its own route; on success the browser is sent back to the page it came
from (`back`: the evidence page or the CE log), on a refusal that page is shown again with
status 422 and each error beside its field; nothing was saved.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from referwell.domain import vocabulary as v
from referwell.domain.errors import FieldError, InvalidInput
from referwell.domain.growth.ce import CE_CATEGORIES
from referwell.domain.growth.entries import PERIOD_CHOICES
from referwell.services.errors import NotFound
from referwell.services.growth import ce_log as ce
from referwell.services.growth import evidence as service
from referwell.services.growth import plan as plans
from referwell.services.growth.evidence import MAX_CERTIFICATE_BYTES
from referwell.web.guard import access
from referwell.web.rendering import flash, render
from referwell.web.state import web_state

COMPETENCY_GROUPS: Final = (
    ("Modalities", v.MODALITIES),
    ("Specialty areas", v.SPECIALTY_AREAS),
    ("Populations and formats", v.POPULATIONS),
    ("Care settings and professions", v.CARE_SETTINGS),
    ("General conditions", v.GENERAL_CONDITIONS),
)
# Why a claim counts, or does not, in words.
BECAUSE: Final = {
    "verified": "verified by {by}",
    "attested": "attested by {by} when cases were imported",
    "certified": "a current certification",
    "evidence": "its training and supervised hours meet the practice's minimum",
    "licence": "within the licence: no further evidence needed",
    "in_training": "in training until verified or its evidence meets the minimum",
}
FIELD_WORDS: Final = {
    "title": "Title",
    "provider": "Provider",
    "hours": "Hours",
    "date": "Date",
    "category": "Category",
    "code": "Competency",
    "certificate": "Certificate file",
    "issuer": "Issuer",
    "number": "Number",
    "issued_on": "Issued on",
    "expires_on": "Expires on",
    "with_whom": "With whom",
    "ref": "Entry",
    "reason": "Reason",
    "renews_on": "Renews on",
    "period_months": "Licence period",
    "required_hours": "Hours required per period",
}
BACK: Final = {"evidence": "growth_evidence", "ce": "growth_ce"}


def worded(errors: Sequence[FieldError]) -> dict[str, list[str]]:
    """A refused form's errors by field, as the domain worded them for people."""
    out: dict[str, list[str]] = {}
    for error in errors:
        out.setdefault(error.path, []).append(error.message)
    return out


def _common() -> dict[str, Any]:
    return {
        "groups": COMPETENCY_GROUPS,
        "because": BECAUSE,
        "categories": CE_CATEGORIES,
        "field_words": FIELD_WORDS,
        "period_choices": PERIOD_CHOICES,
        "max_certificate_mb": MAX_CERTIFICATE_BYTES // 1_000_000,
    }


def _evidence_page(
    request: Request,
    *,
    status: int = 200,
    form: str | None = None,
    errors: Mapping[str, Sequence[str]] | None = None,
    values: Mapping[str, Any] | None = None,
) -> Response:
    state = web_state(request)
    overview = service.my_competence(state.uow(), access(request).actor, today=state.today())
    return render(
        request,
        "growth_evidence.html",
        {
            **_common(),
            "overview": overview,
            "today": state.today(),
            "form": form,
            "errors": errors or {},
            "values": values or {},
        },
        status_code=status,
    )


def evidence_page(request: Request) -> Response:
    return _evidence_page(request)


def _ce_page(
    request: Request,
    *,
    status: int = 200,
    form: str | None = None,
    errors: Mapping[str, Sequence[str]] | None = None,
    values: Mapping[str, Any] | None = None,
) -> Response:
    state = web_state(request)
    log = ce.ce_log(state.uow(), access(request).actor, today=state.today())
    return render(
        request,
        "growth_ce.html",
        {
            **_common(),
            "log": log,
            "today": state.today(),
            "form": form,
            "errors": errors or {},
            "values": values or {},
        },
        status_code=status,
    )


def ce_page(request: Request) -> Response:
    """The CE log; `?format=csv` downloads it."""
    if request.query_params.get("format") == "csv":
        state = web_state(request)
        actor = access(request).actor
        log = ce.ce_log(state.uow(), actor, today=state.today())
        return Response(
            ce.ce_csv(state.write_uow(), actor, log),
            media_type="text/csv; charset=utf-8",
            headers={
                "Content-Disposition": (
                    f'attachment; filename="ce-log-{state.today().isoformat()}.csv"'
                )
            },
        )
    return _ce_page(request)


def _fields(request: Request, names: Sequence[str]) -> dict[str, str]:
    found = access(request)
    return {name: found.field(name) for name in names}


def _back(request: Request) -> str:
    chosen = access(request).field("back")
    return chosen if chosen in BACK else "evidence"


def _refused(
    request: Request, form: str, refused: InvalidInput, values: Mapping[str, Any]
) -> Response:
    page = _ce_page if _back(request) == "ce" else _evidence_page
    return page(request, status=422, form=form, errors=worded(refused.errors), values=values)


def _done(request: Request, notice: str, anchor: str = "") -> Response:
    flash(request, notice)
    target = request.app.url_path_for(BACK[_back(request)])
    return RedirectResponse(f"{target}{anchor}", status_code=303)


def add_training(request: Request) -> Response:
    found = access(request)
    state = web_state(request)
    fields = _fields(request, ("title", "provider", "hours", "date", "category", "code"))
    upload = found.form.get("certificate") if found.form is not None else None
    certificate = None
    if isinstance(upload, UploadFile):
        # Read at most one byte more than allowed: enough to refuse a larger file.
        content = upload.file.read(MAX_CERTIFICATE_BYTES + 1)
        certificate = service.Upload(content) if content else None
    try:
        service.add_training(
            state.write_uow(), found.actor, fields, today=state.today(), certificate=certificate
        )
    except InvalidInput as refused:
        return _refused(request, "training", refused, fields)
    return _done(request, "Training saved.")


def add_certification(request: Request) -> Response:
    state = web_state(request)
    fields = _fields(request, ("title", "issuer", "number", "issued_on", "expires_on", "code"))
    try:
        service.add_certification(
            state.write_uow(), access(request).actor, fields, today=state.today()
        )
    except InvalidInput as refused:
        return _refused(request, "certification", refused, fields)
    return _done(request, "Certification saved.")


def add_supervised_hours(request: Request) -> Response:
    state = web_state(request)
    fields = _fields(request, ("code", "with_whom", "hours", "date"))
    try:
        service.add_supervised_hours(
            state.write_uow(), access(request).actor, fields, today=state.today()
        )
    except InvalidInput as refused:
        return _refused(request, "supervised", refused, fields)
    return _done(request, "Supervised hours saved.")


def mark_in_error(request: Request) -> Response:
    state = web_state(request)
    fields = _fields(request, ("kind", "ref", "reason"))
    try:
        service.mark_evidence_in_error(
            state.write_uow(),
            access(request).actor,
            kind=fields["kind"],
            ref=fields["ref"],
            reason=fields["reason"],
        )
    except InvalidInput as refused:
        return _refused(request, f"in-error-{fields['kind']}-{fields['ref']}", refused, fields)
    return _done(request, "Marked entered in error; it no longer counts.")


def save_licence(request: Request) -> Response:
    state = web_state(request)
    fields = _fields(request, ("title", "number", "renews_on", "period_months", "required_hours"))
    try:
        service.set_licence(state.write_uow(), access(request).actor, fields, today=state.today())
    except InvalidInput as refused:
        return _refused(request, "licence", refused, fields)
    return _done(request, "Licence saved.")


def certificate(request: Request) -> Response:
    """One of one's own certificate files (`?training=<id>`), as a download."""
    wanted = request.query_params.get("training", "")
    if not wanted.isdigit() or len(wanted) > 12:
        return _ce_page(
            request,
            status=422,
            form="certificate",
            errors={"certificate": ["Choose a certificate from the log."]},
        )
    state = web_state(request)
    found = ce.certificate_file(state.uow(), access(request).actor, int(wanted))
    return Response(
        found.content,
        media_type=found.content_type,
        headers={"Content-Disposition": f'attachment; filename="{found.filename}"'},
    )


def plan_page(request: Request) -> Response:
    state = web_state(request)
    plan = plans.growth_plan(
        state.uow(), access(request).actor, today=state.today(), writes=state.write_uow()
    )
    return render(request, "growth_plan.html", {**_common(), "plan": plan})


def profile_evidence(request: Request) -> service.CompetenceOverview | None:
    """The profile page's evidence section (clinicians and supervisors; None for an admin)."""
    found = access(request)
    if found.actor.role.value not in ("clinician", "supervisor"):
        return None
    state = web_state(request)
    try:
        return service.my_competence(state.uow(), found.actor, today=state.today())
    except NotFound:  # pragma: no cover - removed while signed in
        return None
