"""Settings from the environment, a TOML file and the data directory (no database needed)."""

from __future__ import annotations

import stat
from pathlib import Path

import platformdirs
import pytest

from referwell.config import AppConfig, ConfigError, load_config, load_locations


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    # The default data folder is the user's: keep it inside tmp_path.
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "home" / "data"))


def _user_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("referwell", appauthor=False))


def test_defaults_put_everything_in_the_user_data_folder(tmp_path: Path) -> None:
    config = load_config({})

    data_dir = _user_data_dir()
    assert data_dir.is_relative_to(tmp_path / "home")
    assert config.data_dir == data_dir
    assert config.database_url == f"sqlite:///{data_dir}/referwell.sqlite3"
    key_file = data_dir / "secret_key"
    assert key_file.read_text().strip() == config.secret_key
    assert len(config.secret_key) >= 32
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert [p.name for p in data_dir.iterdir()] == ["secret_key"]


def test_the_default_folder_is_the_same_wherever_a_command_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    here = load_locations({})
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert load_locations({}) == here
    assert here.data_dir == _user_data_dir()


def test_reading_where_the_data_lives_creates_nothing(tmp_path: Path) -> None:
    locations = load_locations({"REFERWELL_DATA_DIR": str(tmp_path / "absent")})

    assert locations.data_dir == tmp_path / "absent"
    assert locations.database_url == f"sqlite:///{tmp_path}/absent/referwell.sqlite3"
    assert locations.default_database_url == locations.database_url
    assert not (tmp_path / "absent").exists()
    assert not _user_data_dir().exists()


def test_the_secret_key_is_made_once(tmp_path: Path) -> None:
    assert load_config({}).secret_key == load_config({}).secret_key


def test_environment_variables_win(tmp_path: Path) -> None:
    config = load_config(
        {
            "REFERWELL_DATA_DIR": "data",
            "REFERWELL_DATABASE_URL": "postgresql+psycopg://db/referwell",
            "REFERWELL_SECRET_KEY": "k" * 40,
        }
    )

    assert config == AppConfig(
        data_dir=tmp_path / "data",
        database_url="postgresql+psycopg://db/referwell",
        secret_key="k" * 40,
    )
    assert not (tmp_path / "data").exists()  # nothing to store: the key came from outside


def test_the_secret_key_is_never_shown(tmp_path: Path) -> None:
    config = load_config({"REFERWELL_SECRET_KEY": "do-not-print-me"})
    assert "do-not-print-me" not in repr(config)


def test_a_toml_file_and_its_relative_paths(tmp_path: Path) -> None:
    etc = tmp_path / "etc"
    etc.mkdir()
    (etc / "referwell.toml").write_text('[referwell]\ndata_dir = "../srv"\nsecret_key = "s3"\n')

    config = load_config({"REFERWELL_CONFIG": str(etc / "referwell.toml")})

    assert config.data_dir == tmp_path / "srv"
    assert config.database_url == f"sqlite:///{tmp_path}/srv/referwell.sqlite3"
    assert config.secret_key == "s3"

    overridden = load_config(
        {"REFERWELL_CONFIG": str(etc / "referwell.toml"), "REFERWELL_SECRET_KEY": "env"}
    )
    assert overridden.secret_key == "env"


def _config_file(tmp_path: Path, text: str) -> dict[str, str]:
    path = tmp_path / "referwell.toml"
    path.write_text(text)
    return {"REFERWELL_CONFIG": str(path)}


def test_an_unknown_key_is_named_with_the_nearest_known_one(tmp_path: Path) -> None:
    env = _config_file(tmp_path, '[referwell]\ndatabse_url = "sqlite://"\n')

    with pytest.raises(ConfigError, match=r"referwell\.databse_url.*'database_url'") as raised:
        load_config(env)
    assert raised.value.key == "databse_url"


def test_settings_outside_the_referwell_table_are_refused(tmp_path: Path) -> None:
    env = _config_file(tmp_path, 'data_dir = "x"\n')
    with pytest.raises(ConfigError, match="unknown key 'data_dir'") as raised:
        load_config(env)
    assert raised.value.key == "data_dir"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[referwell]\ndata_dir = 3\n", "data_dir must be a non-empty string"),
        ("[referwell]\nsecret_key = ''\n", "secret_key must be a non-empty string"),
        ("referwell = 1\n", "must be a table"),
        ("[referwell\n", "not valid TOML"),
    ],
)
def test_bad_files_are_refused(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_config(_config_file(tmp_path, text))


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_config({"REFERWELL_CONFIG": str(tmp_path / "nowhere.toml")})


def test_a_secret_key_file_others_can_read_is_refused(tmp_path: Path) -> None:
    key_file = load_config({}).data_dir / "secret_key"
    key_file.chmod(0o644)

    with pytest.raises(ConfigError, match="chmod 600"):
        load_config({})
