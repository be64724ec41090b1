"""Entities as at a past moment, rebuilt from the change log (not today's rows with a filter).

A field's value at a moment is the `old` of its first change after that moment, or, where it
has not changed since, today's value. `rebuilt` says that in SQL, as a derived table with the
entity table's own columns and types, so a list's filters, sort and paging run on it unchanged.
What the change log does not hold is read from where it is kept: readings from their daily
series (the day's latest value; today's where none was kept or the reading keeps no series),
`updated_at` from the latest change of a scanned fact. Entities created after the moment are
not there.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    JSON,
    Boolean,
    ColumnElement,
    Date,
    Float,
    Integer,
    String,
    Subquery,
    Table,
    bindparam,
    case,
    cast,
    func,
    select,
    true,
    type_coerce,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import visitors
from sqlalchemy.sql.expression import ColumnClause
from sqlalchemy.sql.functions import FunctionElement

from estate.models import Change, ReadingDay, Site
from estate.models.base import UTCDateTime, table_of
from estate.status import ChangeCause

CHANGES = table_of(Change)
READINGS = table_of(ReadingDay)
SITES = table_of(Site)
# Kept on the row but never a change: identity keys, what a source named, the row's own times.
_UNRECORDED_SUFFIXES = ("_key", "_ref")
_UNRECORDED = frozenset({"id", "created_at", "updated_at"})


@dataclass(frozen=True)
class Moment:
    """The end of a council day (`scheduler.timezone`): `cutoff` is the first instant after
    it, in UTC; what happened before the cutoff is known as at that day."""

    day: date
    cutoff: datetime

    @classmethod
    def asked(cls, day: date, today: date, timezone: str) -> Moment:
        """The end of a day a reader asks for: today is allowed (its end is not yet), a later
        day is a ValueError."""
        if day > today:
            raise ValueError(f"{day.isoformat()} is in the future")
        return cls.end_of(day, timezone)

    @classmethod
    def end_of(cls, day: date, timezone: str) -> Moment:
        start_of_next = datetime.combine(day + timedelta(days=1), time(), ZoneInfo(timezone))
        return cls(day, start_of_next.astimezone(ZoneInfo("UTC")))


class ScalarText(FunctionElement[str]):
    """A JSON scalar as SQL text (a JSON array or object: its JSON text)."""

    type = String()
    inherit_cache = True


@compiles(ScalarText)
def _scalar_text_sqlite(element: ScalarText, compiler: Any, **kw: Any) -> str:
    return f"json_extract({compiler.process(element.clauses, **kw)}, '$')"


@compiles(ScalarText, "postgresql")
def _scalar_text_pg(element: ScalarText, compiler: Any, **kw: Any) -> str:
    value = compiler.process(element.clauses, **kw)
    nested = f"jsonb_typeof({value}) IN ('array', 'object')"
    return f"(CASE WHEN {nested} THEN ({value})::text ELSE ({value} #>> '{{}}') END)"


def _typed(text: ColumnElement[Any], column: Any, postgres: bool) -> ColumnElement[Any]:
    """A recorded value (as text) as the column's own type."""
    kind = column.type
    if isinstance(kind, JSON) or isinstance(getattr(kind, "impl", None), JSON):
        return type_coerce(cast(text, JSONB), kind) if postgres else type_coerce(text, kind)
    if isinstance(kind, UTCDateTime):
        if postgres:
            return type_coerce(cast(text, UTCDateTime.impl), kind)
        return type_coerce(func.replace(func.replace(text, "T", " "), "+00:00", ""), kind)
    for base in (Boolean, Integer, Float, Date):
        if isinstance(kind, base) and postgres:
            return type_coerce(cast(text, base()), kind)
    return type_coerce(text, kind)


def driver_rows(session: Any, statement: Any) -> list[tuple[Any, ...]]:
    """The rows of a statement whose columns are integers and text, from the driver's own
    cursor: SQLAlchemy's per-row result handling costs more than a count over the rows does
    (reading 50,000 rebuilt servers, 60 ms of a 250 ms count), and those types have no result
    processing to skip."""
    result = session.execute(statement)
    try:
        return list(result.cursor.fetchall())
    finally:
        result.close()


