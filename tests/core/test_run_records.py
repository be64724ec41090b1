"""A run is recorded before it works and heart-beaten while it works; a busy one leaves nothing;
a run's beats never hold up its own write transaction (SQLite's single writer)."""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, select
from sqlmodel import Session, col

from estate.config import Settings
from estate.db.locks import SourceBusy
from estate.inventory.records import Event
from estate.models import ScanRun
from tests.core.helpers import complete, held_scan, scan, server


def recorded(engine: Engine) -> list[ScanRun]:
    with Session(engine) as session:
        return list(session.execute(select(ScanRun).order_by(col(ScanRun.id))).scalars())


def test_a_run_is_recorded_running_before_its_work_commits_and_a_busy_one_leaves_nothing(
    engine: Engine, settings: Settings
) -> None:
    settings.database.lock_timeout_seconds = 0.5
    settings.ingest.heartbeat_seconds = 0.2
    with held_scan(engine, settings) as first:
        time.sleep(1)  # five beats' time
        [running] = recorded(engine)
        with pytest.raises(SourceBusy, match="'cmdb' is busy"):
            scan(engine, settings, "cmdb", complete([server("a", hostname="app01")]))
        during = recorded(engine)

    assert (running.status, running.host, running.pid) == (
        "running",
        socket.gethostname(),
        os.getpid(),
    )
    assert running.finished_at is None and running.heartbeat_at is not None
    beaten = (running.heartbeat_at - running.started_at).total_seconds()
    if engine.dialect.name == "postgresql":
        assert beaten >= 0.5  # its own short transactions, seen by others at once
    else:
        assert beaten == 0  # SQLite: the run is the only writer; it is judged by its process
    assert [r.id for r in during] == [running.id]
    [done] = recorded(engine)
    assert (done.id, done.status, done.added, first.runs[0].id) == (running.id, "ok", 1, running.id)


def test_beats_never_hold_up_the_runs_own_commit(engine: Engine, settings: Settings) -> None:
    settings.ingest.heartbeat_seconds = 0.01

    def trickle() -> Iterator[Event]:
        for n in range(20):
            yield server(f"s{n}", hostname=f"app{n:02d}")
            time.sleep(0.02)
        yield from complete([])

    started = time.monotonic()
    run = scan(engine, settings, "cmdb", trickle())

    assert (run.status, run.added) == ("ok", 20)
    assert time.monotonic() - started < 10
