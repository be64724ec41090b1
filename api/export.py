"""Rows out as CSV (streamed) or XLSX, safe to open in a spreadsheet.

Any text cell that starts with =, +, -, @, a tab or a carriage return is prefixed with a
single quote, so a spreadsheet shows it as text instead of running it as a formula (OWASP's
CSV injection advice); numbers and dates stay numbers and dates.

    return export_rows(rows, [("hostname", "Hostname"), ...], ExportFormat.CSV, "servers")
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime
from enum import Enum, StrEnum
from typing import Any

from fastapi.responses import Response, StreamingResponse
from openpyxl import Workbook

CSV_MEDIA = "text/csv; charset=utf-8"
XLSX_MEDIA = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_RISKY = ("=", "+", "-", "@", "\t", "\r")
# Rows written to the CSV stream per chunk.
_CHUNK_ROWS = 500

Columns = Sequence[tuple[str, str]]


class ExportFormat(StrEnum):
    JSON = "json"
    CSV = "csv"
    XLSX = "xlsx"


# For a route's `responses=`: the export media types beside its JSON.
EXPORT_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {
            CSV_MEDIA.split(";")[0]: {"schema": {"type": "string"}},
            XLSX_MEDIA: {"schema": {"type": "string", "format": "binary"}},
        },
        "description": "JSON, or with ?format=csv|xlsx a file download.",
    }
}


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


def _csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def _xlsx_value(value: Any) -> Any:
    # Excel has no time zones: times go in as UTC, naive.
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


def _csv_chunks(rows: Iterable[Mapping[str, Any]], columns: Columns) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([cell(header) for _, header in columns])
    for count, row in enumerate(rows, start=1):
        writer.writerow([_csv_text(cell(row.get(key))) for key, _ in columns])
        if count % _CHUNK_ROWS == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _xlsx_bytes(rows: Iterable[Mapping[str, Any]], columns: Columns, title: str) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31] or "export")
    sheet.append([cell(header) for _, header in columns])
    for row in rows:
        sheet.append([_xlsx_value(cell(row.get(key))) for key, _ in columns])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def export_rows(
    rows: Iterable[Mapping[str, Any]], columns: Columns, format: ExportFormat | str, filename: str
) -> Response:
    """A download of the rows, one column per (key, header); CSV streams as rows come."""
    safe = "".join(c for c in filename if c.isalnum() or c in "-_") or "export"
    kind = ExportFormat(format)
    if kind == ExportFormat.CSV:
        return StreamingResponse(
            _csv_chunks(rows, columns),
            media_type=CSV_MEDIA,
            headers={"Content-Disposition": f'attachment; filename="{safe}.csv"'},
        )
    if kind == ExportFormat.XLSX:
        return Response(
            _xlsx_bytes(rows, columns, safe),
            media_type=XLSX_MEDIA,
            headers={"Content-Disposition": f'attachment; filename="{safe}.xlsx"'},
        )
    raise ValueError("JSON is the route's own response, not an export")
