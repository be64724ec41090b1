"""What every route needs, declared once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, TypeVar

import anyio.to_thread
from anyio.lowlevel import RunVar
from fastapi import Depends, Query, Request
from fastapi.exceptions import RequestValidationError
from sqlalchemy import Engine
from sqlmodel import Session

from api.errors import problem
from estate.config import Settings
from estate.db.paging import MAX_LIMIT, BadQuery
from estate.history.as_at import Moment
from estate.writes import Day

T = TypeVar("T")


async def get_session(request: Request) -> AsyncIterator[Session]:
    """The request's session. Opening one does no I/O, so it happens inline. Closing it hands
    its connection back to the pool (a rollback): inline if it holds none, else on a worker
    thread, under a limiter of its own so that it never waits behind requests that are waiting
    for a connection (which would wait for it in turn)."""
    engine: Engine = request.app.state.engine
    session = Session(engine, expire_on_commit=False)
    try:
        yield session
    finally:
        if session.in_transaction():
            await anyio.to_thread.run_sync(session.close, limiter=_closers())
        else:
            session.close()


def _closers() -> anyio.CapacityLimiter:
    limiter = _CLOSERS.get(None)
    if limiter is None:
        # As many as anyio's default limiter lets requests run: a close that waits its turn
        # holds up the next request on its connection.
        limiter = anyio.CapacityLimiter(40)
        _CLOSERS.set(limiter)
    return limiter


# One per event loop, as anyio's own default limiter.
_CLOSERS: RunVar[anyio.CapacityLimiter] = RunVar("estate_session_closers")


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


def found(value: T | None, message: str, parameter: str) -> T:
    """What a detail route looked up, or its 404 naming what is not there (and the path
    parameter that named it)."""
    if value is None:
        raise problem(404, message, ("path", parameter))
    return value


async def as_at_moment(
    settings: SettingsDep,
    as_at: Annotated[
        Day | None,
        Query(
            description="A past day (YYYY-MM-DD): the answer as estate knew it at the end of "
            "that day in `scheduler.timezone`, rebuilt from the change history."
        ),
    ] = None,
) -> Moment | None:
    """The end of the day asked for; today is allowed (its end is not yet), a later day not."""
    if as_at is None:
        return None
    try:
        return Moment.asked(as_at, settings.today(), settings.scheduler.timezone)
    except ValueError as exc:
        raise BadQuery("as_at", str(exc)) from None


AsAt = Annotated[Moment | None, Depends(as_at_moment)]
