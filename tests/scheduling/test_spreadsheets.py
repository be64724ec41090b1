"""Every XLSX estate writes opens well in Excel, read back with openpyxl: one sheet named for
what it holds and the day, the workbook's title, a bold frozen header with an autofilter over
every row, dates as date cells and money in the £ format. The API's device download and the
two reports' attachments."""

from __future__ import annotations

import io
from datetime import date, datetime
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import Engine
from sqlmodel import Session

from estate.config import Settings
from estate.files import DATE, MONEY
from estate.outbox.reports import report_for
from estate.status import MigrationStatus, Role
from tests.api.conftest import MakeClient
from tests.scheduling.seed import add_device, add_review, add_server
from tests.web.conftest import make_client

__all__ = ["make_client"]

ON = date(2026, 11, 25)


@pytest.fixture
def estate(engine: Engine) -> None:
    """Two devices due, one with a purchase date and cost; a reviewed decommission candidate."""
    with Session(engine) as session:
        add_device(
            session,
            "LAP-1",
            date(2026, 9, 1),
            purchased_on=date(2022, 9, 1),
            purchase_cost=849.5,
            department="Housing",
        )
        add_device(session, "LAP-2", date(2026, 12, 15))
        server = add_server(
            session, "nbc-cand01", migration_status=MigrationStatus.DECOMMISSION_APPROVED
        )
        add_review(session, server, removed_on=date(2026, 11, 20))
        session.commit()


def _sheet(data: bytes) -> tuple[Worksheet, str | None]:
    workbook = load_workbook(io.BytesIO(data))
    assert len(workbook.worksheets) == 1
    sheet = workbook.worksheets[0]
    return sheet, workbook.properties.title


def _column(sheet: Worksheet, header: str) -> list[Any]:
    headers = [c.value for c in sheet[1]]
    index = headers.index(header) + 1
    return [sheet.cell(row=r, column=index) for r in range(2, sheet.max_row + 1)]


def _assert_opens_well(sheet: Worksheet, rows: int) -> None:
    assert sheet.freeze_panes == "A2"
    last = sheet.cell(row=1, column=sheet.max_column).column_letter
    assert sheet.auto_filter.ref == f"A1:{last}{rows + 1}"
    assert sheet.max_row == rows + 1
    assert all(c.font.bold for c in sheet[1])
    assert all(sheet.column_dimensions[c.column_letter].width >= 8 for c in sheet[1])


def _attachment(engine: Engine, settings: Settings, report: str) -> tuple[str, Worksheet, Any]:
    with Session(engine) as session:
        email = report_for(report).render(session, settings, ON)
    [attachment] = email.attachments
    return (attachment.filename, *_sheet(attachment.data))


@pytest.mark.usefixtures("estate")
@pytest.mark.parametrize(
    ("report", "expected", "rows"),
    [
        (
            "device-replacement",
            ("devices-due-2026-11-25.xlsx", "Devices due 2026-11-25",
             "Devices due as at 25 November 2026"),
            2,
        ),
        (
            "decommission-list",
            ("decommission-list-2026-11-25.xlsx", "Decommission 2026-11-25",
             "Decommission as at 25 November 2026"),
            1,
        ),
    ],
)  # fmt: skip
def test_each_attachment_says_what_and_when_and_opens_well(
    engine: Engine, settings: Settings, report: str, expected: tuple[str, str, str], rows: int
) -> None:
    name, sheet, title = _attachment(engine, settings, report)

    assert (name, sheet.title, title) == expected
    _assert_opens_well(sheet, rows)


@pytest.mark.usefixtures("estate")
def test_the_device_replacement_attachment_has_dates_and_money(
    engine: Engine, settings: Settings
) -> None:
    _name, sheet, _title = _attachment(engine, settings, "device-replacement")

    due = _column(sheet, "Due on")
    assert [(c.value, c.number_format, c.is_date) for c in due] == [
        (datetime(2026, 9, 1), DATE, True),
        (datetime(2026, 12, 15), DATE, True),
    ]
    cost = _column(sheet, "Purchase cost")[0]
    assert (cost.value, cost.number_format) == (849.5, MONEY)
    assert _column(sheet, "Replacement cost")[0].number_format == MONEY


@pytest.mark.usefixtures("estate")
def test_the_decommission_list_attachment_has_dates(engine: Engine, settings: Settings) -> None:
    _name, sheet, _title = _attachment(engine, settings, "decommission-list")

    removed = _column(sheet, "Removed on")[0]
    assert (removed.value, removed.is_date) == (datetime(2026, 11, 20), True)
    assert _column(sheet, "Reviewed at")[0].is_date


@pytest.mark.usefixtures("estate")
def test_the_api_device_download(make_client: MakeClient) -> None:
    answer = make_client(Role.VIEWER).get(
        "/api/v1/devices", params={"format": "xlsx", "sort": "asset_tag"}
    )

    sheet, title = _sheet(answer.content)

    today = date.today()
    assert sheet.title == f"Devices {today.isoformat()}"
    assert title == f"Devices as at {today.day} {today:%B %Y}"
    _assert_opens_well(sheet, 2)
    cost = _column(sheet, "Purchase cost")[0]
    assert (cost.value, cost.number_format) == (849.5, MONEY)
    bought = _column(sheet, "Purchased")[0]
    assert (bought.value, bought.is_date) == (datetime(2022, 9, 1), True)
