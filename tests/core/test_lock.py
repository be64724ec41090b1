"""One run per source at a time: a second run waits, then fails saying the source is busy."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import Engine, func, select
from sqlmodel import Session

from estate.config import Settings
from estate.db.locks import SourceBusy
from estate.models import Observation, Server
from tests.core.helpers import complete, held_scan, scan, server


def test_a_second_run_of_a_busy_source_fails_as_busy_and_writes_nothing(
    engine: Engine, settings: Settings
) -> None:
    settings.database.lock_timeout_seconds = 0.5
    with held_scan(engine, settings), pytest.raises(SourceBusy, match="'cmdb' is busy"):
        scan(engine, settings, "cmdb", complete([server("a", hostname="app01")]))

    with Session(engine) as session:
        counts = [
            session.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (Server, Observation)
        ]
    assert counts == [1, 1]


def test_a_second_run_waits_for_the_first_when_it_ends_in_time(
    engine: Engine, settings: Settings
) -> None:
    settings.database.lock_timeout_seconds = 10
    with held_scan(engine, settings) as first:
        threading.Timer(0.5, first.release.set).start()
        second = scan(engine, settings, "cmdb", complete([server("a", hostname="app01")]))

    assert (first.runs[0].added, second.added, second.unchanged) == (1, 0, 1)
