"""Server-rendered pages: the Jinja2 environment and the one `render` every view uses."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime
from functools import lru_cache
from typing import Any

import jinja2
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse

from referwell import __version__
from referwell.domain.assessment import LEAD, recommendation_label
from referwell.domain.labels import label, sentence
from referwell.domain.phrases import day_words
from referwell.domain.reports import OUTCOME_WORDS
from referwell.domain.vocabulary import RECOMMENDATIONS
from referwell.services.clients.caseload import FLAGS
from referwell.web.guard import CSRF_FIELD, CSRF_HEADER, csrf_token
from referwell.web.state import web_state

RECOMMENDATION_LABELS = {code: recommendation_label(code) for code in RECOMMENDATIONS}


def _label(code: str | None, group: str) -> str:
    """A code in words (`domain.labels`): `{{ code | label('step') }}`; empty for none."""
    return label(group, code) if code else ""


def _datetime(value: datetime | date | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M UTC")
    return value.isoformat()


def _day(value: date | str | None) -> str:
    """A date as people write it: `20 Nov 2026` (ISO text is read first)."""
    if value is None or value == "":
        return ""
    day = date.fromisoformat(value) if isinstance(value, str) else value
    return day_words(day)


def _json_script(value: Any) -> Markup:
    """JSON safe inside <script type="application/json">."""
    text = json.dumps(value, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)  # noqa: S704 - escaped above for a script element


def make_templates() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("referwell.web", "templates"),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.filters["label"] = _label
    env.filters["sentence"] = sentence
    env.filters["when"] = _datetime
    env.filters["day"] = _day
    env.filters["json_script"] = _json_script
    env.globals.update(
        RECOMMENDATION_LABELS=RECOMMENDATION_LABELS,
        LEAD=LEAD,
        FLAGS=FLAGS,
        OUTCOME_WORDS=OUTCOME_WORDS,
        CSRF_FIELD=CSRF_FIELD,
        CSRF_HEADER=CSRF_HEADER,
        version=__version__,
    )
    return env


@lru_cache(maxsize=4096)
def _url_path(app: Any, name: str, params: tuple[tuple[str, Any], ...]) -> str:
    """A route's path; cached, since Starlette looks through every route each time."""
    return str(app.url_path_for(name, **dict(params)))


def render(
    request: Request,
    template: str,
    context: Mapping[str, Any] | None = None,
    *,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    """Render `template` with the request's actor, CSRF token and URL helpers."""
    state = web_state(request)
    access = getattr(request.state, "access", None)
    actor = access.maybe_actor if access is not None else None

    def url(name: str, **params: Any) -> str:
        return _url_path(request.app, name, tuple(sorted(params.items())))

    def static(path: str) -> str:
        return f"{url('static', path=path)}?v={__version__}"

    flash = request.session.pop("flash", None) if "flash" in request.session else None
    html = state.templates.get_template(template).render(
        request=request,
        actor=actor,
        csrf=csrf_token(request),
        idle_seconds=state.config.session_idle_minutes * 60,
        url=url,
        static=static,
        flash=flash,
        **(context or {}),
    )
    return HTMLResponse(html, status_code=status_code, headers=dict(headers or {}))


def flash(request: Request, message: str) -> None:
    """A one-line notice for the next page (never clinical content: the cookie is readable)."""
    request.session["flash"] = message
