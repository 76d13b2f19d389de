"""Application settings, read from the environment and an optional TOML file.

Nothing happens at import: call `load_locations()` for where the data lives (it
creates nothing) or `load_config()` for every setting (the web app's; it makes
the secret key file when no key is given). Precedence, highest first: an
environment variable, the `[referwell]` table of the TOML file named by
`REFERWELL_CONFIG`, then the default.

| key            | environment              | default                                      |
|----------------|--------------------------|----------------------------------------------|
| `data_dir`     | `REFERWELL_DATA_DIR`     | the user's data folder: `platformdirs.user_data_dir("referwell")`, e.g. `~/.local/share/referwell` |
| `database_url` | `REFERWELL_DATABASE_URL` | `sqlite:///<data_dir>/referwell.sqlite3`     |
| `secret_key`   | `REFERWELL_SECRET_KEY`   | made once into `<data_dir>/secret_key` (0600) when the web app first needs it |
| `audit_key`    | `REFERWELL_AUDIT_KEY`    | made once into `<data_dir>/audit_key` (0600) when the first audit entry is written: the HMAC key of the audit chain |
| `audit_head_dir` | `REFERWELL_AUDIT_HEAD_DIR` | `<data_dir>/audit_heads`: where each audit chain's head (length, last HMAC) is kept, outside the database |
| `secure_cookies` | `REFERWELL_SECURE_COOKIES` | `false`; `true` marks the session cookie Secure (serve over HTTPS) |
| `questionnaire_link_days` | `REFERWELL_QUESTIONNAIRE_LINK_DAYS` | `7`: a one-time questionnaire link expires this many days after it is made (1 to 90) |
| `session_idle_minutes` | `REFERWELL_SESSION_IDLE_MINUTES` | `15`: a signed-in session left idle this long ends (1 to 480); it ends 8 hours after sign-in anyway |
| `sign_in_failures_per_account` | `REFERWELL_SIGN_IN_FAILURES_PER_ACCOUNT` | `10`: failed sign-ins in a row that lock an account name (3 to 100) |
| `sign_in_failures_per_address` | `REFERWELL_SIGN_IN_FAILURES_PER_ADDRESS` | `50`: failed sign-ins that lock a client address (10 to 10000) |
| `sign_in_lockout_minutes` | `REFERWELL_SIGN_IN_LOCKOUT_MINUTES` | `15`: how long a lockout lasts (1 to 1440); an admin can unlock an account sooner |
| `api_requests_per_minute` | `REFERWELL_API_REQUESTS_PER_MINUTE` | `120`: calls one API token may make a minute, then 429 (1 to 100000) |
| `max_case_file_bytes` | `REFERWELL_MAX_CASE_FILE_BYTES` | `10000000` (10 MB): the largest case file (or line of a JSON Lines file) a command reads (1000 to 1000000000) |
| `referral_unacknowledged_days` | `REFERWELL_REFERRAL_UNACKNOWLEDGED_DAYS` | `5`: a referral sent and not acknowledged this many days is due for follow-up (1 to 90) |
| `referral_unscheduled_days` | `REFERWELL_REFERRAL_UNSCHEDULED_DAYS` | `14`: a referral accepted with no appointment this many days is due for follow-up (1 to 180) |
| `status_link_days` | `REFERWELL_STATUS_LINK_DAYS` | `30`: a referral's status link (for a receiver without referwell) expires this many days after it is made (1 to 180) |
| `referral_poll_minutes` | `REFERWELL_REFERRAL_POLL_MINUTES` | `15`: how often `referwell referrals poll --loop` asks partner practices about the referrals sent to them (1 to 1440); cron or a systemd timer runs `referwell referrals poll` at the same interval |

The default data folder is the same wherever a command runs. A relative
`data_dir` counts from the current directory when it comes from the
environment, and from the TOML file's directory when it comes from the file.
"""

from __future__ import annotations

import contextlib
import difflib
import os
import secrets
import stat
import tempfile
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs

