"""Rewrite the XLSX fixtures beside this file: .venv/bin/python tests/cmdb/data/make_workbooks.py

Kept so the binary fixtures can be read and changed as code; the tests read the saved files.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent
HEADER = (
    "Asset Tag",
    "Serial Number",
    "Device Name",
    "Device Type",
    "Purchase Date",
    "Purchase Cost (£)",
    "Warranty End",
    "Department",
)
ROWS: tuple[tuple[object, ...], ...] = (
    ("AT-1", "S1", "LT-1", "Laptop", date(2021, 3, 4), 1299.5, datetime(2025, 3, 4), "Planning"),
    (10023, 12345, None, "tablet", "04/03/2022", "£1,299", "2026-03-04", None),
    (None, None, None, None, None, None, None, None),
    ("AT-3", "S3", "PC-3", "Desktop", "2020-01-31", 450, None, "  "),
)


def devices_workbook(path: Path) -> None:
    workbook = Workbook()
    summary = workbook.active
    assert summary is not None
    summary.title = "Summary"
    summary.append(("Exported", "2026-11-25"))
    devices = workbook.create_sheet("Devices")
    devices.append(HEADER)
    for row in ROWS:
        devices.append(row)
    # Pinned so a rerun writes the same workbook.
    workbook.properties.created = workbook.properties.modified = datetime(2026, 1, 1)
    workbook.save(path)


if __name__ == "__main__":
    devices_workbook(HERE / "devices-mixed.xlsx")
