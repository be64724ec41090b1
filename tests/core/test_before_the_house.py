"""A database made before estate/ was reorganised (its migrations moved from estate/migrations to
estate/db/migrations with the same revision ids) upgrades untouched and goes on being scanned.

The gzipped SQL dumps in tests/core/data were made by estate at commit cc4b456 with
`estate db upgrade`, a CMDB scan of tests/cmdb/data/servers-bom-semicolon.csv and `estate token
create --name before`:
SQLite's by `iterdump()`, PostgreSQL's by `pg_dump --inserts --no-owner --no-privileges`
(less its psql-only `\\restrict` lines).
"""

from __future__ import annotations

import gzip
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.engine import make_url
from sqlmodel import Session, col

from estate.config import DatabaseSettings, Settings, SourceConfig
from estate.db import make_engine
from estate.db.schema import at_head, upgrade
from estate.models import ApiToken, Change, Server
from scanners.runner import run_source
from tests.conftest import fresh_database

DATA = Path(__file__).parent / "data"
SERVERS_CSV = Path(__file__).parents[1] / "cmdb" / "data" / "servers-bom-semicolon.csv"


def dump(backend: str) -> str:
    return gzip.decompress((DATA / f"before-{backend}.sql.gz").read_bytes()).decode()


@pytest.fixture
def before(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    with fresh_database(tmp_path_factory) as url:
        engine = make_engine(url, busy_timeout_seconds=5)
        if engine.dialect.name == "postgresql":
            dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
            with psycopg.connect(dsn, autocommit=True) as connection:
                connection.execute(
                    gzip.decompress((DATA / "before-postgresql.sql.gz").read_bytes()).decode()
                )  # type: ignore[arg-type]
        else:
            # Plain sqlite3: the dump creates tables in name order, before the ones their
            # foreign keys name, which estate's own connections (foreign_keys=ON) refuse.
            with sqlite3.connect(make_url(url).database or "") as connection:
                connection.executescript(dump("sqlite"))
        yield engine
        engine.dispose()


def test_a_database_made_before_the_move_upgrades_and_keeps_its_rows(before: Engine) -> None:
    upgrade(before)

    assert at_head(before)
    with Session(before) as session:
        names = session.execute(select(col(Server.hostname)).order_by(col(Server.id))).scalars()
        assert list(names) == ["web01", "db01"]
        tokens = session.execute(select(col(ApiToken.name))).scalars()
        assert list(tokens) == ["before"]


def test_rescans_after_the_upgrade_write_no_change_rows(before: Engine, tmp_path: Path) -> None:
    upgrade(before)
    source = SourceConfig(
        name="cmdb",
        kind="cmdb",
        options={"path": str(SERVERS_CSV), "entity": "server", "delimiter": ";"},
    )
    settings = Settings(
        database=DatabaseSettings(url=before.url.render_as_string(hide_password=False)),
        sources=[source],
        config_path=tmp_path / "estate.toml",
    )

    first = run_source(before, settings, "cmdb")
    again = run_source(before, settings, "cmdb")

    # Readings left the digest in 0008, so each observation's digest differs once: it counts
    # as changed, and no change row is written, as nothing about the servers changed.
    assert (first.status, first.added, first.changed, first.unchanged) == ("ok", 0, 2, 0)
    assert (again.status, again.added, again.changed, again.unchanged) == ("ok", 0, 0, 2)
    with Session(before) as session:
        assert session.execute(select(func.count()).select_from(Change)).scalar_one() == 0
