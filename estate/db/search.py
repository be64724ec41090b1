"""SQLite's index for the lists' `q` and `os` text searches, as PostgreSQL's trigram indexes are.

On SQLite each searched table has an FTS5 table of its searched columns with the trigram
tokenizer (`<table>_search`, migration 0023), kept by triggers on the table. A search of three
characters or more then reads the FTS5 index for the rows holding the text in one of the
columns, and the usual `lower(column) LIKE '%text%'` is checked on those rows only: the answer is
the LIKE's, exactly (the index finds a superset: it folds case beyond ASCII, which LIKE does not).
A shorter text, one holding LIKE's own wildcards, a past day's rows (estate.inventory.as_at:
the index holds today's values) and a database without the index are searched as before.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    Table,
    bindparam,
    literal_column,
    select,
    table,
    text,
)
from sqlalchemy.orm import Session

SUFFIX = "_search"
# The shortest text the trigram index can find.
SHORTEST = 3


def indexed_rows(
    session: Session, text_: str, columns: tuple[Any, ...]
) -> ColumnElement[bool] | None:
    """The condition "a row the index finds `text_` in (one of `columns`)", or None where the
    index cannot answer it."""
    owner = columns[0].table
    if (
        len(text_) < SHORTEST
        or "%" in text_
        or "_" in text_
        or not isinstance(owner, Table)
        or any(column.table is not owner for column in columns)
        or session.get_bind().dialect.name != "sqlite"
        or not _has_index(session, owner.name)
    ):
        return None
    index = f"{owner.name}{SUFFIX}"
    names = " ".join(column.name for column in columns)
    phrase = '"' + text_.replace('"', '""') + '"'
    match = literal_column(index).op("MATCH")(bindparam(None, f"{{{names}}} : {phrase}"))
    found: Select[Any] = select(literal_column("rowid")).select_from(table(index)).where(match)
    return owner.c.id.in_(found)


def _has_index(session: Session, name: str) -> bool:
    """Whether migration 0023 made the table's index (it does where SQLite has FTS5's trigrams)."""
    query = text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :name")
    return session.execute(query, {"name": f"{name}{SUFFIX}"}).first() is not None
