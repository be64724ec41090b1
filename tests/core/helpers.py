"""Small builders for ingest tests."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, func, select
from sqlmodel import Session

from estate.config import Settings, SourceConfig
from estate.inventory.ingest import run_scan
from estate.inventory.records import Event, Record, ScopeEnd, ServerRecord
from estate.models import Change, ScanRun


def server(external_id: str, scope: str = "file", **fields: Any) -> ServerRecord:
    return ServerRecord(external_id=external_id, scope=scope, **fields)


def complete(records: Iterable[Record], *scopes: str) -> Iterator[Event]:
    yield from records
    for scope in scopes or ("file",):
        yield ScopeEnd(scope=scope, complete=True)


def scan(
    engine: Engine, settings: Settings, name: str, events: Iterable[Event], kind: str = "cmdb"
) -> ScanRun:
    return run_scan(engine, settings, SourceConfig(name=name, kind=kind), events)


def scan_file(engine: Engine, settings: Settings, name: str, *records: Record) -> ScanRun:
    """A complete scan by the (cmdb) source `name` of the "file" scope holding `records`."""
    return scan(engine, settings, name, complete(records))


def change_count(engine: Engine) -> int:
    with Session(engine) as session:
        return session.execute(select(func.count()).select_from(Change)).scalar_one()


@dataclass
class Held:
    """A scan held mid-way on a thread: set `release` to let it finish; `runs` has its run then."""

    release: threading.Event = field(default_factory=threading.Event)
    runs: list[ScanRun] = field(default_factory=list)


@contextmanager
def held_scan(engine: Engine, settings: Settings, name: str = "cmdb") -> Iterator[Held]:
    """A scan of one server, held after its first record (its work begun) until released, at
    the latest when the block ends."""
    held, entered = Held(), threading.Event()

    def slow() -> Iterator[Event]:
        yield server("a", hostname="app01")
        entered.set()
        held.release.wait(10)
        yield from complete([])

    thread = threading.Thread(target=lambda: held.runs.append(scan(engine, settings, name, slow())))
    thread.start()
    entered.wait(10)
    try:
        yield held
    finally:
        held.release.set()
        thread.join()
