"""The page every list answers with; the shapes of each record are estate's own models."""

from __future__ import annotations

from typing import Generic, TypeVar

from fastapi.responses import Response
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

    @classmethod
    def response(cls, found: Found) -> Response:
        """The page serialised once, straight from the records estate made (already validated
        as their response models): FastAPI would otherwise dump each item to a dict, validate
        it again against the route's response model and only then serialise it, three passes
        over every field of every row. The route's response_model still documents the shape."""
        body = cls.of(found).model_dump_json()
        return Response(content=body, media_type="application/json")
