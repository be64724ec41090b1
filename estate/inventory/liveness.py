"""A scan run's record while it works: written before it starts, heart-beaten, closed, and found
out when the run was abandoned.

`start_run` commits a `running` row, with the host and process id running it, in a short
transaction of its own before any of the run's work; the work stays in its own transaction
(estate.inventory.ingest). A run that dies (its process killed, its database gone away)
cannot record its own end, so others find it and mark it `failed` ("abandoned: no heartbeat
since ..."): the next run of its source, any scheduler's periodic sweep, and `estate scan`.

How a run is known to be dead differs by database, because each locks differently:

- PostgreSQL: a live run holds its source's advisory lock for as long as it works, and the
  server drops the lock when it loses the connection (a killed process, a restart). So whoever
  can take a source's lock knows that no run of it is going on, and every `running` row of it
  is abandoned, at once. While the lock is held, rows are judged by their heartbeats:
  `Heartbeat` writes `heartbeat_at` every `ingest.heartbeat_seconds` from a connection of its
  own, and a row silent for `HEARTBEATS_MISSED` beats is abandoned (a hung process, a client
  cut off by the network, an old row under a newer run). A host name and pid are not trusted
  to decide here: two containers may share both.
- SQLite: the run is the database's only writer from its first write to its commit. A beat
  from another connection would only wait behind the run's own write lock (the busy timeout)
  and fail, and waiting for that beat to stop would hold up the run's commit; a beat from the
  run's own connection would be invisible until the commit that ends the run anyway. So a run
  on SQLite does not beat: SQLite is one machine, and its runs are judged by their process:
  the recorded host and pid, and that process's start time, so that a pid reused by a newer
  process is not taken for the run. (A row from another host is judged by its heartbeat, and
  can only be written once no run holds the write lock.)

Either way a process knows the runs it is working on (`OURS`), so it never takes its own for
dead; and a run it had to give up without recording why (its database was away) is closed with
the real reason by the next run or sweep in that process.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from sqlmodel import col

from estate.config import Settings, SourceConfig
from estate.db import is_sqlite
from estate.db.locks import SourceBusy, try_lock_source
from estate.inventory.processes import Worker, process_alive, this_process
from estate.models import ScanRun
from estate.models.base import utcnow
from estate.status import RunStatus

log = logging.getLogger(__name__)


def run_problem(reason: str) -> dict[str, Any]:
    """A problem of the whole run (no scope, row or target), as scan_runs.errors keeps them."""
    return {"scope": None, "reason": reason, "row": None, "column": None, "target": None}


class _Ours:
    """The runs this process is working on, and those it had to leave unclosed (with why).
    Process-local by nature: only this process can know that it still runs a run."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._runs: dict[int, str | None] = {}

    def working(self, run_id: int) -> None:
        with self._lock:
            self._runs[run_id] = None

    def unclosed(self, run_id: int, reason: str) -> None:
        with self._lock:
            self._runs[run_id] = reason

    def done(self, run_id: int) -> None:
        with self._lock:
            self._runs.pop(run_id, None)

    def knows(self, run_id: int) -> tuple[bool, str | None]:
        """(whether it is this process's, why it was left unclosed if it was)."""
        with self._lock:
            return run_id in self._runs, self._runs.get(run_id)


OURS = _Ours()


# --- recording a run -------------------------------------------------------------------------


def start_run(engine: Engine, settings: Settings, source: SourceConfig) -> ScanRun:
    """Record a `running` run of the source, and mark failed any earlier run of it found
    abandoned, in a transaction of its own. On SQLite this waits for the database's write lock
    (SourceBusy past the busy timeout); on PostgreSQL the caller holds the source's lock."""
    me, now = this_process(), utcnow()
    run = ScanRun(
        source=source.name,
        kind=source.kind,
        started_at=now,
        host=me.host,
        pid=me.pid,
        heartbeat_at=now,
    )
    with Session(engine, expire_on_commit=False) as session:
        session.add(run)
        # The insert comes first: on SQLite it takes the write lock before anything is read.
        with _busy_is_source_busy(source.name):
            session.flush()
        # Known as this process's before anyone can see it, so no sweep here takes it for dead.
        OURS.working(_id(run))
        try:
            earlier = _running(session, source.name, but=run.id)
            # PostgreSQL: this run's caller holds the source, so no other run of it is alive.
            free = set() if is_sqlite(engine) else {source.name}
            for found, reason in _judge(engine, settings, earlier, free):
                _close_abandoned(session, found, reason)
            session.commit()
        except BaseException:
            OURS.done(_id(run))
            raise
    return run


