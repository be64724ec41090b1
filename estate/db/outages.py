"""When the database is away: an outage told from any other database error, and said in one line.

A lost or refused connection, a server shutting down or starting up (PostgreSQL), a database
file that cannot be opened or read (SQLite) is an outage: whatever was being done rolled back,
so nothing of it was written, and trying again once the database answers is the whole remedy.
Callers turn one into `DatabaseUnavailable`, whose message says which database, what was being
done and that nothing was written; the CLI prints it and exits 1, the API answers 503, the
scheduler logs it and tries again at the next slot. Any other database error is a bug or a
bad statement and is left to propagate as it is.

A busy database (`is_busy`) is told apart too: another writer held the lock past the busy
timeout (SQLite), or a lock wait, deadlock or serialisation failure was refused (PostgreSQL).
Nothing was written either and trying again is the remedy, but the database is there: the API
answers 503 saying it is busy, not away.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError

# PostgreSQL's SQLSTATEs for a server going or not yet there: class 08 (connection exception),
# admin_shutdown, crash_shutdown, cannot_connect_now (starting up or in recovery).
_PG_OUTAGE_STATES = ("57P01", "57P02", "57P03")
# What sqlite3 says when the file itself cannot be used (deleted folder, unmounted disk).
_SQLITE_OUTAGES = ("unable to open database file", "disk i/o error")
# serialization_failure, deadlock_detected, lock_not_available (lock_timeout, NOWAIT).
_PG_BUSY_STATES = ("40001", "40P01", "55P03")
# SQLITE_BUSY (the busy timeout ran out, or a deferred transaction's snapshot went stale before
# its first write) and SQLITE_LOCKED.
_SQLITE_BUSY = ("database is locked", "database table is locked", "database is busy")


class DatabaseUnavailable(Exception):
    """The database went away (or never answered) while something was being done."""

    def __init__(self, database: str, doing: str, cause: str):
        self.database, self.doing, self.cause = database, doing, cause
        super().__init__(
            f"the database ({database}) is unavailable while {doing}: nothing was written ({cause})"
        )


def is_outage(exc: BaseException) -> bool:
    """Whether this error means the database cannot be reached, rather than refused a statement."""
    if isinstance(exc, DatabaseUnavailable):
        return True
    if not isinstance(exc, DBAPIError):
        return False
    if exc.connection_invalidated:  # SQLAlchemy's dialect saw the connection drop
        return True
    original = exc.orig
    module = type(original).__module__
    if module.startswith("psycopg"):
        state = getattr(original, "sqlstate", None)
        if state is None:  # raised by the client: refused, closed, timed out, lost
            return type(original).__name__ in ("OperationalError", "InterfaceError")
        return state.startswith("08") or state in _PG_OUTAGE_STATES
    if module == "sqlite3":
        message = str(original).lower()
        return any(text in message for text in _SQLITE_OUTAGES)
    return False


def is_busy(exc: BaseException) -> bool:
    """Whether the database refused this transaction only because another one held a lock."""
    if not isinstance(exc, DBAPIError):
        return False
    original = exc.orig
    module = type(original).__module__
    if module.startswith("psycopg"):
        return getattr(original, "sqlstate", None) in _PG_BUSY_STATES
    if module == "sqlite3":
        message = str(original).lower()
        return any(text in message for text in _SQLITE_BUSY)
    return False


def describe(url: URL | Engine) -> str:
    """The database in an operator's terms, without its password."""
    if isinstance(url, Engine):
        url = url.url
    if url.get_backend_name() == "sqlite":
        return f"SQLite {url.database or 'in memory'}"
    port = f":{url.port}" if url.port else ""
    return f"PostgreSQL {url.host or 'localhost'}{port}/{url.database or ''}"


def unavailable(url: URL | Engine, doing: str, exc: BaseException) -> DatabaseUnavailable:
    """The one-line report of an outage met while `doing` (e.g. "scanning source 'x'")."""
    if isinstance(exc, DatabaseUnavailable):
        return exc
    return DatabaseUnavailable(describe(url), doing, cause(exc))


def cause(exc: BaseException) -> str:
    """The driver's first line: no statement, no parameters (they may hold personal data)."""
    original = exc.orig if isinstance(exc, DBAPIError) else exc
    lines = str(original).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


@contextmanager
def reported(url: URL | Engine, doing: str) -> Iterator[None]:
    """Run the block; an outage in it comes out as DatabaseUnavailable, anything else as it is."""
    try:
        yield
    except DatabaseUnavailable:
        raise
    except Exception as exc:
        if is_outage(exc):
            raise unavailable(url, doing, exc) from exc
        raise