CONFIG_ENV = "REFERWELL_CONFIG"
ENV_VARS: Mapping[str, str] = {
    "data_dir": "REFERWELL_DATA_DIR",
    "database_url": "REFERWELL_DATABASE_URL",
    "secret_key": "REFERWELL_SECRET_KEY",
    "audit_key": "REFERWELL_AUDIT_KEY",
    "audit_head_dir": "REFERWELL_AUDIT_HEAD_DIR",
    "secure_cookies": "REFERWELL_SECURE_COOKIES",
    "questionnaire_link_days": "REFERWELL_QUESTIONNAIRE_LINK_DAYS",
    "session_idle_minutes": "REFERWELL_SESSION_IDLE_MINUTES",
    "sign_in_failures_per_account": "REFERWELL_SIGN_IN_FAILURES_PER_ACCOUNT",
    "sign_in_failures_per_address": "REFERWELL_SIGN_IN_FAILURES_PER_ADDRESS",
    "sign_in_lockout_minutes": "REFERWELL_SIGN_IN_LOCKOUT_MINUTES",
    "api_requests_per_minute": "REFERWELL_API_REQUESTS_PER_MINUTE",
    "max_case_file_bytes": "REFERWELL_MAX_CASE_FILE_BYTES",
    "referral_unacknowledged_days": "REFERWELL_REFERRAL_UNACKNOWLEDGED_DAYS",
    "referral_unscheduled_days": "REFERWELL_REFERRAL_UNSCHEDULED_DAYS",
    "status_link_days": "REFERWELL_STATUS_LINK_DAYS",
    "referral_poll_minutes": "REFERWELL_REFERRAL_POLL_MINUTES",
}
TOML_TABLE = "referwell"
APP_NAME = "referwell"
DATABASE_FILE = "referwell.sqlite3"
SECRET_KEY_FILE = "secret_key"  # noqa: S105 - a file name, not a secret
AUDIT_KEY_FILE = "audit_key"
AUDIT_HEAD_DIR = "audit_heads"
DEFAULT_LINK_DAYS = 7
LINK_DAYS_RANGE = (1, 90)
# The guards of signing in and of the API: each a whole number, its default and its bounds.
SECURITY_NUMBERS: Mapping[str, tuple[int, tuple[int, int]]] = {
    "session_idle_minutes": (15, (1, 480)),
    "sign_in_failures_per_account": (10, (3, 100)),
    "sign_in_failures_per_address": (50, (10, 10_000)),
    "sign_in_lockout_minutes": (15, (1, 1440)),
    "api_requests_per_minute": (120, (1, 100_000)),
}
# The referrals' follow-up (N and M of domain.referrals.follow_up): default and bounds.
FOLLOW_UP_NUMBERS: Mapping[str, tuple[int, tuple[int, int]]] = {
    "referral_unacknowledged_days": (5, (1, 90)),
    "referral_unscheduled_days": (14, (1, 180)),
}
# Keys a TOML file may give as numbers.
# Referrals between practices: a status link's life, and how often partners are polled.
EXCHANGE_NUMBERS: Mapping[str, tuple[int, tuple[int, int]]] = {
    "status_link_days": (30, (1, 180)),
    "referral_poll_minutes": (15, (1, 1440)),
}
_NUMBERS = frozenset(
    {
        "questionnaire_link_days",
        "max_case_file_bytes",
        *SECURITY_NUMBERS,
        *FOLLOW_UP_NUMBERS,
        *EXCHANGE_NUMBERS,
    }
)
# The largest case file (or JSON Lines line) a command reads; a larger one is refused unread.
DEFAULT_MAX_CASE_FILE_BYTES = 10_000_000
MAX_CASE_FILE_BYTES_RANGE = (1_000, 1_000_000_000)
MAX_CONFIG_FILE_BYTES = 1_000_000  # the settings file is a few lines


class ConfigError(ValueError):
    """A setting is missing, misspelt or unusable; `key` names it when one is to blame."""

    def __init__(self, message: str, key: str | None = None) -> None:
        super().__init__(message)
        self.key = key


