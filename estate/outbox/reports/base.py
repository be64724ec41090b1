"""What every report shares: the email it renders, its options, its templates.

A report is a class with a `name` (its key under `[reports.NAME]`), a `title`, an `Options`
model for `[reports.NAME.options]` and `render(session, settings, today) -> Email`: it only
reads; storing and sending is `estate.mail`'s job.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any, ClassVar, Protocol, TypeVar
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from pydantic import BaseModel, ConfigDict, ValidationError
from sqlmodel import Session

from estate.config import ConfigError, Settings
from estate.config.loading import describe_validation_error
from estate.outbox.mail import Email

TEMPLATES = Path(__file__).parent / "templates"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def templates_in(folder: Path, *, keep_trailing_newline: bool = False) -> Environment:
    """Templates as the emails and the dashboard's pages use them: HTML escaped, a name the
    context lacks an error (never an empty string), block tags taking their lines with them."""
    return Environment(
        loader=FileSystemLoader(folder),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=keep_trailing_newline,
    )


_environment = templates_in(TEMPLATES, keep_trailing_newline=True)


class ReportOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Report(Protocol):
    name: ClassVar[str]
    title: ClassVar[str]

    def render(self, session: Session, settings: Settings, today: date) -> Email: ...


OptionsT = TypeVar("OptionsT", bound=ReportOptions)


def options_for(options_cls: type[OptionsT], name: str, settings: Settings) -> OptionsT:
    config = settings.reports.get(name)
    try:
        return options_cls(**(config.options if config else {}))
    except ValidationError as exc:
        raise ConfigError(f"reports.{name}.options: {describe_validation_error(exc)}") from None


def render_parts(template: str, context: dict[str, Any]) -> tuple[str, str]:
    """The text and HTML parts from `<template>.txt` and `<template>.html`."""
    text = _environment.get_template(f"{template}.txt").render(context)
    html = _environment.get_template(f"{template}.html").render(context)
    return text, html


def local_zone(settings: Settings) -> ZoneInfo:
    return ZoneInfo(settings.scheduler.timezone)


def local_time(value: datetime | None, settings: Settings) -> str:
    """A stored UTC time as the council reads it: '25 Nov 2026 14:05'."""
    if value is None:
        return ""
    return value.astimezone(local_zone(settings)).strftime("%d %b %Y %H:%M")
