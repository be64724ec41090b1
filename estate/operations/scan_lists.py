"""What the scan runs' and the scan requests' lists share: filtered by source and status,
newest first unless the reader sorts otherwise, each row as its public model."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import Any, TypeVar

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlmodel import col

from estate.db.paging import Page, SortedQuery, equal, sorted_page, where_all

Public = TypeVar("Public", bound=BaseModel)


def list_by_source_and_status(
    session: Session,
    model: type[Any],
    public: type[BaseModel],
    query: SortedQuery,
    sorts: Sequence[str],
    filters: tuple[str | None, StrEnum | None],
) -> Page:
    """The page of `model` rows with the (source, status) in `filters` (None: any)."""
    source, status = filters
    found = where_all(
        select(model), equal(col(model.source), source), equal(col(model.status), status)
    )
    page = sorted_page(session, found, model, query, sorts, default="-id")
    return page.with_items([public.model_validate(row) for row in page.items])


def public_by_id(
    session: Session, model: type[Any], public: type[Public], id_: int
) -> Public | None:
    """The row of `model` with the id, as its public model; None where there is none."""
    found = session.get(model, id_)
    return public.model_validate(found) if found is not None else None
