"""One run per source at a time, across processes and machines."""

from __future__ import annotations

import time

from sqlalchemy import text
from sqlalchemy.orm import Session

_TRY_LOCK = text("SELECT pg_try_advisory_xact_lock(hashtext(:key))")


class SourceBusy(Exception):
    """Another run of the same source holds the lock."""


def lock_source(session: Session, source: str, timeout_seconds: float) -> None:
    """Take the source's lock for the session's transaction, waiting up to the timeout.

    PostgreSQL: a transaction-level advisory lock, released at commit or rollback, or when the
    server loses the connection (a killed process, a restart). SQLite has one writer at a
    time: the run's first write takes the database's write lock and waits for it up to the
    engine's busy timeout (see `estate.db`), so nothing is needed here.
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    deadline = time.monotonic() + timeout_seconds
    while not try_lock_source(session, source):
        if time.monotonic() >= deadline:
            raise SourceBusy(
                f"source {source!r} is busy: another run has held it for over {timeout_seconds:g}s"
            )
        time.sleep(0.2)


def try_lock_source(session: Session, source: str) -> bool:
    """PostgreSQL: take the source's lock for this transaction if no one holds it, at once.
    A live run holds its source's lock for as long as it works, so getting it proves that no
    run of the source is going on anywhere."""
    return bool(session.execute(_TRY_LOCK, {"key": f"estate.source:{source}"}).scalar_one())
