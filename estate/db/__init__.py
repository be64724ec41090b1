"""The database: engines and sessions for SQLite (embedded) and PostgreSQL (production).

The package also holds the schema and its Alembic migrations (`schema`, `migrations/`), the
per-source run lock (`locks`), bulk statements that read the same on both databases (`bulk`),
sorted, filtered pages of any query (`paging`) and their counts kept until the next commit
(`kept`). It imports only estate.config and estate.models. Functions that take an `Engine` own
and commit their transaction; functions that take a `Session` never commit: the request, the
command or the job does.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event, orm
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlmodel import Session

from estate.db import kept

# Connections a pool keeps, and how many more it may open in a burst: 40 in all, more than an
# API process's request threads ([http] threads) and its scheduler's jobs use at once (a pool
# opens them only as they are asked for). A pool smaller than its usual concurrency closes and
# opens connections all the time under load (on PostgreSQL a new server process each).
POOL_SIZE = 32
POOL_OVERFLOW = 8
# The connection used last is handed out first: the few a steady load needs stay warm (their
# caches, and on SQLite the counts each keeps, estate.db.kept), and the rest sit idle. Taken in
# turn, every one of 40 would be asked in turn.
POOLED = {"pool_size": POOL_SIZE, "max_overflow": POOL_OVERFLOW, "pool_use_lifo": True}
# A pooled connection idle this long is pinged before it is used again (a restarted server or
# a firewall may have dropped it); one in steady use is not, which saves a round trip each time.
PING_AFTER_IDLE_SECONDS = 10.0


def make_engine(
    url: str, *, busy_timeout_seconds: float = 30.0, sqlite_writer: bool = False
) -> Engine:
    """An engine for the database at `url`. `sqlite_writer` is for a process whose threads
    run writing jobs side by side (the scheduler, scans, the demo): on SQLite each of its
    transactions takes the write lock at BEGIN, so it queues behind another writer for up to
    the busy timeout. A deferred transaction that reads and then writes cannot queue: if another
    connection wrote in between, SQLite refuses the write at once (SQLITE_BUSY_SNAPSHOT), busy
    timeout or not. The API keeps deferred transactions so its readers never queue."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url, busy_timeout_seconds, sqlite_writer)
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        # psycopg 3 is the driver we install; plain postgresql:// would ask for psycopg2.
        url = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    engine = create_engine(url, **POOLED)
    _ping_after_idle(engine)
    event.listen(engine, "connect", _no_jit)
    return engine


def _no_jit(dbapi_connection: Any, _record: Any) -> None:
    """PostgreSQL compiles a query it costs high (a count over a table rebuilt as at a day)
    before running it: 60-70 ms spent on every such request, more than the query saves. A
    SET, not a startup option, so it passes through a connection pooler."""
    with dbapi_connection.cursor() as cursor:
        cursor.execute("SET jit = off")
    dbapi_connection.commit()


def _ping_after_idle(engine: Engine) -> None:
    """pool_pre_ping, but only for a connection that has sat idle: a dropped one is replaced
    before use (the pool retries on DisconnectionError); a busy pool pays nothing."""

    @event.listens_for(engine, "checkin")
    def _idle_from(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.get("idle_since")
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as exc:
            raise DisconnectionError(f"a pooled connection was dropped: {exc}") from exc


def _sqlite_engine(url: str, busy_timeout_seconds: float, writer: bool) -> Engine:
    database = make_url(url).database
    # A file is pooled like a server; an in-memory database keeps its one connection per thread.
    in_memory = database in (None, "", ":memory:") or "mode=memory" in url
    pool = {} if in_memory else POOLED
    engine = create_engine(url, connect_args={"timeout": busy_timeout_seconds}, **pool)

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        # Let SQLAlchemy emit BEGIN itself so a transaction spans reads and writes (pysqlite's
        # own handling defers it and breaks SAVEPOINT); WAL lets readers go on during a scan.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_seconds * 1000)}")
        cursor.close()

    begin = "BEGIN IMMEDIATE" if writer else "BEGIN"
    kept.watch_sqlite_writes(engine)

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        conn.exec_driver_sql(begin)

    return engine


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def read_statement_by_statement(session: orm.Session) -> None:
    """For a session that will only read and has not begun: on PostgreSQL, run each statement
    on its own (autocommit), one round trip instead of BEGIN, the statement and ROLLBACK. Each
    statement still reads one snapshot, as it would in a READ COMMITTED transaction. SQLite,
    with no round trips to save, keeps its transaction."""
    if session.in_transaction() or session.get_bind().dialect.name != "postgresql":
        return
    session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """The unit of work of a command or task: commits on success, rolls back on error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
