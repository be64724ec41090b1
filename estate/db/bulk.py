"""Bulk statements that read the same on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from operator import itemgetter
from typing import Any, TypeVar

from sqlalchemy import (
    ColumnElement,
    Date,
    Table,
    Text,
    any_,
    bindparam,
    cast,
    func,
    literal,
    select,
    text,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import Insert

from estate.models.base import UTCDateTime

T = TypeVar("T")

# Keeps IN lists and VALUES lists under both drivers' parameter limits.
CHUNK = 900
# Values per `among` lookup: a run's whole batch (settings cap it at 50,000).
LOOKUP_CHUNK = 50_000
# Rows from which insert_rows sends PostgreSQL a COPY rather than an INSERT per row.
COPY_FROM = 200


def chunked(items: Iterable[T], size: int = CHUNK) -> Iterator[list[T]]:
    chunk: list[T] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def among(
    session: Session, column: ColumnElement[Any], values: Sequence[Any]
) -> ColumnElement[bool]:
    """`column` is one of `values` (ids or strings), bound as ONE parameter whatever their
    number: PostgreSQL `= ANY(array)`, SQLite `IN (SELECT value FROM json_each(json))`. An IN
    list of one parameter per value costs SQLAlchemy a rendering on every execution, and
    psycopg a slow parse of the long statement. Chunk values by LOOKUP_CHUNK."""
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(literal(list(values), postgresql.ARRAY(column.type)))
    each = func.json_each(literal(json.dumps(list(values)), Text())).table_valued("value")
    return column.in_(select(each.c.value))


def json_text(session: Session, name: str) -> ColumnElement[Any]:
    """A parameter carrying a JSON document already encoded, for a JSON column (JSONB on
    PostgreSQL, text on SQLite): it skips the column type's own json.dumps of each value."""
    parameter = bindparam(name, type_=Text())
    if session.get_bind().dialect.name == "postgresql":
        return cast(parameter, postgresql.JSONB)
    return parameter


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


