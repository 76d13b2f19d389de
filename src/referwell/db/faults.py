"""What went wrong with the database, as a kind of fault, never as the driver's text.

A driver's message may quote the values of the statement it refused (clinical values
among them), so the CLI and the web app say what is wrong in their own words, chosen
by `fault_of(error)`: SQLite's result code (`sqlite_errorname`), PostgreSQL's SQLSTATE,
or, for a connection that never opened, the kind of exception.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

from sqlalchemy.exc import (
    ArgumentError,
    DBAPIError,
    IntegrityError,
    NoSuchModuleError,
)
from sqlalchemy.orm.exc import StaleDataError


class Fault(StrEnum):
    """A fault of the database or its surroundings, as a person can act on it."""

    BUSY = "busy"  # another writer held the lock longer than we wait
    FULL = "full"  # the disk (or the database's size limit) is full
    READ_ONLY = "read_only"  # the database, its folder or its file system cannot be written
    CANNOT_OPEN = "cannot_open"  # the file or its folder is missing or cannot be opened
    NOT_A_DATABASE = "not_a_database"  # the file is not a SQLite database, or it is damaged
    UNREACHABLE = "unreachable"  # the database server did not answer
    NO_SUCH_DATABASE = "no_such_database"  # the server has no database of that name
    REFUSED_LOGIN = "refused_login"  # the server refused the user or the password
    NOT_MIGRATED = "not_migrated"  # a table referwell needs is missing
    CONFLICT = "conflict"  # a constraint refused the write
    CHANGED = "changed"  # the record changed while it was being saved (optimistic lock)
    BAD_URL = "bad_url"  # not a database URL referwell can open


_SQLITE: Final = {
    "SQLITE_BUSY": Fault.BUSY,
    "SQLITE_LOCKED": Fault.BUSY,
    "SQLITE_FULL": Fault.FULL,
    "SQLITE_READONLY": Fault.READ_ONLY,
    "SQLITE_PERM": Fault.READ_ONLY,
    "SQLITE_CANTOPEN": Fault.CANNOT_OPEN,
    "SQLITE_NOTADB": Fault.NOT_A_DATABASE,
    "SQLITE_CORRUPT": Fault.NOT_A_DATABASE,
}
# The same, by the start of SQLite's message (a driver without result codes).
_SQLITE_MESSAGES: Final = (
    ("database is locked", Fault.BUSY),
    ("database table is locked", Fault.BUSY),
    ("database or disk is full", Fault.FULL),
    ("attempt to write a readonly database", Fault.READ_ONLY),
    ("unable to open database file", Fault.CANNOT_OPEN),
    ("file is not a database", Fault.NOT_A_DATABASE),
    ("database disk image is malformed", Fault.NOT_A_DATABASE),
    ("no such table", Fault.NOT_MIGRATED),
)
# PostgreSQL's SQLSTATE, by code or by class (its first two characters).
_SQLSTATE: Final = {
    "55P03": Fault.BUSY,  # lock_not_available (lock_timeout)
    "40001": Fault.BUSY,  # serialization_failure
    "40P01": Fault.BUSY,  # deadlock_detected
    "57014": Fault.BUSY,  # query_canceled (statement_timeout)
    "25006": Fault.READ_ONLY,  # read_only_sql_transaction
    "42501": Fault.READ_ONLY,  # insufficient_privilege
    "3D000": Fault.NO_SUCH_DATABASE,  # invalid_catalog_name
    "28P01": Fault.REFUSED_LOGIN,  # invalid_password
    "28000": Fault.REFUSED_LOGIN,  # invalid_authorization_specification
    "42P01": Fault.NOT_MIGRATED,  # undefined_table
    "57P01": Fault.UNREACHABLE,  # admin_shutdown
    "57P02": Fault.UNREACHABLE,  # crash_shutdown
    "57P03": Fault.UNREACHABLE,  # cannot_connect_now
}
_SQLSTATE_CLASSES: Final = {
    "08": Fault.UNREACHABLE,  # connection_exception
    "23": Fault.CONFLICT,  # integrity_constraint_violation
    "53": Fault.FULL,  # insufficient_resources (disk_full, out_of_memory …)
}


def fault_of(error: BaseException) -> Fault | None:
    """The fault `error` reports; None for an error that is not about the database's
    surroundings (a bug, which should be seen as one)."""
    if isinstance(error, StaleDataError):
        return Fault.CHANGED
    if isinstance(error, NoSuchModuleError | ArgumentError):
        return Fault.BAD_URL
    if not isinstance(error, DBAPIError):
        return None
    found = _driver_fault(error.orig)
    if found is not None:
        return found
    if isinstance(error, IntegrityError):
        return Fault.CONFLICT
    return None


def _driver_fault(orig: BaseException | None) -> Fault | None:
    if orig is None:
        return None
    name = getattr(orig, "sqlite_errorname", None)
    if isinstance(name, str):
        for prefix, fault in _SQLITE.items():
            if name == prefix or name.startswith(prefix + "_"):
                return fault
    module = type(orig).__module__
    if module.startswith("sqlite3"):
        text = str(orig)
        for start, fault in _SQLITE_MESSAGES:
            if text.startswith(start):
                return fault
        return None
    if module.startswith("psycopg"):
        state = getattr(orig, "sqlstate", None)
        if isinstance(state, str):
            return _SQLSTATE.get(state) or _SQLSTATE_CLASSES.get(state[:2])
        # No SQLSTATE: libpq could not connect (refused, unknown host, timed out …).
        if type(orig).__name__ == "OperationalError":
            return Fault.UNREACHABLE
    return None


def is_busy(error: BaseException) -> bool:
    """Whether `error` is a lock another writer held longer than we wait (worth a retry)."""
    return fault_of(error) is Fault.BUSY
