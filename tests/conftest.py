"""Shared fixtures: a migrated database per test session (SQLite or PostgreSQL), emptied after
each test, and settings pointing at it.

`ESTATE_TEST_DB=postgresql` runs the suite on PostgreSQL (`ESTATE_TEST_PG_URL`, default the local
server); each test session creates its own database and drops it at the end.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlmodel import SQLModel

import estate.models  # noqa: F401  (registers the tables for the truncation list)
from estate.config import DatabaseSettings, Settings
from estate.db import make_engine
from estate.db.schema import upgrade

PG_ADMIN_URL = os.environ.get("ESTATE_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def _backend() -> str:
    return os.environ.get("ESTATE_TEST_DB", "sqlite")


@contextmanager
def fresh_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of a new, empty database of the backend under test, dropped afterwards."""
    if _backend() == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'estate.db'}"
        return
    admin_url = make_url(PG_ADMIN_URL).set(drivername="postgresql+psycopg")
    name = f"estate_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with fresh_database(tmp_path_factory) as url:
        yield url


@pytest.fixture(scope="session")
def migrated_engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url, busy_timeout_seconds=5)
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def engine(migrated_engine: Engine) -> Iterator[Engine]:
    """The migrated database, emptied after the test (runs own their transactions)."""
    yield migrated_engine
    empty_database(migrated_engine)


def empty_database(engine: Engine) -> None:
    """Every table emptied (and PostgreSQL's ids restarted)."""
    tables = [t.name for t in reversed(SQLModel.metadata.sorted_tables)]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(text(f"DELETE FROM {table}"))


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database=DatabaseSettings(url=database_url, lock_timeout_seconds=5),
        config_path=tmp_path / "estate.toml",
    )
