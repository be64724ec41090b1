"""Run the real `estate` command in a subprocess against the test database."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine

ESTATE = str(Path(sys.executable).with_name("estate"))
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

Cli = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def config(tmp_path: Path, database_url: str, engine: Engine) -> Path:
    """An estate.toml for the test database; tests append their sources to it."""
    path = tmp_path / "estate.toml"
    path.write_text(f'[database]\nurl = "{database_url}"\nlock_timeout_seconds = 2\n')
    return path


@pytest.fixture
def cli(config: Path) -> Cli:
    def run(*args: str, check_exit: int | None = 0) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [ESTATE, "--config", str(config), *args], capture_output=True, text=True, timeout=1200
        )
        if check_exit is not None:
            assert done.returncode == check_exit, done.stdout + done.stderr
        return done

    return run
