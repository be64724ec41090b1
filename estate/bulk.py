"""Bulk statements that read the same on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TypeVar

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import Insert

T = TypeVar("T")

# Keeps IN lists and VALUES lists under both drivers' parameter limits.
CHUNK = 900


def chunked(items: Iterable[T], size: int = CHUNK) -> Iterator[list[T]]:
    chunk: list[T] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def dialect_insert(session: Session, table: Table) -> Insert:
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def upsert_returning(
    session: Session,
    table: Table,
    rows: Sequence[dict[str, Any]],
    conflict: Sequence[str],
    update: Sequence[str],
    returning: Sequence[str],
) -> list[Any]:
    """INSERT ... ON CONFLICT DO UPDATE ... RETURNING, many rows per statement."""
    if not rows:
        return []
    stmt: Any = dialect_insert(session, table)
    stmt = stmt.on_conflict_do_update(
        index_elements=list(conflict), set_={name: stmt.excluded[name] for name in update}
    ).returning(*(table.c[name] for name in returning), sort_by_parameter_order=True)
    return list(session.connection().execute(stmt, list(rows)).all())


def insert_ignore(
    session: Session, table: Table, rows: Sequence[dict[str, Any]], keys: Sequence[str]
) -> None:
    """INSERT ... ON CONFLICT DO NOTHING: rows already there (by `keys`) stay as they are."""
    if rows:
        stmt: Any = dialect_insert(session, table)
        statement = stmt.on_conflict_do_nothing(index_elements=list(keys))
        session.connection().execute(statement, list(rows))
