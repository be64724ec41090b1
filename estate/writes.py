"""What every write by a person shares: the base of its body, the text it may hold, and the
errors it is refused with (each carries the HTTP status the API answers it with)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

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


class WriteBody(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
