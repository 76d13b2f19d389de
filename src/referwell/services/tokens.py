"""Bearer secrets referwell issues (API tokens, sessions, questionnaire and status links,
partner tokens): made here, and kept only as their SHA-256, never as they are."""

from __future__ import annotations

import hashlib
import secrets


def new_token(prefix: str = "") -> str:
    """A fresh random secret (256 bits, URL-safe), after `prefix` (which says its kind)."""
    return prefix + secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """What is stored of a secret: its SHA-256, in hex."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
