"""A client's query of any list: its page, its sort, and filters that name a row by id or name.

`BadQuery` names the parameter that cannot be used, so the API answers a 422 saying which.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BaseModel, Field
from sqlalchemy import ColumnElement, Select, func, literal_column, or_, select
from sqlalchemy.orm import Session
from sqlmodel import col

from estate.db import kept, keyset
from estate.models import Site, Wave

MAX_LIMIT = 1000
MAX_ID = 2**31 - 1


class PageQuery(BaseModel):
    """A page of any list: every list endpoint's query model extends this one, so its filters,
    bounds and descriptions are declared once and read by the route and the query alike."""

    limit: int = Field(
        default=50, ge=1, le=MAX_LIMIT, description=f"Page size, at most {MAX_LIMIT}."
    )
    # Bounded so an absurd offset is a 422, not an integer overflow in the database driver.
    offset: int = Field(default=0, ge=0, le=MAX_ID, description="Rows to skip.")


class SortedQuery(PageQuery):
    sort: str | None = Field(
        default=None, description="A field to sort by; prefix with '-' for descending."
    )
    after: str | None = Field(
        default=None,
        max_length=1000,
        description="Keyset paging: the `next` of the page before (same filters and sort, no"
        " `offset`); a deep page then costs what the first does. `total` stays the count of"
        " every match.",
    )


def sort_by(allowed: Sequence[str]) -> Any:
    """The `sort` of a list that sorts by these fields: a field, or one '-' and a field for
    descending, checked (and shown in the OpenAPI) before any query runs."""
    names = ", ".join(allowed)
    return Field(
        default=None,
        pattern=f"^-?({'|'.join(re.escape(name) for name in allowed)})$",
        description=f"One of {names}; prefix with '-' for descending.",
    )


# Text search on names: bounded, as every free-text filter is.
Search = Annotated[str | None, Field(max_length=200, description="Text search on names.")]


class BadQuery(ValueError):
    """A client's filter or sort cannot be used; `parameter` names which one."""

    def __init__(self, parameter: str, message: str):
        super().__init__(message)
        self.parameter = parameter


@dataclass(frozen=True)
class Page:
    items: list[Any]
    total: int
    limit: int
    offset: int
    # The `after` of the next page (keyset paging); None on the last page.
    next: str | None = None

    def with_items(self, items: list[Any]) -> Page:
        """The same page holding other items: the rows made into what the readers see."""
        return Page(items, self.total, self.limit, self.offset, self.next)


def order_by(
    model: Any, sort: str | None, allowed: Sequence[str], default: str = "id"
) -> list[Any]:
    """`name` ascending, `-name` descending; the id breaks ties so pages are stable."""
    field = (sort or default).strip()
    descending = field.startswith("-")
    name = field[1:] if descending else field
    if name not in allowed:
        raise BadQuery("sort", f"cannot sort by {name!r}; expected one of: {', '.join(allowed)}")
    column = getattr(model, name)
    first = column.desc() if descending else column.asc()
    return [first, model.id.desc() if descending else model.id.asc()]


def sorted_page(
    session: Session,
    query: Select[Any],
    model: Any,
    params: SortedQuery,
    allowed: Sequence[str],
    default: str = "id",
    *,
    rows: bool = False,
) -> Page:
    """The page of `query` sorted as the client asked (checked against `allowed`), from
    `offset` or after the keyset cursor `after`, with the cursor of the page after it.
    `model` is the entity, or (`rows`: the query selects columns) its table's columns."""
    sort = (params.sort or default).strip()
    ordered = query.order_by(*order_by(model, sort, allowed, default))
    total = count_of(session, query)
    if params.after is not None:
        if params.offset:
            raise BadQuery("after", "page by `after` or by `offset`, not both")
        try:
            ordered = ordered.where(keyset.after(session, model, sort, params.after))
        except keyset.BadCursor as error:
            raise BadQuery("after", str(error)) from error
    result = session.execute(ordered.limit(params.limit).offset(params.offset))
    items = list(result) if rows else list(result.scalars())
    cursor = None
    if len(items) == params.limit and (
        params.after is not None or params.offset + len(items) < total
    ):
        cursor = keyset.cursor(items[-1], sort)
    return Page(items, total, params.limit, params.offset, cursor)


