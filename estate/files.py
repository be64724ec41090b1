"""Files estate reads and writes: CSV read the same way everywhere, and spreadsheet cells that
a spreadsheet will never run.

Any text cell that starts with =, +, -, @, a tab or a carriage return is prefixed with a single
quote, so a spreadsheet shows it as text instead of running it as a formula (OWASP's CSV
injection advice); numbers and dates stay numbers and dates. Every file estate writes (API
exports, email attachments) goes through `cell`.
"""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any, NamedTuple

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

# csv's own cap on a cell (131,072 characters by default) is far below what a CMDB's notes
# hold. The cap is process-wide, so every reader estate makes sets the same one: what a CSV
# yields never depends on which other code ran first. Which cells are too long to keep is the
# caller's decision.
CSV_FIELD_LIMIT = 2**27
_RISKY = ("=", "+", "-", "@", "\t", "\r")


def csv_rows(lines: Iterable[str], **options: Any) -> Iterator[list[str]]:
    """`csv.reader` over the lines, with estate's cell limit."""
    csv.field_size_limit(CSV_FIELD_LIMIT)
    return csv.reader(lines, **options)


def csv_dict_rows(lines: Iterable[str], **options: Any) -> csv.DictReader[str]:
    """`csv.DictReader` over the lines, with estate's cell limit."""
    csv.field_size_limit(CSV_FIELD_LIMIT)
    return csv.DictReader(lines, **options)


def neutralise(value: Any) -> Any:
    """Text that a spreadsheet would take for a formula, made plain text."""
    if isinstance(value, str) and value.startswith(_RISKY):
        return "'" + value
    return value


def cell(value: Any) -> Any:
    """A value as one spreadsheet cell: lists joined, enums by value, then neutralised."""
    if isinstance(value, Enum):
        value = value.value
    elif isinstance(value, list | tuple | set):
        value = "; ".join(str(cell(v)) for v in value)
    return neutralise(value)


class Column(NamedTuple):
    """One column of a file estate writes: the row's key, its header, and how a spreadsheet
    shows its values (`MONEY`, a date or time format; None: as they are)."""

    key: str
    header: str
    format: str | None = None


MONEY = '"£"#,##0.00'
DATE = "dd/mm/yyyy"
TIME = "dd/mm/yyyy hh:mm"
# Rows read to fit column widths to their content; the rest stream past.
_WIDTH_SAMPLE = 500
_MAX_WIDTH = 60


def columns_of(spec: Sequence[tuple[str, str] | Column]) -> list[Column]:
    return [c if isinstance(c, Column) else Column(*c) for c in spec]


def csv_chunks(
    columns: Sequence[Column], rows: Iterable[Sequence[Any]], *, per_chunk: int = 500
) -> Iterator[str]:
    """A CSV's text, header first, in chunks of rows (for a streamed download)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([cell(c.header) for c in columns])
    for count, row in enumerate(rows, start=1):
        writer.writerow([_csv_text(cell(value)) for value in row])
        if count % per_chunk == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def csv_bytes(columns: Sequence[Column], rows: Iterable[Sequence[Any]]) -> bytes:
    """A whole CSV file, UTF-8 with a byte-order mark so Excel opens it with the right
    characters (an email attachment)."""
    return "".join(csv_chunks(columns, rows)).encode("utf-8-sig")


def xlsx_bytes(
    what: str, on: date, columns: Sequence[Column], rows: Iterable[Sequence[Any]]
) -> bytes:
    """One sheet named for what it holds and the day it is as at ("Devices 2026-12-02"), the
    workbook's title saying the same in words: a bold, frozen, filterable header; columns as
    wide as their content; dates, times and money in their formats. Written in openpyxl's
    write-only mode, so a million rows take little memory."""
    workbook = Workbook(write_only=True)
    workbook.properties.title = f"{what} as at {on.day} {on:%B %Y}"
    worksheet = workbook.create_sheet(_sheet_name(what, on))
    iterator = iter(rows)
    sample = list(itertools.islice(iterator, _WIDTH_SAMPLE))
    for index, width in enumerate(_widths(columns, sample), start=1):
        worksheet.column_dimensions[get_column_letter(index)].width = width
    worksheet.freeze_panes = "A2"
    worksheet.append([_header_cell(worksheet, c.header) for c in columns])
    count = 0
    for row in itertools.chain(sample, iterator):
        worksheet.append([_xlsx_cell(worksheet, c, v) for c, v in zip(columns, row, strict=True)])
        count += 1
    worksheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{count + 1}"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _sheet_name(what: str, on: date) -> str:
    # Excel's limits: 31 characters, none of []:*?/\ . The day is kept whole; `what` is cut.
    day = on.isoformat()
    cleaned = "".join(" " if ch in "[]:*?/\\" else ch for ch in what).strip()
    return f"{cleaned[: 30 - len(day)].rstrip() or 'Export'} {day}"


def _csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def _header_cell(worksheet: Any, header: str) -> WriteOnlyCell:
    made = WriteOnlyCell(worksheet, value=cell(header))
    made.font = Font(bold=True)
    return made


def _xlsx_cell(worksheet: Any, column: Column, value: Any) -> Any:
    value = cell(value)
    # Excel has no time zones: times go in as UTC, naive.
    if isinstance(value, datetime) and value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    fmt = column.format
    if fmt is None and isinstance(value, datetime):
        fmt = TIME
    elif fmt is None and isinstance(value, date):
        fmt = DATE
    if fmt is None or value is None:
        return value
    made = WriteOnlyCell(worksheet, value=value)
    made.number_format = fmt
    return made


def _widths(columns: Sequence[Column], sample: Sequence[Sequence[Any]]) -> list[float]:
    widths = [len(str(c.header)) for c in columns]
    for row in sample:
        for index, value in enumerate(row[: len(columns)]):
            shown = 10 if isinstance(value, date | datetime) else len(_csv_text(cell(value)))
            widths[index] = max(widths[index], shown)
    return [min(_MAX_WIDTH, max(8, w + 2)) for w in widths]
