"""Talking to a partner practice's FHIR endpoint over HTTP (the standard library's urllib).

A `Transport` sends one request and returns the status, the headers and the JSON body; tests
pass their own. The token is sent in the `Authorization` header and never logged; a failure
is logged by the partner's id and the HTTP status (or the kind of network error) only.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any, Final, Protocol

log = logging.getLogger(__name__)

FHIR_JSON: Final = "application/fhir+json"
TIMEOUT_SECONDS: Final = 10.0
MAX_ANSWER_BYTES: Final = 2_000_000


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    headers: dict[str, str] = field(default_factory=dict)  # names in lower case
    body: Any = None  # the JSON answer, or None


class PartnerUnreachable(Exception):  # noqa: N818 - named for what happened
    """The partner could not be reached (refused, timed out, not HTTP): try again later."""

    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


class Transport(Protocol):
    def __call__(
        self,
        method: str,
        url: str,
        *,
        token: str,
        body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> Answer: ...


def urllib_transport(
    method: str,
    url: str,
    *,
    token: str,
    body: Any = None,
    headers: dict[str, str] | None = None,
) -> Answer:
    """One request with urllib: JSON in and out, `Authorization: Bearer <token>`."""
    data = None if body is None else json.dumps(body).encode("utf-8")
    request = urllib.request.Request(url, data=data, method=method)  # noqa: S310 - http(s) only
    request.add_header("Accept", FHIR_JSON)
    request.add_header("Authorization", f"Bearer {token}")
    if data is not None:
        request.add_header("Content-Type", FHIR_JSON)
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    if not url.startswith(("http://", "https://")):
        raise PartnerUnreachable("not an http(s) address")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as answer:  # noqa: S310
            return _answer(answer.status, answer.headers, answer.read(MAX_ANSWER_BYTES))
    except urllib.error.HTTPError as error:
        return _answer(error.code, error.headers, error.read(MAX_ANSWER_BYTES))
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise PartnerUnreachable(type(error).__name__) from None


def _answer(status: int, headers: Any, raw: bytes) -> Answer:
    try:
        body = json.loads(raw) if raw else None
    except ValueError:
        body = None
    return Answer(status, {k.lower(): v for k, v in headers.items()}, body)
