"""What every route needs, declared once."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.exceptions import RequestValidationError
from sqlalchemy import Engine
from sqlmodel import Session

from estate.inventory import MAX_LIMIT
from estate.settings import Settings


def get_session(request: Request) -> Iterator[Session]:
    engine: Engine = request.app.state.engine
    with Session(engine, expire_on_commit=False) as session:
        yield session


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SessionDep = Annotated[Session, Depends(get_session)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"Page size, at most {MAX_LIMIT}.")]
# Bounded so an absurd offset is a 422, not an integer overflow in the database driver.
Offset = Annotated[int, Query(ge=0, le=2**31 - 1, description="Rows to skip.")]


async def plain_query(request: Request) -> None:
    """No parameter may hold a NUL: PostgreSQL cannot compare text with one (SQLite can), so
    it is refused alike on both."""
    if "%00" in request.url.query or "\x00" in request.url.path:
        detail = [
            {"loc": ["query"], "msg": "NUL characters are not allowed", "type": "value_error"}
        ]
        raise RequestValidationError(detail)


Sort = Annotated[
    str | None, Query(description="A field to sort by; prefix with '-' for descending.")
]
Search = Annotated[str | None, Query(max_length=200, description="Text search on names.")]