@dataclass(frozen=True)
class AppConfig:
    """Settings of one referwell installation."""

    data_dir: Path
    database_url: str
    secret_key: str = field(repr=False)  # signs session cookies: never in logs or reprs
    # The session cookie is sent over HTTPS only; on for any deployment behind TLS.
    secure_cookies: bool = False
    # A one-time questionnaire link expires this many days after it is made.
    questionnaire_link_days: int = DEFAULT_LINK_DAYS
    # A signed-in session left idle this long ends (HIPAA's automatic logoff).
    session_idle_minutes: int = 15
    # Failed sign-ins that lock an account name, and a client address; how long a lock lasts.
    sign_in_failures_per_account: int = 10
    sign_in_failures_per_address: int = 50
    sign_in_lockout_minutes: int = 15
    # Calls one API token may make a minute; more are answered 429 with Retry-After.
    api_requests_per_minute: int = 120
    # The largest case file (or JSON Lines line) a command reads.
    max_case_file_bytes: int = DEFAULT_MAX_CASE_FILE_BYTES
    # A referral is due for follow-up when sent and not acknowledged this many days, or
    # accepted with no appointment this many days.
    referral_unacknowledged_days: int = 5
    referral_unscheduled_days: int = 14
    # A referral's status link expires this many days after it is made; partners are polled
    # this often (`referwell referrals poll`).
    status_link_days: int = 30
    referral_poll_minutes: int = 15


@dataclass(frozen=True)
class Locations:
    """Where an installation keeps its data: what a command needs to find its database."""

    data_dir: Path
    database_url: str

    @property
    def default_database_url(self) -> str:
        """The URL of the SQLite file in `data_dir`, whatever `database_url` says."""
        return sqlite_url(self.data_dir)


@dataclass(frozen=True)
class AuditSettings:
    """What the audit chain keeps outside the database: its HMAC key and its heads."""

    # None when no key is given and none has been made yet (nothing was ever chained here).
    key: str | None = field(repr=False)
    # Where the key is kept when the environment does not give it; None when it does.
    key_file: Path | None
    head_dir: Path


def default_data_dir() -> Path:
    """The per-user data folder (`~/.local/share/referwell` on Linux, `~/Library/Application
    Support/referwell` on macOS, `%LOCALAPPDATA%\\referwell` on Windows)."""
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def sqlite_url(data_dir: Path) -> str:
    """The URL of the SQLite database file in `data_dir`."""
    return f"sqlite:///{data_dir / DATABASE_FILE}"


def load_locations(env: Mapping[str, str] = os.environ) -> Locations:
    """Read where the data lives; creates nothing, not even `data_dir`."""
    return _load(env)[0]


def load_audit_settings(
    env: Mapping[str, str] = os.environ, *, make_key: bool = True
) -> AuditSettings:
    """The audit chain's key and head folder; with `make_key`, a key not given is made into
    `<data_dir>/audit_key` (0600) on first use, like the secret key."""
    locations, setting = _load(env)
    head_setting = setting("audit_head_dir")
    head_dir = (
        _absolute(Path(head_setting[0]).expanduser(), head_setting[1])
        if head_setting
        else locations.data_dir / AUDIT_HEAD_DIR
    )
    key_setting = setting("audit_key")
    if key_setting:
        return AuditSettings(key=key_setting[0], key_file=None, head_dir=head_dir)
    path = locations.data_dir / AUDIT_KEY_FILE
    if make_key:
        key: str | None = _stored_key(path, "audit_key")
    else:
        key = _read_key(path, "audit_key") if path.exists() else None
    return AuditSettings(key=key, key_file=path, head_dir=head_dir)


