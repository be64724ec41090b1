"""Query and form values read by hand, so a bad one becomes a message on the page (naming
the field) and the rest of the page still shows, instead of a bare JSON 422."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import TypeVar

from api.web.templating import FieldError
from estate.config import Settings
from estate.history.as_at import Moment

E = TypeVar("E", bound=StrEnum)
MAX_OFFSET = 2**31 - 1


@dataclass
class Problems:
    errors: list[FieldError] = field(default_factory=list)

    def add(self, message: str, field_id: str | None = None) -> None:
        self.errors.append(FieldError(message, field_id))

    @property
    def status(self) -> int:
        return 400 if self.errors else 200


def choice(value: str | None, enum: type[E], name: str, problems: Problems) -> E | None:
    if not value:
        return None
    try:
        return enum(value)
    except ValueError:
        allowed = ", ".join(member.value for member in enum)
        problems.add(f"{name} must be one of {allowed}; it was ignored.", name)
        return None


def offset_of(value: str | None, name: str, problems: Problems) -> int:
    if not value:
        return 0
    if not value.isdigit() or int(value) > MAX_OFFSET:
        problems.add(f"{name} must be a whole number of rows; showing the first page.")
        return 0
    return int(value)


def as_at_of(value: str | None, settings: Settings, problems: Problems) -> Moment | None:
    """The page's `as_at` day (the end of it), as the API reads it: a day to come, or one
    that is not a date, is named and the page shows today."""
    if not value:
        return None
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        problems.add("as_at must be a day as YYYY-MM-DD; showing today.", "as_at")
        return None
    try:
        return Moment.asked(day, settings.today(), settings.scheduler.timezone)
    except ValueError:
        problems.add("as_at is a day still to come; showing today.", "as_at")
        return None
