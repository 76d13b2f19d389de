"""The audit log as a chain: each entry's HMAC covers the entry and the one before it, and the
chain's head is kept outside the database too, so that a changed, removed, inserted or cut-off
entry shows.

- **Appending.** As a session flushes new `AuditEntry` rows, it locks the one-row
  `audit_chain` table (`SELECT … FOR UPDATE`; SQLite serializes writers anyway), numbers
  the entries on from its length (`seq`), signs each with the key kept outside the database
  (`entry_mac`, keyed by the `audit_key` setting) and moves the row on, all in the
  transaction of the entries. After the commit the new head goes to
  `<audit_head_dir>/<chain_id>.json` (`HeadStore`): only forward, and only while the database
  still extends the head recorded there, so a tail cut off cannot be papered over by the
  entries written after it.
- **Verifying** (`verify_chain`): every HMAC is recomputed in order with the key; positions
  missing, repeated or out of the chain are named, and the end is compared with the head
  kept outside. Problems name entry ids and positions only, never what an entry says.

`entry_mac` must never change what it signs: entries chained years ago are checked with it
(revision 0010 chains the entries older than the chain with it too).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import logging
import os
import re
import tempfile
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Connection, Table, event, select, update
from sqlalchemy.orm import Session, SessionTransaction, UOWTransaction, attributes

from referwell.db.base import utcnow
from referwell.db.models import AuditChainHead, AuditEntry

try:
    import fcntl
except ImportError:  # Windows: heads are still written atomically, without the lock
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

HEAD_FORMAT = "referwell.audit-head/1"
CHAIN_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_PENDING = "referwell.audit_chain"  # session.info: what this transaction appended
_LOG = cast(Table, AuditEntry.__table__)
_HEAD = cast(Table, AuditChainHead.__table__)


class AuditChainError(RuntimeError):
    """The chain cannot be appended to: no chain table, or no key."""


class HeadUnreadableError(ValueError):
    """The head kept outside the database is not a head file."""


def entry_mac(
    key: bytes,
    chain_id: str,
    seq: int,
    previous: str,
    *,
    at: datetime,
    actor: str,
    actor_kind: str,
    action: str,
    target_type: str | None,
    target_ids: Sequence[int],
) -> str:
    """The HMAC-SHA256 (hex) of an entry at position `seq`, after the entry whose HMAC is
    `previous` ("" for the first). Never change what it signs."""
    message = json.dumps(
        [
            HEAD_FORMAT,
            chain_id,
            int(seq),
            previous,
            _instant(at),
            actor,
            actor_kind,
            action,
            target_type,
            [int(target) for target in target_ids],
        ],
        separators=(",", ":"),
        ensure_ascii=True,
    )
    return hmac.new(key, message.encode("ascii"), hashlib.sha256).hexdigest()


def _instant(at: datetime) -> str:
    moment = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# --- the head kept outside the database --------------------------------------------


@dataclass(frozen=True)
class Head:
    """Where a chain ends: its length and the HMAC of its last entry ("" when empty)."""

    chain_id: str
    length: int
    hmac: str


class HeadStore:
    """Each chain's head in a file of its own, `<directory>/<chain_id>.json` (0600).

    Written atomically (a file beside it, renamed over it) under a lock, so processes
    writing at once leave the newest head.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def path(self, chain_id: str) -> Path:
        if not CHAIN_ID.match(chain_id):  # the id comes from the database: never a path
            raise HeadUnreadableError(f"not a chain id: {chain_id[:40]!r}")
        return self.directory / f"{chain_id}.json"

    def read(self, chain_id: str) -> Head | None:
        """The head recorded for `chain_id`; None when there is none."""
        path = self.path(chain_id)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except OSError as error:
            raise HeadUnreadableError(f"{path}: {type(error).__name__}") from None
        try:
            data = json.loads(text)
            head = Head(str(data["chain"]), int(data["length"]), str(data["hmac"]))
        except (ValueError, KeyError, TypeError):
            raise HeadUnreadableError(f"{path}: not a head file") from None
        if data.get("format") != HEAD_FORMAT or head.chain_id != chain_id or head.length < 0:
            raise HeadUnreadableError(f"{path}: not this chain's head")
        return head

    def advance(self, start: Head, end: Head) -> bool:
        """Record `end`, reached from `start` in one transaction, unless the file holds a
        head at least as far, or one `start` did not extend; True if it was written."""
        with self._locked(end.chain_id):
            recorded = self.read(end.chain_id)
            if recorded is None:
                if start.length:  # the file went while we wrote: leave it to `verify`
                    return False
            elif recorded.length >= end.length or recorded.length > start.length:
                return False
            self._write(end)
            return True

    def reset(self, head: Head) -> None:
        """Record `head` whatever the file says (after a restore, or by the operator)."""
        with self._locked(head.chain_id):
            self._write(head)

    @contextlib.contextmanager
    def _locked(self, chain_id: str) -> Iterator[None]:
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        if fcntl is None:
            yield
            return
        lock_path = self.directory / f".{chain_id}.lock"
        descriptor = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            yield
        finally:
            os.close(descriptor)  # closing releases the lock

    def _write(self, head: Head) -> None:
        path = self.path(head.chain_id)
        document = {
            "format": HEAD_FORMAT,
            "chain": head.chain_id,
            "length": head.length,
            "hmac": head.hmac,
            "recorded_at": _instant(utcnow()),
        }
        descriptor, temporary = tempfile.mkstemp(dir=self.directory, prefix=f".{path.name}.")
        try:
            # No fsync: a head lost in a crash is behind the log, which `verify` tolerates
            # and the next append mends; a head ahead of the log would be a false alarm.
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                json.dump(document, handle)
            os.replace(temporary, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
            raise


# --- the key and the head folder, from the settings -------------------------------------


@dataclass(frozen=True)
class ChainSettings:
    """The key the chain is signed with, and where its heads are kept."""

    key: bytes | None = field(repr=False)
    key_file: Path | None
    heads: HeadStore


_SETTINGS_ENV = (
    "REFERWELL_CONFIG",
    "REFERWELL_DATA_DIR",
    "REFERWELL_AUDIT_KEY",
    "REFERWELL_AUDIT_HEAD_DIR",
)
_settings_cache: dict[tuple[str | None, ...], ChainSettings] = {}
_settings_lock = threading.Lock()


def chain_settings(*, make_key: bool = True) -> ChainSettings:
    """The chain's settings as configured (`referwell.config.load_audit_settings`).

    With `make_key` a key not given is made on first use; without it (verifying) the key
    is None when there is none. A `ConfigError` says what is wrong with the key file.
    """
    from referwell.config import load_audit_settings

    marker = tuple(os.environ.get(name) for name in _SETTINGS_ENV)
    with _settings_lock:
        cached = _settings_cache.get(marker)
        if cached is not None:
            return cached
        loaded = load_audit_settings(make_key=make_key)
        settings = ChainSettings(
            key=loaded.key.encode("utf-8") if loaded.key else None,
            key_file=loaded.key_file,
            heads=HeadStore(loaded.head_dir),
        )
        if settings.key is not None:
            _settings_cache[marker] = settings
        return settings


# --- appending: every session numbers and signs its new entries as it flushes them ---------


@dataclass
class _Appended:
    """What the current transaction of a session appended to which chain."""

    start: Head
    extends_recorded_head: bool
    heads: HeadStore
    end: Head | None = None


def read_chain_row(connection: Connection, *, lock: bool = False) -> Head | None:
    """The chain's head as the database keeps it (locked for this transaction if `lock`)."""
    query = select(_HEAD.c.chain_id, _HEAD.c.length, _HEAD.c.last_hmac).where(_HEAD.c.id == 1)
    if lock:
        query = query.with_for_update()
    row = connection.execute(query).one_or_none()
    return None if row is None else Head(row.chain_id, int(row.length), row.last_hmac)


def _key_and_row(connection: Connection) -> tuple[ChainSettings, bytes, Head]:
    settings = chain_settings()
    if settings.key is None:
        raise AuditChainError("no audit key: set audit_key, or let referwell make one")
    row = read_chain_row(connection, lock=True)
    if row is None:
        raise AuditChainError("the database has no audit chain: run `referwell db upgrade`")
    return settings, settings.key, row


def _extends(connection: Connection, heads: HeadStore, start: Head) -> bool:
    """Whether the chain in the database, at `start`, extends the head recorded outside."""
    try:
        recorded = heads.read(start.chain_id)
    except HeadUnreadableError:
        return False
    if recorded is None:
        return start.length == 0
    if recorded.length > start.length:
        return False
    if recorded.length == start.length:
        return hmac.compare_digest(recorded.hmac, start.hmac)
    if recorded.length == 0:
        return True
    found = connection.execute(
        select(_LOG.c.hmac).where(_LOG.c.seq == recorded.length)
    ).scalar_one_or_none()
    return found is not None and hmac.compare_digest(found, recorded.hmac)


def _chain_new_entries(session: Session, flush_context: UOWTransaction, instances: Any) -> None:
    del flush_context, instances
    entries = [item for item in session.new if isinstance(item, AuditEntry)]
    if not entries:
        return
    entries.sort(key=lambda item: attributes.instance_state(item).insert_order or 0)
    connection = session.connection()
    settings, key, row = _key_and_row(connection)
    appended: _Appended | None = session.info.get(_PENDING)
    if appended is None or appended.start.chain_id != row.chain_id:
        appended = _Appended(row, _extends(connection, settings.heads, row), settings.heads)
        session.info[_PENDING] = appended
    length, last = row.length, row.hmac
    for entry in entries:
        if entry.at is None:
            entry.at = utcnow()
        if entry.target_ids is None:
            entry.target_ids = []
        length += 1
        last = entry_mac(
            key,
            row.chain_id,
            length,
            last,
            at=entry.at,
            actor=entry.actor,
            actor_kind=entry.actor_kind,
            action=entry.action,
            target_type=entry.target_type,
            target_ids=entry.target_ids,
        )
        entry.seq, entry.hmac = length, last
    connection.execute(update(_HEAD).where(_HEAD.c.id == 1).values(length=length, last_hmac=last))
    appended.end = Head(row.chain_id, length, last)


_warned: set[str] = set()


def _record_head(session: Session) -> None:
    appended: _Appended | None = session.info.pop(_PENDING, None)
    if appended is None or appended.end is None:
        return
    if not appended.extends_recorded_head:
        if appended.start.chain_id not in _warned:
            _warned.add(appended.start.chain_id)
            log.warning(
                "audit chain %s: the database does not extend the head kept outside it; "
                "its head is not moved on: run `referwell audit verify`",
                appended.start.chain_id,
            )
        return
    try:
        appended.heads.advance(appended.start, appended.end)
    except (OSError, HeadUnreadableError) as error:
        # The entries are committed; a head left behind shows as such in `verify`.
        log.warning("audit chain: its head was not recorded (%s)", type(error).__name__)


def _after_soft_rollback(session: Session, previous_transaction: SessionTransaction) -> None:
    appended: _Appended | None = session.info.get(_PENDING)
    if appended is not None and previous_transaction.nested:
        appended.end = None  # a savepoint went: the next flush, if any, says where it stands


def _after_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(_PENDING, None)


event.listen(Session, "before_flush", _chain_new_entries)
event.listen(Session, "after_commit", _record_head)
event.listen(Session, "after_soft_rollback", _after_soft_rollback)
event.listen(Session, "after_transaction_end", _after_transaction_end)


def append_entries(connection: Connection, entries: Sequence[Mapping[str, Any]]) -> Head:
    """Append entries with SQL, outside the ORM (a migration's, a test's), in `connection`'s
    transaction; each mapping gives at, actor, actor_kind, action, target_type, target_ids.
    The head kept outside is left behind: the next append through a session moves it on."""
    _, key, row = _key_and_row(connection)
    length, last = row.length, row.hmac
    rows = []
    for entry in entries:
        length += 1
        values = {
            "at": entry.get("at") or utcnow(),
            "actor": entry["actor"],
            "actor_kind": entry["actor_kind"],
            "action": entry["action"],
            "target_type": entry.get("target_type"),
            "target_ids": list(entry.get("target_ids") or []),
        }
        last = entry_mac(key, row.chain_id, length, last, **values)
        rows.append({**values, "seq": length, "hmac": last})
    if rows:
        connection.execute(_LOG.insert(), rows)
        connection.execute(
            update(_HEAD).where(_HEAD.c.id == 1).values(length=length, last_hmac=last)
        )
    return Head(row.chain_id, length, last)


# --- verifying --------------------------------------------------------------------------


@dataclass
class ChainReport:
    """What `verify_chain` found: problems (tampering, or no way to check) and notes."""

    chain_id: str | None = None
    entries: int = 0
    length: int = 0  # the last position in the log
    last_hmac: str = ""
    recorded: Head | None = None  # the head kept outside the database
    head_path: Path | None = None
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.problems


def _span(first: int, last: int) -> str:
    return str(first) if first == last else f"{first}-{last}"


class _Mismatches:
    """Runs of consecutive positions whose HMACs fail, each reported in one line."""

    def __init__(self, problems: list[str]) -> None:
        self._problems = problems
        self._run: list[tuple[int, int]] = []  # (id, seq)

    def add(self, entry_id: int, seq: int) -> None:
        if self._run and self._run[-1][1] != seq - 1:
            self.close()
        self._run.append((entry_id, seq))

    def close(self) -> None:
        if not self._run:
            return
        (first_id, first_seq), (last_id, last_seq) = self._run[0], self._run[-1]
        if len(self._run) == 1:
            self._problems.append(
                f"entry {first_id} (position {first_seq}): its HMAC does not match: changed, "
                "inserted, or chained without the key"
            )
        else:
            self._problems.append(
                f"entries {first_id}-{last_id} (positions {first_seq}-{last_seq}): their HMACs "
                "do not match: changed, inserted, or chained again without the key"
            )
        self._run = []


def verify_chain(
    connection: Connection, settings: ChainSettings, *, against_head: bool = True
) -> ChainReport:
    """Recompute the chain of the database on `connection` with the key and compare its end
    with the head kept outside (unless `against_head` is False: a backup, say, which may
    end before it)."""
    report = ChainReport()
    row = read_chain_row(connection)
    if row is None:
        report.problems.append(
            "the database has no audit chain: it is older than revision 0010 "
            "(`referwell db upgrade`)"
        )
        return report
    report.chain_id = row.chain_id
    if not CHAIN_ID.match(row.chain_id):
        report.problems.append("the chain's id in the database is not a chain id: it was changed")
        return report
    recorded: Head | None = None
    if against_head:
        report.head_path = settings.heads.path(row.chain_id)
        try:
            recorded = settings.heads.read(row.chain_id)
        except HeadUnreadableError as error:
            report.problems.append(f"the head kept outside the database cannot be read: {error}")
        report.recorded = recorded

    any_entry = connection.execute(select(_LOG.c.id).limit(1)).first()
    if settings.key is None:
        if any_entry is not None or row.length:
            where = f" ({settings.key_file})" if settings.key_file else ""
            report.problems.append(f"no audit key{where}: the chain cannot be checked")
        return report

    unchained = connection.execute(
        select(_LOG.c.id)
        .where((_LOG.c.seq.is_(None)) | (_LOG.c.hmac.is_(None)))
        .order_by(_LOG.c.id)
    ).scalars()
    for entry_id in unchained:
        report.problems.append(f"entry {entry_id}: not in the chain: an entry inserted")

    mismatches = _Mismatches(report.problems)
    previous, expected = "", 1
    hmac_at_recorded: str | None = None
    query = (
        select(
            _LOG.c.id,
            _LOG.c.seq,
            _LOG.c.hmac,
            _LOG.c.at,
            _LOG.c.actor,
            _LOG.c.actor_kind,
            _LOG.c.action,
            _LOG.c.target_type,
            _LOG.c.target_ids,
        )
        .where(_LOG.c.seq.is_not(None), _LOG.c.hmac.is_not(None))
        .order_by(_LOG.c.seq, _LOG.c.id)
    )
    for entry in connection.execution_options(yield_per=2000).execute(query):
        if entry.seq < expected:
            mismatches.close()
            report.problems.append(
                f"entry {entry.id}: position {entry.seq} is taken or not a position: "
                "an entry inserted"
            )
            continue
        if entry.seq > expected:
            mismatches.close()
            report.problems.append(
                f"position {_span(expected, entry.seq - 1)} missing: entries removed"
            )
        else:
            computed = entry_mac(
                settings.key,
                row.chain_id,
                entry.seq,
                previous,
                at=entry.at,
                actor=entry.actor,
                actor_kind=entry.actor_kind,
                action=entry.action,
                target_type=entry.target_type,
                target_ids=entry.target_ids or [],
            )
            if not hmac.compare_digest(computed, entry.hmac):
                mismatches.add(entry.id, entry.seq)
        if recorded is not None and entry.seq == recorded.length:
            hmac_at_recorded = entry.hmac
        previous, expected = entry.hmac, entry.seq + 1
        report.entries += 1
        report.length, report.last_hmac = entry.seq, entry.hmac
    mismatches.close()

    if row.length != report.length or not hmac.compare_digest(row.hmac, report.last_hmac):
        report.problems.append(
            f"the chain's head in the database (length {row.length}) does not match its last "
            f"entry (position {report.length}): changed"
        )
    if against_head:
        _compare_with_recorded(report, recorded, hmac_at_recorded)
    return report


def _compare_with_recorded(
    report: ChainReport, recorded: Head | None, hmac_at_recorded: str | None
) -> None:
    if recorded is None:
        if report.length and not any("cannot be read" in p for p in report.problems):
            report.problems.append(
                f"no head kept outside the database for this chain ({report.head_path}), "
                f"yet it has {report.length} entries"
            )
        return
    if recorded.length > report.length:
        report.problems.append(
            f"position {_span(report.length + 1, recorded.length)} missing at the end: the head "
            f"kept outside the database says {recorded.length} (the tail cut off)"
        )
    elif recorded.length and (
        hmac_at_recorded is None or not hmac.compare_digest(hmac_at_recorded, recorded.hmac)
    ):
        report.problems.append(
            f"position {recorded.length} does not match the head kept outside the database: "
            "the log was rewritten"
        )
    elif recorded.length < report.length:
        report.notes.append(
            f"{report.length - recorded.length} entries after the head kept outside the "
            f"database (position {recorded.length}): written since it was last recorded"
        )