def hold_run(session: Session, run: ScanRun) -> ScanRun:
    """The recorded run in the work's own session. On SQLite the work's first statement is a
    write (the run's first beat, inside the work's transaction), so the work holds the write
    lock from here to its commit. On PostgreSQL the work leaves the run's row alone until its
    end: a row lock held through the work would stop every beat."""
    if session.get_bind().dialect.name == "sqlite":
        beat = update(ScanRun).where(col(ScanRun.id) == run.id).values(heartbeat_at=utcnow())
        # Busy only if another writer took the database in the moment between the two.
        with _busy_is_source_busy(run.source):
            session.execute(beat)
    return session.merge(run, load=False)


def close_failed(engine: Engine, source: SourceConfig, run: ScanRun | None, reason: str) -> ScanRun:
    """Record the run as failed with its reason, in a transaction of its own (a new row if the
    run was never recorded). Unguarded: the run's own process knows best why it ended, so this
    overwrites what a sweeper may have guessed meanwhile."""
    values: dict[str, Any] = {
        "status": RunStatus.FAILED,
        "finished_at": utcnow(),
        "errors": [run_problem(reason)],
    }
    with Session(engine, expire_on_commit=False) as session:
        if run is None:
            run = ScanRun(source=source.name, kind=source.kind, started_at=utcnow(), **values)
            session.add(run)
        else:
            session.execute(update(ScanRun).where(col(ScanRun.id) == run.id).values(**values))
            for name, value in values.items():
                setattr(run, name, value)
        session.commit()
    assert run.id is not None
    OURS.done(run.id)
    return run


@contextmanager
def _busy_is_source_busy(source: str) -> Iterator[None]:
    """SQLite: another writer kept the database locked past the busy timeout."""
    try:
        yield
    except OperationalError as exc:
        message = str(exc).lower()
        if "locked" in message or "busy" in message:
            raise SourceBusy(
                f"source {source!r} is busy: the database is locked by another run"
            ) from None
        raise


class Heartbeat:
    """Beats a running run's `heartbeat_at` every `seconds` from a thread of its own, each beat a
    short transaction on a connection of its own (PostgreSQL; on SQLite it does nothing, see
    the module's docstring). A beat that fails is logged once and tried again: the run's work
    meets the same outage and reports it."""

    def __init__(self, engine: Engine, run: ScanRun, seconds: float):
        self.engine, self.run_id, self.seconds = engine, run.id, seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> Heartbeat:
        if not is_sqlite(self.engine):
            self._thread = threading.Thread(
                target=self._beat, name=f"heartbeat-run-{self.run_id}", daemon=True
            )
            self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            # A beat is one short UPDATE; one stuck on a dead network is left behind (daemon),
            # its guard on `running` keeps it from touching the run once it has ended.
            self._thread.join(timeout=self.seconds + 5)

    def _beat(self) -> None:
        beat = update(ScanRun).where(
            col(ScanRun.id) == self.run_id, col(ScanRun.status) == RunStatus.RUNNING
        )
        failing = False
        while not self._stop.wait(self.seconds):
            try:
                with self.engine.begin() as connection:
                    connection.execute(beat.values(heartbeat_at=utcnow()))
                failing = False
            except Exception as exc:  # a beat must never end the run it beats for
                if not failing:
                    log.info("run %s: heartbeat not written: %s", self.run_id, _first_line(exc))
                failing = True


# --- finding abandoned runs ------------------------------------------------------------------


