"""The change log writes its rows as plain values (estate.db.bulk.insert_rows: an INSERT, or on
PostgreSQL a COPY for many): what it stores is what SQLAlchemy's own INSERT of the same changes
stores, value for value, on both databases, and what a read of them gives back."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Engine, insert, select
from sqlmodel import Session, col

from estate.db.bulk import COPY_FROM
from estate.history.changelog import Actor, Cause, ChangeLog, jsonable
from estate.models import Change
from estate.models.base import table_of
from estate.status import ChangeCause, MigrationStatus

VALUES: list[Any] = [
    None, True, False, 0, 7, -3, 1.5, 1e-7, "", "plain", "a\u00e9\u2019 \U0001f4bb", "x\"y\\z\n",
    date(2027, 3, 31), datetime(2026, 3, 31, 23, 0, tzinfo=UTC), MigrationStatus.PLANNED,
    ("a", 1), [1, None, "b"], {"rule": "lifespan", "on": "2027-01-01", "nested": {"k": [True]}},
]  # fmt: skip
STORED = ("entity_kind", "entity_id", "field", "old", "new", "at", "cause", "scan_run_id",
          "actor", "request_id")  # fmt: skip


def _stored(engine: Engine, kind: str) -> list[tuple[Any, ...]]:
    """The rows as the database holds them (the driver's values, not SQLAlchemy's)."""
    columns = ", ".join(STORED[1:])
    with engine.connect() as connection:
        query = f"SELECT {columns} FROM changes WHERE entity_kind = '{kind}' ORDER BY id"
        return [tuple(row) for row in connection.exec_driver_sql(query)]


def _read(engine: Engine, kind: str) -> list[tuple[Any, ...]]:
    with Session(engine) as session:
        query = select(Change).where(col(Change.entity_kind) == kind).order_by(col(Change.id))
        return [
            tuple(getattr(change, name) for name in STORED[1:])
            for change in session.execute(query).scalars()
        ]


def test_the_log_stores_what_sqlalchemys_insert_stores(engine: Engine) -> None:
    at = datetime(2026, 12, 4, 20, 15, 25, 380285, tzinfo=UTC)
    # A few rows go as one INSERT; COPY_FROM or more, on PostgreSQL, by COPY.
    causes = [(Cause(), 1), (Cause(actor=Actor("infra-token", "req-1")), 1),
              (Cause(), COPY_FROM // len(VALUES) + 1)]  # fmt: skip
    pairs = list(zip(VALUES, [*VALUES[1:], VALUES[0]], strict=True))
    with Session(engine) as session:
        for cause, times in causes:
            log = ChangeLog(cause, at=at)
            rows = []
            for n, (old, new) in enumerate(pairs * times):
                log.add("server", n, f"field_{n}", old, new)
                rows.append({"entity_kind": "device", "entity_id": n, "field": f"field_{n}",
                             "old": jsonable(old), "new": jsonable(new), "at": at,
                             **cause.columns()})  # fmt: skip
            assert log.flush(session) == len(VALUES) * times
            session.execute(insert(table_of(Change)), rows)
        session.commit()

    by_log, by_sqlalchemy = _stored(engine, "server"), _stored(engine, "device")
    assert len(by_log) == sum(times for _, times in causes) * len(VALUES) > COPY_FROM
    assert by_log == by_sqlalchemy
    assert _read(engine, "server") == _read(engine, "device")
    causes_read = {row[5] for row in _read(engine, "server")}
    assert causes_read == {ChangeCause.SCAN, ChangeCause.USER}
