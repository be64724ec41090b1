"""What every report shares: the email it renders, its options, its templates.

A report is a class with a `name` (its key under `[reports.NAME]`), a `title`, an `Options`
model for `[reports.NAME.options]` and `render(session, settings, today) -> Email`: it only
reads; storing and sending is `estate.mail`'s job.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, ClassVar, Protocol, TypeVar
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from openpyxl import Workbook
from openpyxl.styles import Font
from pydantic import BaseModel, ConfigDict, ValidationError
from sqlmodel import Session

from estate.settings import ConfigError, Settings, describe_validation_error

TEMPLATES = Path(__file__).parent / "templates"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

_environment = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class Email:
    subject: str
    text: str
    html: str
    attachments: tuple[Attachment, ...] = ()


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


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """UTF-8 with a byte-order mark, so Excel opens it with the right characters."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(["" if value is None else value for value in row] for row in rows)
    return buffer.getvalue().encode("utf-8-sig")


def xlsx_bytes(sheet: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """One sheet with a bold, frozen, filterable header row."""
    workbook = Workbook()
    worksheet = workbook.active
    assert worksheet is not None
    worksheet.title = sheet
    worksheet.append(list(header))
    for cell in worksheet[1]:
        cell.font = Font(bold=True)
    count = 0
    for row in rows:
        worksheet.append(list(row))
        count += 1
    worksheet.freeze_panes = "A2"
    worksheet.auto_filter.ref = f"A1:{worksheet.cell(1, len(header)).column_letter}{count + 1}"
    for index, title in enumerate(header, start=1):
        worksheet.column_dimensions[worksheet.cell(1, index).column_letter].width = max(
            12, len(title) + 2
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