def fields_of(item: Any) -> dict[str, Any]:
    """A row's columns (or an entity's fields) by name: what a response model is validated
    from, with no ORM object built per row on the list's own path."""
    mapping = getattr(item, "_mapping", None)
    return dict(mapping) if mapping is not None else item.model_dump()


def count_of(session: Session, query: Select[Any]) -> int:
    """How many rows the whole (unordered) query has: exact, always, and counted again only
    once something has been committed since (estate.db.kept). Only the filter columns are
    read, so the database counts from an index (PostgreSQL: an index-only scan) where one
    holds them."""
    one: ColumnElement[Any] = literal_column("1")
    narrow: Select[Any] = query.order_by(None).with_only_columns(one, maintain_column_froms=True)
    return kept.count(session, select(func.count()).select_from(narrow.subquery()))


def paged(session: Session, query: Select[Any], params: PageQuery, *, rows: bool = False) -> Page:
    """The page of an ordered query, and how many rows the whole query has: its entities, or
    (`rows`) its rows where it selects columns. By offset only."""
    if getattr(params, "after", None) is not None:
        raise BadQuery("after", "this list pages by `offset` only")
    total = count_of(session, query)
    result = session.execute(query.limit(params.limit).offset(params.offset))
    items = list(result) if rows else list(result.scalars())
    return Page(items, total, params.limit, params.offset)


def text_search(q: str | None, *columns: Any) -> ColumnElement[bool] | None:
    if not q:
        return None
    pattern = f"%{q.strip().lower()}%"
    return or_(*(func.lower(column).like(pattern) for column in columns))


def _id(text: str, parameter: str) -> int:
    value = int(text)
    if value > MAX_ID:
        raise BadQuery(parameter, f"no {parameter} with id {text}")
    return value


def _id_or_name(session: Session, model: type[Site] | type[Wave], text: str, parameter: str) -> int:
    """The id of the row named by id or (case-insensitively) by name; unknown is a client
    error naming `parameter`."""
    if text.isdigit():
        return _id(text, parameter)
    found = session.execute(
        select(col(model.id)).where(func.lower(col(model.name)) == text.strip().lower())
    ).scalar()
    if found is None:
        raise BadQuery(parameter, f"no {parameter} named {text!r}")
    return int(found)


def site_id_filter(session: Session, site: str | None) -> int | None:
    """A site named by id or (case-insensitively) by name; unknown is a client error."""
    return None if site is None else _id_or_name(session, Site, site, "site")


def site_or_unset_filter(session: Session, site: str | None) -> int | bool | None:
    """A site by id or name as site_id_filter; 'none' (False here) is the things at no site."""
    if site is not None and site.strip().lower() == "none":
        return False
    return site_id_filter(session, site)


def wave_id_filter(session: Session, wave: str | None) -> int | bool | None:
    """A wave named by id or name; 'none' (False here) is the servers in no wave."""
    if wave is None:
        return None
    if wave.strip().lower() == "none":
        return False
    return _id_or_name(session, Wave, wave, "wave")


def equal_or_unset(column: Any, value: Any) -> ColumnElement[bool] | None:
    """Equal to the value; False (or 'none') means not set."""
    if value is None:
        return None
    if value is False or value == "none":
        return column.is_(None)
    return column == value


def where_all(query: Select[Any], *conditions: ColumnElement[bool] | None) -> Select[Any]:
    for condition in conditions:
        if condition is not None:
            query = query.where(condition)
    return query


def equal(column: Any, value: Any) -> ColumnElement[bool] | None:
    return None if value is None else column == value
