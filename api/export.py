"""Rows out as a download: CSV (streamed) or XLSX, written by estate.files, so every cell is one
a spreadsheet will never run as a formula.

    return export_rows(rows, [("hostname", "Hostname"), ...], "csv", "servers", "Servers")
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from enum import StrEnum
from typing import Any

from fastapi.responses import Response, StreamingResponse

from estate.files import Column, columns_of, csv_chunks, xlsx_bytes

CSV_MEDIA = "text/csv; charset=utf-8"
XLSX_MEDIA = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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


def export_rows(
    rows: Iterable[Mapping[str, Any]],
    columns: Sequence[tuple[str, str] | Column],
    format: ExportFormat | str,
    filename: str,
    what: str,
    on: date | None = None,
) -> Response:
    """A download of the rows, one column per (key, header); CSV streams as rows come. An XLSX
    sheet is named `what` and the day it is as at (`on`, else today: the day the device list
    judges `due` by)."""
    safe = "".join(c for c in filename if c.isalnum() or c in "-_") or "export"
    spec = columns_of(columns)
    values = ([row.get(c.key) for c in spec] for row in rows)
    kind = ExportFormat(format)
    if kind == ExportFormat.CSV:
        return StreamingResponse(
            csv_chunks(spec, values),
            media_type=CSV_MEDIA,
            headers={"Content-Disposition": f'attachment; filename="{safe}.csv"'},
        )
    if kind == ExportFormat.XLSX:
        return Response(
            xlsx_bytes(what, on or date.today(), spec, values),
            media_type=XLSX_MEDIA,
            headers={"Content-Disposition": f'attachment; filename="{safe}.xlsx"'},
        )
    raise ValueError("JSON is the route's own response, not an export")