def sweep_abandoned(engine: Engine, settings: Settings, source: str | None = None) -> list[ScanRun]:
    """Mark failed every `running` run (of one source, or all) found abandoned; returns them.

    Found in one transaction (on PostgreSQL holding, for that moment, the lock of each source it
    could take) and marked in another, each mark guarded on the row being as it was seen: on
    SQLite the marking transaction must begin with its write, and a row that was seen dead
    stays dead after the locks are let go."""
    with Session(engine, expire_on_commit=False) as session:
        # This process's own live runs are not looked at again; its unclosed ones are.
        running = [r for r in _running(session, source) if OURS.knows(_id(r)) != (True, None)]
        if not running:
            return []
        free: set[str] = set()
        if not is_sqlite(engine):
            free = {name for name in {r.source for r in running} if try_lock_source(session, name)}
        found = _judge(engine, settings, running, free)
        # Kept as seen (a rollback would expire them, and reading them again would begin the
        # marking transaction with a read); the rollback lets the probed locks go.
        session.expunge_all()
        session.rollback()
        marked = [run for run, reason in found if _close_abandoned(session, run, reason)]
        session.commit()
    return marked


def _running(session: Session, source: str | None, but: int | None = None) -> list[ScanRun]:
    query = select(ScanRun).where(col(ScanRun.status) == RunStatus.RUNNING)
    if source is not None:
        query = query.where(col(ScanRun.source) == source)
    if but is not None:
        query = query.where(col(ScanRun.id) != but)
    return list(session.execute(query.order_by(col(ScanRun.id))).scalars())


def _judge(
    engine: Engine, settings: Settings, runs: list[ScanRun], free: set[str]
) -> list[tuple[ScanRun, str]]:
    """The runs found abandoned, each with why; `free` are the sources no process holds."""
    judge = _Judge(
        sqlite=is_sqlite(engine),
        free=frozenset(free),
        silent_after=timedelta(seconds=settings.ingest.abandoned_after_seconds),
        me=this_process(),
        now=utcnow(),
    )
    return [(run, reason) for run in runs if (reason := judge.why_abandoned(run)) is not None]


@dataclass(frozen=True)
class _Judge:
    """One sweeper's view: its database, the sources it found free, itself and the time."""

    sqlite: bool
    free: frozenset[str]
    silent_after: timedelta
    me: Worker
    now: datetime

    def why_abandoned(self, run: ScanRun) -> str | None:
        """Why the run is taken for abandoned, or None while it may still be working."""
        ours, left_unclosed = OURS.knows(_id(run))
        if ours:
            return left_unclosed  # None while this process works on it
        since = run.heartbeat_at or run.started_at
        local = run.host == self.me.host and run.pid is not None
        ended = local and not process_alive(run.pid or 0, run.started_at)
        mine = local and run.pid == self.me.pid
        source_free = run.source in self.free
        if self.sqlite and local:
            abandoned = ended or mine
        else:
            abandoned = source_free or self.now - since > self.silent_after
        if not abandoned:
            return None
        who = f"its process (pid {run.pid} on {run.host})"
        if ended:
            detail = f"{who} has ended"
        elif mine:
            detail = f"this process (pid {run.pid} on {run.host}) is not running it"
        elif source_free:
            detail = f"{who} no longer holds the source: it lost its database connection or ended"
        else:
            detail = f"nothing heard from {who} for {(self.now - since).total_seconds():.0f}s"
        return f"abandoned: no heartbeat since {since:%Y-%m-%d %H:%M:%S} UTC; {detail}"


def _close_abandoned(session: Session, run: ScanRun, reason: str) -> bool:
    """Mark one run failed if it is still as it was seen; whether it was."""
    seen = run.heartbeat_at
    values: dict[str, Any] = {
        "status": RunStatus.FAILED,
        "finished_at": utcnow(),
        "errors": [run_problem(reason)],
    }
    unchanged = (
        col(ScanRun.heartbeat_at) == seen
        if seen is not None
        else col(ScanRun.heartbeat_at).is_(None)
    )
    result: Any = session.execute(
        update(ScanRun)
        .where(col(ScanRun.id) == run.id, col(ScanRun.status) == RunStatus.RUNNING, unchanged)
        .values(**values)
    )
    if result.rowcount != 1:
        return False
    if run in session:  # the UPDATE above wrote it: the unit of work must not write it again
        session.expunge(run)
    for name, value in values.items():
        setattr(run, name, value)
    OURS.done(_id(run))
    return True


def _id(run: ScanRun) -> int:
    assert run.id is not None
    return run.id


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