def recorded_columns(model: type[Any]) -> dict[str, str]:
    """Each column whose changes are recorded, by column, with the field its rows name (a
    reference is recorded by its field: `site`, `host`)."""
    table = table_of(model)
    readings = {r.field for r in getattr(model, "readings", ())}
    links = {ref.link: ref.field for ref in getattr(model, "references", ())}
    return {
        c.name: links.get(c.name, c.name)
        for c in table.columns
        if c.name not in _UNRECORDED
        and c.name not in readings
        and not c.name.endswith(_UNRECORDED_SUFFIXES)
    }


@dataclass(frozen=True)
class _Bounds:
    """A moment (and the entities asked for, or None: all) as a statement reads them: values,
    or named parameters for a statement built once and run for any moment (`rebuilt_rows`)."""

    cutoff: Any
    day: Any
    ids: Any

    @classmethod
    def of(cls, moment: Moment, ids: Sequence[int] | None) -> _Bounds:
        return cls(moment.cutoff, moment.day, ids)


# The parameters of a statement `rebuilt_rows` keeps, typed as the columns they are compared to.
_PARAMETERS = _Bounds(
    bindparam("as_at_cutoff", type_=CHANGES.c.at.type),
    bindparam("as_at_day", type_=READINGS.c.day.type),
    bindparam("as_at_ids", expanding=True),
)


def _first_later(kind: str, fields: list[str], bounds: _Bounds) -> Subquery:
    """Per entity (of `ids`, where given), for each field changed after the moment: whether it
    was, and its value before the first such change."""
    ids = bounds.ids
    only_ids = CHANGES.c.entity_id.in_(ids) if ids is not None else true()
    ranked = (
        select(
            CHANGES.c.entity_id,
            CHANGES.c.field,
            ScalarText(CHANGES.c.old).label("old"),
            # Field first: no index is in this order, so SQLite reads the changes by the index
            # on (kind, field, at) that the moment bounds, not every change of the kind by the
            # one on (kind, entity, at) to save the sort (for one field: 250k rows, not 28k).
            func.row_number()
            .over(
                partition_by=(CHANGES.c.field, CHANGES.c.entity_id),
                order_by=(CHANGES.c.at, CHANGES.c.id),
            )
            .label("rank"),
        )
        .where(
            CHANGES.c.entity_kind == kind,
            CHANGES.c.at >= bounds.cutoff,
            CHANGES.c.field.in_(fields),
            only_ids,
        )
        .subquery("later")
    )
    pivot = [ranked.c.entity_id]
    for name in fields:
        pivot.append(func.max(case((ranked.c.field == name, 1))).label(f"has_{name}"))
        pivot.append(func.max(case((ranked.c.field == name, ranked.c.old))).label(f"old_{name}"))
    return select(*pivot).where(ranked.c.rank == 1).group_by(ranked.c.entity_id).subquery("first")


def _reading(table: Table, name: str, kind: str, bounds: _Bounds) -> ColumnElement[Any]:
    """A reading's latest kept value up to the day, else today's."""
    kept = (
        select(READINGS.c.value)
        .where(
            READINGS.c.entity_kind == kind,
            READINGS.c.entity_id == table.c.id,
            READINGS.c.name == name,
            READINGS.c.day <= bounds.day,
        )
        .order_by(READINGS.c.day.desc())
        .limit(1)
        .scalar_subquery()
    )
    return type_coerce(func.coalesce(kept, table.c[name]), table.c[name].type)


def _updated_at(
    table: Table, kind: str, facts: Sequence[str], bounds: _Bounds
) -> ColumnElement[Any]:
    """When a scan last changed one of its facts before the moment, else when it was made."""
    latest = (
        select(func.max(CHANGES.c.at))
        .where(
            CHANGES.c.entity_kind == kind,
            CHANGES.c.entity_id == table.c.id,
            CHANGES.c.cause == ChangeCause.SCAN,
            CHANGES.c.field.in_(facts),
            CHANGES.c.at < bounds.cutoff,
        )
        .scalar_subquery()
    )
    return type_coerce(func.coalesce(latest, table.c.created_at), UTCDateTime())


