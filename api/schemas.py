"""The page every list answers with; the shapes of each record are estate's own models."""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel, Field

from estate.db.paging import Page as Found

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int
    next: str | None = Field(
        default=None,
        description="Where the list pages by keyset: pass it as `after` for the next page;"
        " null on the last page.",
    )

    @classmethod
    def of(cls, found: Found) -> Page[T]:
        return cls(
            items=found.items,
            total=found.total,
            limit=found.limit,
            offset=found.offset,
            next=found.next,
        )
