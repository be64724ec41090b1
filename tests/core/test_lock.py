"""One run per source at a time: a second run waits, then fails saying the source is busy."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, func, select
from sqlmodel import Session

from estate.locks import SourceBusy
from estate.models import Observation, Server
from estate.records import Event
from estate.settings import Settings
from tests.core.helpers import complete, scan, server


def test_a_second_run_of_a_busy_source_fails_as_busy_and_writes_nothing(
    engine: Engine, settings: Settings
) -> None:
    settings.database.lock_timeout_seconds = 0.5
    entered, release = threading.Event(), threading.Event()

    def slow() -> Iterator[Event]:
        yield server("a", hostname="app01")
        entered.set()
        release.wait(10)
        yield from complete([])

    first = threading.Thread(target=scan, args=(engine, settings, "cmdb", slow()))
    first.start()
    entered.wait(10)
    try:
        with pytest.raises(SourceBusy, match="'cmdb' is busy"):
            scan(engine, settings, "cmdb", complete([server("a", hostname="app01")]))
    finally:
        release.set()
        first.join()

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
    entered, release = threading.Event(), threading.Event()
    results = []

    def slow() -> Iterator[Event]:
        yield server("a", hostname="app01")
        entered.set()
        release.wait(10)
        yield from complete([])

    first = threading.Thread(target=lambda: results.append(scan(engine, settings, "cmdb", slow())))
    first.start()
    entered.wait(10)
    threading.Timer(0.5, release.set).start()
    second = scan(engine, settings, "cmdb", complete([server("a", hostname="app01")]))
    first.join()

    assert (results[0].added, second.added, second.unchanged) == (1, 0, 1)
