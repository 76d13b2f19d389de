"""Fixtures for the web app tests: a migrated, seeded database per test, on SQLite and PostgreSQL.

The database is migrated and seeded once per test process (a template), then
copied for each test: a file copy on SQLite, `CREATE DATABASE … TEMPLATE` on
PostgreSQL. The app under test is `create_app` on that copy, with today fixed
to the examples' day, cheap Argon2 parameters, and read entries written only
when a test calls `flush_reads`.

`backend` and the PostgreSQL switches are the integration tests' own fixtures.
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, make_url, select, text

from integration.conftest import BACKENDS, POSTGRES_URL_ENV, backend  # noqa: F401 - fixtures
from referwell.config import AppConfig
from referwell.db import migrate
from referwell.db.engine import make_engine, make_session_factory
from referwell.db.models import AuditEntry
from referwell.web.app import create_app

from .seed import CHEAP_HASHER, PASSWORD, TODAY, Seeded, seed

SECRET = "test-secret-key-" + "x" * 40
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Template:
    url: str
    seeded: Seeded


class _PostgresTemplates:
    def __init__(self, server_url: str) -> None:
        self.server = make_url(server_url)
        self.admin = make_engine(self.server).execution_options(isolation_level="AUTOCOMMIT")
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        self.prefix = f"rwweb_{worker}_{os.getpid()}"
        self.numbers = itertools.count(1)
        self.made: list[str] = []

    def url(self, name: str) -> str:
        return self.server.set(database=name).render_as_string(hide_password=False)

    def create(self, template: str | None = None) -> str:
        name = f"{self.prefix}_{next(self.numbers)}"
        clause = f' TEMPLATE "{template}"' if template else ""
        with self.admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"{clause}'))
        self.made.append(name)
        return name

    def drop(self, name: str) -> None:
        with self.admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.made.remove(name)

    def close(self) -> None:
        for name in list(self.made):
            self.drop(name)
        self.admin.dispose()


@pytest.fixture(scope="session")
def _postgres_templates() -> Iterator[_PostgresTemplates]:
    server_url = os.environ.get(POSTGRES_URL_ENV)
    if not server_url:
        pytest.skip(f"{POSTGRES_URL_ENV} is unset")
    templates = _PostgresTemplates(server_url)
    yield templates
    templates.close()


def _migrate_and_seed(url: str) -> Seeded:
    migrate.upgrade(url)
    engine = make_engine(url)
    try:
        return seed(make_session_factory(engine))
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    """A migrated, seeded SQLite file to copy (whatever the backend parameter)."""
    path = tmp_path_factory.mktemp("web-template") / "template.sqlite3"
    url = f"sqlite:///{path}"
    return Template(url, _migrate_and_seed(url))


def sqlite_copy(template: Template, directory: Path) -> Template:
    source = Path(make_url(template.url).database or "")
    target = directory / "referwell.sqlite3"
    shutil.copyfile(source, target)
    return Template(f"sqlite:///{target}", template.seeded)


@pytest.fixture(scope="session")
def web_template(
    backend: str,  # noqa: F811 - the integration tests' fixture
    request: pytest.FixtureRequest,
) -> Template:
    """The template for this backend; on PostgreSQL `url` is the template database's name."""
    if backend == "sqlite":
        found: Template = request.getfixturevalue("sqlite_template")
        return found
    templates: _PostgresTemplates = request.getfixturevalue("_postgres_templates")
    name = templates.create()
    return Template(name, _migrate_and_seed(templates.url(name)))


@pytest.fixture
def web_db(
    backend: str,  # noqa: F811 - the integration tests' fixture
    web_template: Template,
    tmp_path: Path,
    request: pytest.FixtureRequest,
) -> Iterator[Template]:
    """A seeded database for this test alone."""
    if backend == "sqlite":
        yield sqlite_copy(web_template, tmp_path)
        return
    templates: _PostgresTemplates = request.getfixturevalue("_postgres_templates")
    name = templates.create(template=web_template.url)
    yield Template(templates.url(name), web_template.seeded)
    templates.drop(name)


def build_app(
    url: str,
    data_dir: Path,
    *,
    today: date = TODAY,
    secure_cookies: bool = False,
    **settings: Any,
) -> FastAPI:
    """The app on `url`; `settings` are more of `AppConfig`'s (`session_idle_minutes=5`)."""
    return create_app(
        AppConfig(
            data_dir=data_dir,
            database_url=url,
            secret_key=SECRET,
            secure_cookies=secure_cookies,
            **settings,
        ),
        clock=lambda: today,
        password_hasher=CHEAP_HASHER,
        audit_interval=3600,  # written only when a test flushes
    )


@pytest.fixture(autouse=True)
def _no_unexpected_errors(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """The app answers an unexpected exception with a bare 500 and logs it: fail the test then."""
    yield
    unexpected = [
        record
        for phase in ("setup", "call")
        for record in caplog.get_records(phase)  # type: ignore[arg-type]
        if record.name == "referwell.web.errors"
    ]
    assert not unexpected, unexpected[0].getMessage()


@pytest.fixture
def app(web_db: Template, tmp_path: Path) -> Iterator[FastAPI]:
    made = build_app(web_db.url, tmp_path)
    yield made
    made.state.web.reads.close()
    made.state.web.engine.dispose()


@pytest.fixture
def seeded(web_db: Template) -> Seeded:
    return web_db.seeded


@pytest.fixture
def engine(app: FastAPI) -> Engine:
    """The app's own engine (to look at what it wrote)."""
    found: Engine = app.state.web.engine
    return found


class WebClient(TestClient):
    """A test client that knows its session's CSRF token."""

    csrf: str = ""

    def refresh_csrf(self, path: str = "/login") -> str:
        page = self.get(path)
        match = _CSRF.search(page.text)
        assert match, f"no CSRF token on {path} ({page.status_code})"
        self.csrf = match.group(1)
        return self.csrf

    def post_form(self, path: str, data: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        return self.post(path, data={"csrf_token": self.csrf, **(data or {})}, **kwargs)


def sign_in(app: FastAPI, username: str | None) -> WebClient:
    """A client signed in as `username` (None: anonymous, with a CSRF token for the login form)."""
    client = WebClient(app, follow_redirects=False)
    client.refresh_csrf("/login")
    if username is None:
        return client
    answer = client.post_form("/login", {"username": username, "password": PASSWORD})
    assert answer.status_code == 303, answer.text
    client.refresh_csrf("/profile")
    return client


@pytest.fixture
def signed_in(app: FastAPI) -> Callable[[str | None], WebClient]:
    return lambda username: sign_in(app, username)


@pytest.fixture
def flush_reads(app: FastAPI) -> Callable[[], int]:
    return lambda: int(app.state.web.reads.flush())


def audit_entries(engine: Engine, **where: Any) -> list[AuditEntry]:
    """The audit log, oldest first, optionally filtered on columns."""
    with make_session_factory(engine)() as session:
        query = select(AuditEntry).order_by(AuditEntry.id)
        for column, value in where.items():
            query = query.where(getattr(AuditEntry, column) == value)
        return list(session.scalars(query))


__all__ = ["BACKENDS", "audit_entries", "build_app", "sign_in"]