def load_config(env: Mapping[str, str] = os.environ) -> AppConfig:
    """Read every setting; may create `data_dir` and its `secret_key` file on first use
    (when no key is given): only the web app needs the key."""
    locations, setting = _load(env)

    key_setting = setting("secret_key")
    secret_key = key_setting[0] if key_setting else _stored_secret_key(locations.data_dir)

    secure_setting = setting("secure_cookies")
    secure_cookies = _boolean(secure_setting[0], "secure_cookies") if secure_setting else False

    days_setting = setting("questionnaire_link_days")
    link_days = (
        _whole_number(days_setting[0], "questionnaire_link_days", LINK_DAYS_RANGE)
        if days_setting
        else DEFAULT_LINK_DAYS
    )

    def number(key: str) -> int:
        default, bounds = SECURITY_NUMBERS[key]
        given = setting(key)
        return _whole_number(given[0], key, bounds) if given else default

    return AppConfig(
        data_dir=locations.data_dir,
        database_url=locations.database_url,
        secret_key=secret_key,
        secure_cookies=secure_cookies,
        questionnaire_link_days=link_days,
        session_idle_minutes=number("session_idle_minutes"),
        sign_in_failures_per_account=number("sign_in_failures_per_account"),
        sign_in_failures_per_address=number("sign_in_failures_per_address"),
        sign_in_lockout_minutes=number("sign_in_lockout_minutes"),
        api_requests_per_minute=number("api_requests_per_minute"),
        max_case_file_bytes=_max_case_file_bytes(setting),
        **_follow_up_days(setting),
        **_exchange_numbers(setting),
    )


def load_follow_up_days(env: Mapping[str, str] = os.environ) -> dict[str, int]:
    """`referral_unacknowledged_days` and `referral_unscheduled_days` alone: what the
    follow-up worklist needs (creates nothing)."""
    return _follow_up_days(_load(env)[1])


def load_exchange_numbers(env: Mapping[str, str] = os.environ) -> dict[str, int]:
    """`status_link_days` and `referral_poll_minutes` alone (creates nothing)."""
    return _exchange_numbers(_load(env)[1])


def _exchange_numbers(setting: _Setting) -> dict[str, int]:
    numbers = {}
    for key, (default, bounds) in EXCHANGE_NUMBERS.items():
        given = setting(key)
        numbers[key] = _whole_number(given[0], key, bounds) if given else default
    return numbers


def load_max_case_file_bytes(env: Mapping[str, str] = os.environ) -> int:
    """The `max_case_file_bytes` setting alone: what reading a case file needs (creates
    nothing)."""
    return _max_case_file_bytes(_load(env)[1])


_Setting = Callable[[str], tuple[str, Path | None] | None]


def _follow_up_days(setting: _Setting) -> dict[str, int]:
    days = {}
    for key, (default, bounds) in FOLLOW_UP_NUMBERS.items():
        given = setting(key)
        days[key] = _whole_number(given[0], key, bounds) if given else default
    return days


def _max_case_file_bytes(setting: _Setting) -> int:
    given = setting("max_case_file_bytes")
    if given is None:
        return DEFAULT_MAX_CASE_FILE_BYTES
    return _whole_number(given[0], "max_case_file_bytes", MAX_CASE_FILE_BYTES_RANGE)


def _load(env: Mapping[str, str]) -> tuple[Locations, _Setting]:
    file_values, file_dir = _read_toml(env.get(CONFIG_ENV))

    def setting(key: str) -> tuple[str, Path | None] | None:
        """The value and, for file values, the directory relative paths count from."""
        from_env = env.get(ENV_VARS[key])
        if from_env:
            return from_env, None
        if key in file_values:
            return file_values[key], file_dir
        return None

    data_dir_setting = setting("data_dir")
    if data_dir_setting is None:
        data_dir = default_data_dir()
    else:
        data_dir = _absolute(Path(data_dir_setting[0]).expanduser(), data_dir_setting[1])

    url_setting = setting("database_url")
    database_url = url_setting[0] if url_setting else sqlite_url(data_dir)
    return Locations(data_dir=data_dir, database_url=database_url), setting


_TRUE = frozenset({"true", "1", "yes", "on"})
_FALSE = frozenset({"false", "0", "no", "off"})


def _boolean(value: str, key: str) -> bool:
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ConfigError(f"{key} must be true or false; got {value!r}", key)


