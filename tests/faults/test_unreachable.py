"""A database that does not answer at all (PostgreSQL: nothing on the port; SQLite: a file in a
folder that is not there): the command says so in one line and exits 1, the API answers 503
with Retry-After to any request, and /health, which needs no database, still answers."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from estate.config import DatabaseSettings, Settings
from tests.faults.estate_runs import estate, one_line
from tests.peers import free_port


@pytest.fixture
def away(tmp_path: Path) -> tuple[str, str]:
    """An unreachable database of this pass's kind: its URL and how the one line names it."""
    if os.environ.get("ESTATE_TEST_DB", "sqlite") == "postgresql":
        port = free_port()
        return (
            f"postgresql://postgres@127.0.0.1:{port}/estate",
            f"PostgreSQL 127.0.0.1:{port}/estate",
        )
    path = tmp_path / "not-there" / "estate.db"
    return f"sqlite:///{path}", f"SQLite {path}"


def test_a_command_says_the_database_is_away_in_one_line_and_exits_1(
    away: tuple[str, str], tmp_path: Path
) -> None:
    url, named = away
    config = tmp_path / "estate.toml"
    config.write_text(
        f'[database]\nurl = "{url}"\n\n[[sources]]\nname = "servers"\nkind = "cmdb"\n'
        f'[sources.options]\npath = "{tmp_path / "servers.csv"}"\nentity = "server"\n'
    )

    done = estate(config, "scan", "servers", check_exit=1)

    line = one_line(done.stderr)
    assert line.startswith(
        f"the database ({named}) is unavailable while running `estate scan servers`:"
        " nothing was written ("
    )
    assert done.stdout == ""


def test_the_api_answers_503_with_retry_after_while_the_database_is_away(
    away: tuple[str, str],
) -> None:
    client = TestClient(create_app(Settings(database=DatabaseSettings(url=away[0]))))
    headers = {"Authorization": "Bearer any"}

    servers = client.get("/api/v1/servers", headers=headers)
    ready = client.get("/ready")
    health = client.get("/health")

    assert (servers.status_code, servers.headers["Retry-After"]) == (503, "5")
    message = "The database is unavailable; nothing was changed. Try again shortly."
    assert servers.json() == {"detail": [{"loc": [], "msg": message, "type": "unavailable"}]}
    assert (ready.status_code, ready.headers["Retry-After"]) == (503, "5")
    assert health.status_code == 200
