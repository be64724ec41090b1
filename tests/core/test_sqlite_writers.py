"""SQLite and threads that write side by side (the scheduler's jobs): a transaction that reads
and then writes, while another connection writes in between, queues behind it rather than
failing. With SQLite's default deferred BEGIN the second write is refused at once
(SQLITE_BUSY_SNAPSHOT), whatever the busy timeout."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError

from estate.db import make_engine


@pytest.fixture
def database(tmp_path: Path) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'writers.db'}"
    setup = make_engine(url)
    with setup.begin() as conn:
        conn.execute(text("CREATE TABLE t (n INTEGER)"))
    setup.dispose()
    yield url


def read_then_write_around(engine: Engine, other: Engine) -> None:
    """Read in one transaction; while it is open another connection writes; then write."""
    written = threading.Event()

    def write_elsewhere() -> None:
        with other.begin() as conn:
            conn.execute(text("INSERT INTO t VALUES (1)"))
        written.set()

    with engine.begin() as conn:
        conn.execute(text("SELECT count(*) FROM t")).scalar_one()
        threading.Thread(target=write_elsewhere).start()
        written.wait(0.5)  # a writer's own thread: it waits for this transaction, if it must
        conn.execute(text("INSERT INTO t VALUES (2)"))
    assert written.wait(5)


def test_a_deferred_read_then_write_is_refused_when_another_wrote_between(
    database: str,
) -> None:
    engine, other = make_engine(database), make_engine(database)
    with pytest.raises(OperationalError, match="locked"):
        read_then_write_around(engine, other)


def test_a_writer_engine_queues_instead(database: str) -> None:
    engine, other = make_engine(database, sqlite_writer=True), make_engine(database)
    read_then_write_around(engine, other)
    with engine.connect() as conn:
        assert sorted(conn.execute(text("SELECT n FROM t")).scalars()) == [1, 2]
