from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from estate.config import ConfigError
from estate.config.loading import load_settings
from scanners.registry import check_sources


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "estate.toml"
    path.write_text(text)
    return path


def test_an_unknown_key_names_the_file_and_the_key(tmp_path: Path) -> None:
    path = write(tmp_path, '[database]\nurl = "sqlite://"\npool = 3\n')

    with pytest.raises(ConfigError) as raised:
        load_settings(path)

    assert str(raised.value) == f"{path}: unknown key 'database.pool'"


def test_an_unknown_kind_names_the_source_and_the_kinds_expected(tmp_path: Path) -> None:
    path = write(tmp_path, '[[sources]]\nname = "x"\nkind = "servicenow"\n')

    with pytest.raises(
        ConfigError,
        match=r"sources\(x\)\.kind: unknown kind 'servicenow'; expected one of: aws, cmdb",
    ):
        check_sources(load_settings(path))


def test_a_bad_option_names_the_source_and_option(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[[sources]]\nname = "x"\nkind = "cmdb"\n'
        '[sources.options]\npath = "a.csv"\nentity = "rack"\n',
    )

    with pytest.raises(ConfigError, match=r"sources\(x\)\.options: entity"):
        check_sources(load_settings(path))


def test_a_wrong_type_inside_a_list_is_a_config_error(tmp_path: Path) -> None:
    path = write(
        tmp_path, '[[sources]]\nname = "x"\nkind = "aws"\n[sources.options]\nservices = ["s3"]\n'
    )

    with pytest.raises(ConfigError, match=r"sources\(x\)\.options: services\[0\]"):
        check_sources(load_settings(path))


def test_environment_overrides_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, '[database]\nurl = "sqlite:///a.db"\n[ingest]\ngrace_days = 3\n')
    monkeypatch.setenv("ESTATE_DATABASE_URL", "postgresql://db/estate")

    settings = load_settings(path)

    assert (settings.database.url, settings.ingest.grace_days) == ("postgresql://db/estate", 3)


def test_a_missing_file_and_bad_toml_are_config_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="config file not found"):
        load_settings(tmp_path / "nope.toml")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(write(tmp_path, "[database\n"))


def test_reading_the_settings_loads_no_other_part_of_estate() -> None:
    # A scanner or a command that only reads its settings must not pay for the storage layer.
    probe = (
        "import sys, estate.config; print(sorted(m for m in sys.modules if m.startswith('estate')))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], check=True, capture_output=True, text=True
    ).stdout

    assert loaded.strip() == "['estate', 'estate.config', 'estate.config.domain']"
