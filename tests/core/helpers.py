"""Small builders for ingest tests."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import Engine, func, select
from sqlmodel import Session

from estate.ingest import run_scan
from estate.models import Change, ScanRun
from estate.records import Event, Record, ScopeEnd, ServerRecord
from estate.settings import Settings, SourceConfig


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


def change_count(engine: Engine) -> int:
    with Session(engine) as session:
        return session.execute(select(func.count()).select_from(Change)).scalar_one()
