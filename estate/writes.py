"""What every write by a person shares: the base of its body, the text it may hold, and the
errors it is refused with (each carries the HTTP status the API answers it with); and the
calendar day any client input names, in a body or a query alike."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

ID_MAX = 2**31 - 1


class WriteError(Exception):
    status_code = 400


class NotFound(WriteError):
    status_code = 404


class Conflict(WriteError):
    status_code = 409


class Invalid(WriteError):
    """A value in the request cannot be used; `loc` says where (as FastAPI's own 422s do)."""

    status_code = 422

    def __init__(self, loc: Sequence[str | int], message: str):
        super().__init__(message)
        self.loc = list(loc)


def _printable(value: str) -> str:
    # NUL cannot be stored in PostgreSQL text, and no name or note needs control characters.
    if any(ord(c) < 32 and c not in "\t\r\n" for c in value):
        raise ValueError("control characters are not allowed")
    return value


Text = Annotated[str, AfterValidator(_printable)]
Name = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_printable)]
RowId = Annotated[int, Field(ge=1, le=ID_MAX)]


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
# Days past these are no one's plan or purchase, and a day's arithmetic near date.min or
# date.max would overflow.
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(9998, 12, 31)


def _iso_text(kind: type[date], whole: bool, expected: str) -> Callable[[object], object]:
    """A check before pydantic's: a `kind` as it is, text only if it is (`whole`) or starts
    with YYYY-MM-DD. pydantic would take a number for a Unix time (`?to=0` is 1970-01-01,
    `?since=0.5` a moment of it)."""

    def check(value: object) -> object:
        if isinstance(value, kind):
            return value
        iso = _ISO_DAY.fullmatch if whole else _ISO_DAY.match
        if not isinstance(value, str) or not iso(value):
            raise ValueError(expected)
        return value

    return check


_iso_day = _iso_text(date, True, "expected a day as YYYY-MM-DD")
_iso_moment = _iso_text(
    datetime, False, "expected a moment as ISO 8601, such as 2026-03-31T17:00:00Z"
)


def _plausible(value: date) -> date:
    if not FIRST_DAY <= value <= LAST_DAY:
        raise ValueError(f"expected a day from {FIRST_DAY} to {LAST_DAY}")
    return value


Day = Annotated[date, BeforeValidator(_iso_day), AfterValidator(_plausible)]


def _plausible_moment(value: datetime) -> datetime:
    _plausible(value.date())
    return value


# A moment in a query or body: ISO 8601 only, between FIRST_DAY and LAST_DAY.
Moment = Annotated[datetime, BeforeValidator(_iso_moment), AfterValidator(_plausible_moment)]


class WriteBody(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
