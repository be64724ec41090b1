"""Keyset paging: the cursor of a page's last row, and the condition for the rows after it.

A cursor is the sort it was made under, the last row's sort value and its id, as URL-safe
base64 of JSON: opaque to clients, and checked when it comes back (a cursor of another sort is
refused). The condition follows the list's own order exactly, NULLs included: SQLite puts
NULLs first ascending and last descending, PostgreSQL the other way round, and the lists keep
each database's order, so the rows after a cursor are those the offset pages would show next.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, and_, false, or_
from sqlalchemy.orm import Session


class BadCursor(ValueError):
    """`after` is not a cursor this list made (estate.db.paging turns it into a BadQuery)."""


def _split(sort: str) -> tuple[str, bool]:
    descending = sort.startswith("-")
    return (sort[1:] if descending else sort), descending


def cursor(item: Any, sort: str) -> str:
    """The `after` that continues a page ending with `item` (an entity or a row)."""
    name, _ = _split(sort)
    value = getattr(item, name)
    if isinstance(value, date | datetime):
        value = value.isoformat()
    text = json.dumps([sort, value, item.id], separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _decode(token: str, sort: str) -> tuple[Any, int]:
    try:
        padded = token + "=" * (-len(token) % 4)
        made_under, value, last_id = json.loads(base64.urlsafe_b64decode(padded))
    except (ValueError, TypeError, binascii.Error) as error:
        raise BadCursor("not a cursor this list made") from error
    if made_under != sort:
        raise BadCursor(f"a cursor of sort {made_under!r}, not {sort!r}")
    if not isinstance(last_id, int) or isinstance(last_id, bool) or abs(last_id) >= 2**63:
        raise BadCursor("not a cursor this list made")
    return value, last_id


def _typed(column: Any, value: Any) -> Any:
    """The cursor's JSON value as the column's Python type (dates travel as ISO text); a value
    the column cannot hold is a bad cursor, never a database error."""
    if value is None:
        return None
    kind_of = getattr(column.type, "impl_instance", column.type)  # a TypeDecorator's own type
    try:
        kind = kind_of.python_type
    except NotImplementedError:
        kind = object
    try:
        if kind is datetime:
            return datetime.fromisoformat(value)
        if kind is date:
            return date.fromisoformat(value)
        if kind is float and isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        if isinstance(value, kind) and isinstance(value, str | int | float):
            return value
        if issubclass(kind, StrEnum) and isinstance(value, str):
            return kind(value)
    except (ValueError, TypeError) as error:
        raise BadCursor("not a cursor this list made") from error
    raise BadCursor("not a cursor this list made")


def after(session: Session, model: Any, sort: str, token: str) -> ColumnElement[bool]:
    """The rows that come after the cursor in the list's order (`sort`, then id the same way)."""
    value, last_id = _decode(token, sort)
    name, descending = _split(sort)
    column, ids = getattr(model, name), model.id
    beyond = (lambda c, v: c < v) if descending else (lambda c, v: c > v)
    later_ids = beyond(ids, last_id)
    if name == "id":
        return later_ids
    nulls_first = (session.get_bind().dialect.name == "sqlite") != descending
    if value is None:
        rest = column.is_not(None) if nulls_first else false()
        return or_(and_(column.is_(None), later_ids), rest)
    value = _typed(column, value)
    nulls_after = false() if nulls_first else column.is_(None)
    return or_(beyond(column, value), and_(column == value, later_ids), nulls_after)