def insert_with_ids(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> list[int]:
    """INSERT many rows and return their new ids in the rows' order. The rows are changed:
    each gets its `id`, and loses the columns that are None in all of them.

    The ids are taken first, then `insert_rows` writes the rows: RETURNING in parameter order
    makes SQLAlchemy send SQLite one statement per row, and PostgreSQL statements of thousands
    of parameters that psycopg parses slowly. PostgreSQL: ids from the table's sequence. SQLite:
    the first row is inserted alone, which takes the database's one write lock, so the ids
    after it stay free until the transaction ends.
    """
    if not rows:
        return []
    id_column = table.c.id
    pending = _without_empty_columns(table, rows)
    if session.get_bind().dialect.name == "postgresql":
        sequence = func.pg_get_serial_sequence(table.name, id_column.name)
        query = select(func.nextval(sequence)).select_from(func.generate_series(1, len(rows)))
        ids = list(session.execute(query).scalars())
    else:
        first = session.connection().execute(table.insert().returning(id_column), pending[:1])
        start = first.scalar_one()
        pending[0][id_column.name] = start
        ids = list(range(start, start + len(rows)))
        pending = pending[1:]
    for row, row_id in zip(pending, ids[len(ids) - len(pending) :], strict=True):
        row[id_column.name] = row_id
    insert_rows(session, table, pending)
    return ids


def insert_rows(
    session: Session,
    table: Table,
    rows: Sequence[dict[str, Any]],
    encoded: Iterable[str] = (),
    fixed: Mapping[str, Any] | None = None,
) -> None:
    """INSERT rows known to be new, all with the same keys; `encoded` names JSON columns whose
    values are JSON text already; `fixed` gives columns one value for every row, bound once.
    Each value goes through its column type's bind processing, as SQLAlchemy's executemany
    would, then to the driver as plain values: at a run's volumes SQLAlchemy's per-row
    parameter handling cost more than the rows themselves. PostgreSQL takes COPY_FROM rows or
    more by COPY, whose per-row cost is a fraction of an INSERT's. Python-side column defaults
    fill the other missing columns."""
    if not rows:
        return
    dialect = session.get_bind().dialect
    fixed = fixed or {}
    defaults = {**_python_defaults(table, [*rows[0], *fixed]), **fixed}
    names = [*rows[0], *defaults]
    quote = dialect.identifier_preparer.quote
    into = f"{quote(table.name)} ({', '.join(quote(n) for n in names)})"
    encoded = set(encoded)
    values = _driver_values(session, table, rows, defaults, encoded)
    connection = session.connection()
    postgres = dialect.name == "postgresql"
    if postgres and len(rows) >= COPY_FROM:
        cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            with cursor.copy(f"COPY {into} FROM STDIN") as copy:
                for row in values:
                    copy.write_row(row)
        finally:
            cursor.close()
        return
    # Through SQLAlchemy's execution (its events see the statement), with no type processing.
    mark = "%s" if postgres else "?"
    marks = [f"{mark}::jsonb" if postgres and n in encoded else mark for n in names]
    connection.exec_driver_sql(f"INSERT INTO {into} VALUES ({', '.join(marks)})", list(values))


def _driver_values(
    session: Session,
    table: Table,
    rows: Sequence[dict[str, Any]],
    defaults: dict[str, Any],
    encoded: set[str],
) -> Iterator[tuple[Any, ...]]:
    """Each row's values, then the defaults', as the column types bind them for the driver."""
    dialect = session.get_bind().dialect

    def processor(name: str) -> Callable[[Any], Any] | None:
        if name in encoded:
            return None
        type_ = table.c[name].type
        process = type_.dialect_impl(dialect).bind_processor(dialect)
        if process is not None and isinstance(type_, Date | UTCDateTime):
            # A run stamps its rows with a few moments and days: each bound once. (Moments
            # equal as instants bind alike only because UTCDateTime makes them UTC first.)
            return _memoised(process)
        return process

    fixed = [(p(v) if (p := processor(n)) else v) for n, v in defaults.items()]
    names = list(rows[0])
    get = itemgetter(*names) if len(names) > 1 else lambda row: (row[names[0]],)
    processors = [(i, p) for i, n in enumerate(names) if (p := processor(n)) is not None]
    for row in rows:
        values = [*get(row), *fixed]
        for index, process in processors:
            values[index] = process(values[index])
        yield tuple(values)


def _memoised(process: Callable[[Any], Any]) -> Callable[[Any], Any]:
    bound: dict[Any, Any] = {}

    def memoised(value: Any) -> Any:
        try:
            return bound[value]
        except KeyError:
            found = bound[value] = process(value)
            return found

    return memoised


def _python_defaults(table: Table, names: Iterable[str]) -> dict[str, Any]:
    """Values of the Python-side defaults of the columns not in `names`, which SQLAlchemy
    would fill in (the server's own defaults apply anyway)."""
    names = set(names)
    defaults: dict[str, Any] = {}
    for column in table.columns:
        default = column.default
        if column.name in names or default is None:
            continue
        if default.is_scalar:
            defaults[column.name] = default.arg  # type: ignore[attr-defined]
        elif default.is_callable:
            defaults[column.name] = default.arg(None)  # type: ignore[attr-defined]
        else:
            raise ValueError(f"{table.name}.{column.name}: give it a value (its default is SQL)")
    return defaults


def _without_empty_columns(table: Table, rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows less the columns that are None in all of them and have no default: the
    database stores NULL for them at no cost, where binding costs per row and column."""
    empty = [
        name
        for name in rows[0]
        if table.c[name].default is None
        and table.c[name].server_default is None
        and all(row[name] is None for row in rows)
    ]
    for row in rows:
        for name in empty:
            del row[name]
    return list(rows)


# PostgreSQL plans lookups from table statistics. A table that a run grows from empty (or
# several-fold) has none that fit until autovacuum catches up, long after the run: the planner
# then scans the whole table for each batch and a first ingest slows quadratically.
ANALYZE_AFTER = 5000


class Statistics:
    """Refreshes PostgreSQL's statistics of the tables a run grows, inside the run (so they
    count its uncommitted rows): once it has written ANALYZE_AFTER rows to a table, and again
    each time the run has grown the table fourfold since."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.enabled = session.get_bind().dialect.name == "postgresql"
        self.written: dict[str, int] = defaultdict(int)
        self.threshold: dict[str, float] = {}

    def wrote(self, table: Table, count: int, columns: Sequence[str]) -> None:
        """`count` rows written to `table`; `columns` are those the run looks rows up by."""
        if not self.enabled or count == 0:
            return
        name = table.name
        self.written[name] += count
        if name not in self.threshold:
            self.threshold[name] = max(ANALYZE_AFTER, self._estimated_rows(name))
        if self.written[name] >= self.threshold[name]:
            # SKIP_LOCKED: a concurrent ANALYZE or VACUUM of the table is as good as ours. Only
            # the lookup columns: sampling JSON documents would cost more than the lookups.
            listed = ", ".join(f'"{c}"' for c in columns)
            self.session.execute(text(f'ANALYZE (SKIP_LOCKED) "{name}" ({listed})'))
            self.threshold[name] = 3 * self._estimated_rows(name)
            self.written[name] = 0

    def _estimated_rows(self, name: str) -> float:
        query = text("SELECT reltuples FROM pg_class WHERE oid = CAST(:name AS regclass)")
        return max(float(self.session.execute(query, {"name": name}).scalar_one()), 0.0)
