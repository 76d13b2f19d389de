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
| `secure_cookies` | `REFERWELL_SECURE_COOKIES` | `false`; `true` marks the session cookie Secure (serve over HTTPS) |
| `questionnaire_link_days` | `REFERWELL_QUESTIONNAIRE_LINK_DAYS` | `7`: a one-time questionnaire link expires this many days after it is made (1 to 90) |

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
    "secure_cookies": "REFERWELL_SECURE_COOKIES",
    "questionnaire_link_days": "REFERWELL_QUESTIONNAIRE_LINK_DAYS",
}
TOML_TABLE = "referwell"
APP_NAME = "referwell"
DATABASE_FILE = "referwell.sqlite3"
SECRET_KEY_FILE = "secret_key"  # noqa: S105 - a file name, not a secret
DEFAULT_LINK_DAYS = 7
_NUMBERS = frozenset({"questionnaire_link_days"})  # keys a TOML file may give as numbers
LINK_DAYS_RANGE = (1, 90)


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


@dataclass(frozen=True)
class Locations:
    """Where an installation keeps its data: what a command needs to find its database."""

    data_dir: Path
    database_url: str

    @property
    def default_database_url(self) -> str:
        """The URL of the SQLite file in `data_dir`, whatever `database_url` says."""
        return sqlite_url(self.data_dir)


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

    return AppConfig(
        data_dir=locations.data_dir,
        database_url=locations.database_url,
        secret_key=secret_key,
        secure_cookies=secure_cookies,
        questionnaire_link_days=link_days,
    )


_Setting = Callable[[str], tuple[str, Path | None] | None]


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
        with path.open("rb") as handle:
            document = tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"{CONFIG_ENV} names {path}, which does not exist") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from None

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
        values[key] = value
    return values, Path(os.path.abspath(path.parent))


def _stored_secret_key(data_dir: Path) -> str:
    """The key in `<data_dir>/secret_key`, made on first use, readable by its owner only."""
    path = data_dir / SECRET_KEY_FILE
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        # Written aside, then linked into place: a process starting at the same
        # moment sees either no file or the whole key, and one key wins.
        descriptor, temporary = tempfile.mkstemp(dir=data_dir, prefix=".secret_key.")
        try:
            with os.fdopen(descriptor, "w", encoding="ascii") as handle:
                handle.write(key + "\n")
            os.chmod(temporary, 0o600)
            with contextlib.suppress(FileExistsError):
                os.link(temporary, path)
        finally:
            os.unlink(temporary)
    return _read_secret_key(path)


def _read_secret_key(path: Path) -> str:
    if path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigError(
            f"{path} is readable by other users; run `chmod 600 {path}`", "secret_key"
        )
    key = path.read_text(encoding="ascii").strip()
    if not key:
        raise ConfigError(f"{path} is empty; delete it to have a new key made", "secret_key")
    return key