def _whole_number(value: str, key: str, bounds: tuple[int, int]) -> int:
    low, high = bounds
    try:
        number = int(str(value).strip())
    except ValueError:
        raise ConfigError(
            f"{key} must be a whole number from {low} to {high}; got {value!r}", key
        ) from None
    if not low <= number <= high:
        raise ConfigError(f"{key} must be from {low} to {high}; got {number}", key)
    return number


def _absolute(path: Path, base: Path | None) -> Path:
    if path.is_absolute():
        return path
    return Path(os.path.abspath((base or Path.cwd()) / path))


def _read_toml(name: str | None) -> tuple[dict[str, str], Path | None]:
    if not name:
        return {}, None
    path = Path(name).expanduser()
    try:
        # Opened without waiting for a writer: a FIFO or a device is refused before any read.
        with open(os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)), "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                raise ConfigError(f"{CONFIG_ENV} names {path}, which is not a regular file")
            raw = handle.read(MAX_CONFIG_FILE_BYTES + 1)
        if len(raw) > MAX_CONFIG_FILE_BYTES:
            raise ConfigError(f"{path}: larger than {MAX_CONFIG_FILE_BYTES} bytes; not settings")
        document = tomllib.loads(raw.decode("utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{CONFIG_ENV} names {path}, which does not exist") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from None
    except (ValueError, RecursionError):  # tomllib meets Python's limits: say so in words
        raise ConfigError(f"{path}: a number of thousands of digits, or nesting too deep") from None

    for key in document:
        if key != TOML_TABLE:
            raise ConfigError(
                f"{path}: unknown key {key!r}; settings go in the [{TOML_TABLE}] table", key
            )
    table = document.get(TOML_TABLE, {})
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: {TOML_TABLE} must be a table ([{TOML_TABLE}])", TOML_TABLE)

    values: dict[str, str] = {}
    for key, value in table.items():
        if key not in ENV_VARS:
            nearest = difflib.get_close_matches(key, list(ENV_VARS), n=1)
            hint = f"; did you mean {nearest[0]!r}?" if nearest else ""
            known = ", ".join(ENV_VARS)
            raise ConfigError(f"{path}: unknown key {TOML_TABLE}.{key}{hint} (known: {known})", key)
        if isinstance(value, bool):  # secure_cookies = true
            values[key] = "true" if value else "false"
            continue
        if isinstance(value, int) and key in _NUMBERS:  # questionnaire_link_days = 14
            values[key] = str(value)
            continue
        if not isinstance(value, str) or not value:
            raise ConfigError(f"{path}: {TOML_TABLE}.{key} must be a non-empty string", key)
        if "\x00" in value:
            raise ConfigError(f"{path}: {TOML_TABLE}.{key} contains a NUL character (U+0000)", key)
        values[key] = value
    return values, Path(os.path.abspath(path.parent))


def _stored_secret_key(data_dir: Path) -> str:
    """The key in `<data_dir>/secret_key`, made on first use, readable by its owner only."""
    return _stored_key(data_dir / SECRET_KEY_FILE, "secret_key")


def _stored_key(path: Path, name: str) -> str:
    """The key in `path`, made on first use, readable by its owner only."""
    if not path.exists():
        data_dir = path.parent
        data_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        # Written aside, then linked into place: a process starting at the same
        # moment sees either no file or the whole key, and one key wins.
        descriptor, temporary = tempfile.mkstemp(dir=data_dir, prefix=f".{path.name}.")
        try:
            with os.fdopen(descriptor, "w", encoding="ascii") as handle:
                handle.write(key + "\n")
            os.chmod(temporary, 0o600)
            with contextlib.suppress(FileExistsError):
                os.link(temporary, path)
        finally:
            os.unlink(temporary)
    return _read_key(path, name)


def _read_key(path: Path, name: str) -> str:
    if path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigError(f"{path} is readable by other users; run `chmod 600 {path}`", name)
    key = path.read_text(encoding="ascii").strip()
    if not key and name == "audit_key":
        # A new key could not check a single entry chained with the old one.
        raise ConfigError(f"{path} is empty; restore the audit key from its backup", name)
    if not key:
        raise ConfigError(f"{path} is empty; delete it to have a new key made", name)
    return key