def rebuilt(
    session: Any,
    model: type[Any],
    kind: str,
    moment: Moment,
    facts: list[str] | None = None,
    *,
    only: Collection[str] | None = None,
    ids: Sequence[int] | None = None,
) -> Subquery:
    """The model's table as it stood at the moment, under the table's own name and columns.
    `facts`: the fields whose scanned change moves `updated_at` (none: it is today's).

    The whole rebuild reads every change after the moment. A list needs it only for what it
    filters and sorts on (`only`: the other columns stay today's, for a query that does not
    read them, see `referenced`) and then for the rows of its page (`ids`, `rebuilt_rows`)."""
    postgres = session.get_bind().dialect.name == "postgresql"
    return _rebuild(model, kind, _Bounds.of(moment, ids), facts, only, postgres)


def rebuilt_rows(
    session: Any, model: type[Any], kind: str, moment: Moment, facts: list[str], ids: list[int]
) -> list[Any]:
    """The entities' whole rows as they stood (`rebuilt(ids=...)`), from a statement built
    once per kind: building and keying the rebuild of every column took longer than running
    it for a page of rows."""
    postgres = session.get_bind().dialect.name == "postgresql"
    statement = _whole(model, kind, tuple(facts), postgres)
    values = {"as_at_cutoff": moment.cutoff, "as_at_day": moment.day, "as_at_ids": ids}
    return list(session.execute(statement, values))


# Each kind's whole rebuild, built once (per dialect: the values are typed for it).
_WHOLE: dict[tuple[Any, ...], Any] = {}


def _whole(model: type[Any], kind: str, facts: tuple[str, ...], postgres: bool) -> Any:
    key = (model, kind, facts, postgres)
    if key not in _WHOLE:
        _WHOLE[key] = select(_rebuild(model, kind, _PARAMETERS, facts, None, postgres))
    return _WHOLE[key]


def _rebuild(
    model: type[Any],
    kind: str,
    bounds: _Bounds,
    facts: Sequence[str] | None,
    only: Collection[str] | None,
    postgres: bool,
) -> Subquery:
    table = table_of(model)
    wanted = set(only) if only is not None else {c.name for c in table.columns}
    recorded = {c: f for c, f in recorded_columns(model).items() if c in wanted}
    later = _first_later(kind, sorted(set(recorded.values())), bounds) if recorded else None
    # A reading without a daily series (a device's last sync) is only ever today's.
    readings = {r.field for r in getattr(model, "readings", ()) if r.series} & wanted
    columns: list[ColumnElement[Any]] = []
    for column in table.columns:
        if later is not None and column.name in recorded:
            field = recorded[column.name]
            old: ColumnElement[Any] = later.c[f"old_{field}"]
            if field != column.name and column.name == "site_id":
                old = select(SITES.c.id).where(SITES.c.name == old).scalar_subquery()
            value = case(
                (later.c[f"has_{field}"] == 1, _typed(old, column, postgres)), else_=column
            )
            columns.append(type_coerce(value, column.type).label(column.name))
        elif column.name in readings:
            columns.append(_reading(table, column.name, kind, bounds).label(column.name))
        elif column.name == "updated_at" and facts is not None and "updated_at" in wanted:
            columns.append(_updated_at(table, kind, facts, bounds).label(column.name))
        else:
            columns.append(column)
    joined = table.outerjoin(later, later.c.entity_id == table.c.id) if later is not None else table
    found = select(*columns).select_from(joined)
    if "created_at" in table.c:
        found = found.where(table.c.created_at < bounds.cutoff)
    if bounds.ids is not None:
        found = found.where(table.c.id.in_(bounds.ids))
    return found.subquery(table.name)


def referenced(model: type[Any], *clauses: Any) -> set[str]:
    """The model's columns that the clauses read, from its table or an alias of it: what a
    rebuild for them must rebuild (`rebuilt(only=...)`)."""
    table = table_of(model)
    found: set[str] = set()
    for clause in clauses:
        for element in visitors.iterate(clause):
            if not isinstance(element, ColumnClause):
                continue
            owner = element.table
            if owner is table or getattr(owner, "element", None) is table:
                found.add(element.name)
    return found
