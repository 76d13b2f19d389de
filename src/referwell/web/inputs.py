"""What a page's form may carry, checked once for every route by the guard.

A form is parsed within limits (no file parts but where a route allows them, at most `MAX_FIELDS` fields of
at most 1 MB; the body itself is capped by `middleware.BodyLimit`); the JSON
API takes no form at all. A field whose name or value holds a character no
database can store (NUL, a lone surrogate) is refused with 422 naming the
field, before any view runs, so nothing reaches a service or the database.
"""

from __future__ import annotations

from typing import Final

from starlette.datastructures import FormData
from starlette.requests import Request

from referwell.domain.errors import UNSTORABLE, FieldError, InvalidInput
from referwell.domain.storable import escaped, unstorable
from referwell.web.routespec import RouteSpec

FORM_TYPES: Final = ("application/x-www-form-urlencoded", "multipart/form-data")
MAX_FIELDS: Final = 1000  # the competencies form, the largest, has a few hundred


async def read_form(request: Request, spec: RouteSpec) -> FormData | None:
    """The form an unsafe request to a page sends; None for an API route (it reads JSON) or
    a body that is not a form. Too many fields, a file the route does not take, or a field
    over 1 MB is a 400."""
    if spec.api:
        return None
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith(FORM_TYPES):
        return None
    return await request.form(max_files=spec.files, max_fields=MAX_FIELDS)


def refuse_unstorable(form: FormData | None) -> None:
    """InvalidInput naming every field whose name or value no database can store."""
    if form is None:
        return
    errors = []
    for name, value in form.multi_items():
        problem = unstorable(name) or (unstorable(value) if isinstance(value, str) else None)
        if problem is not None:
            errors.append(FieldError(escaped(name), problem, UNSTORABLE))
    if errors:
        raise InvalidInput(errors, "form")
