"""Exports as a council's really are: cells larger than csv's default limit, rows far wider than
their header, blank rows. Each bad row is reported with its number and costs no other row."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook
from openpyxl.utils.datetime import MAC_EPOCH
from sqlalchemy import Engine, select
from sqlmodel import Session, col

from estate.config import Settings, SourceConfig
from estate.models import Device, Server
from estate.status import RunStatus
from scanners.cmdb.reading import numbered
from scanners.cmdb.values import Unreadable
from scanners.runner import run_source


def scan_file(engine: Engine, settings: Settings, text: str) -> tuple[Settings, Path]:
    path = settings.config_dir / "servers.csv"
    path.write_text(text, encoding="utf-8")
    source = SourceConfig(
        name="cmdb", kind="cmdb", options={"path": "servers.csv", "entity": "server"}
    )
    return settings.model_copy(update={"sources": [source]}), path


def hostnames(engine: Engine) -> list[str | None]:
    with Session(engine) as session:
        found = session.execute(select(col(Server.hostname)).order_by(col(Server.hostname)))
        return list(found.scalars())


def test_a_cell_over_csvs_own_limit_is_read_and_every_row_imports(
    engine: Engine, settings: Settings
) -> None:
    notes = "x" * 200_000
    settings, _ = scan_file(
        engine, settings, f"Hostname,Notes\nsrv-a,{notes}\nsrv-b,ok\nsrv-c,ok\n"
    )

    run = run_source(engine, settings, "cmdb")

    assert (run.status, run.added, run.errors) == (RunStatus.OK, 3, [])
    assert hostnames(engine) == ["srv-a", "srv-b", "srv-c"]


def test_a_huge_cell_a_wide_row_and_a_blank_row_cost_only_their_own_rows(
    engine: Engine, settings: Settings
) -> None:
    wide = ",".join(["srv-3", "S3", *(f"v{i}" for i in range(298))])
    rows = [
        "Hostname,Serial,Notes",
        "srv-1,S1,fine",
        f"srv-2,S2,{'y' * 5_000_000}",
        wide,
        "",
        ",,",
        "srv-4,S4,fine",
    ]
    settings, _ = scan_file(engine, settings, "\n".join(rows) + "\n")

    run = run_source(engine, settings, "cmdb")

    assert (run.status, run.added) == (RunStatus.PARTIAL, 2)
    assert [(e["row"], e["column"]) for e in run.errors] == [(3, "Notes"), (4, None)]
    assert run.errors[0]["reason"] == (
        "5,000,000 characters: more than the 1,000,000 a cell may hold (the source's"
        " max_cell_chars)"
    )
    assert run.errors[1]["reason"].startswith("300 cells but the header has 3")
    assert hostnames(engine) == ["srv-1", "srv-4"]


def test_a_row_the_csv_reader_refuses_is_reported_and_the_rows_after_it_still_come() -> None:
    # csv's own cap met with stdlib's reader at a small limit: what a cell past estate's raised
    # limit meets, without a file of that size.
    before = csv.field_size_limit(50)
    try:
        text = f"Hostname,Notes\nsrv-1,ok\nsrv-2,{'z' * 51}\nsrv-3,ok\n"
        rows = list(numbered(csv.reader(io.StringIO(text))))
    finally:
        csv.field_size_limit(before)

    assert rows == [
        (1, ["Hostname", "Notes"]),
        (2, ["srv-1", "ok"]),
        Unreadable(3, "not valid CSV: field larger than field limit (50)"),
        (4, ["srv-3", "ok"]),
    ]


def write_register(path: Path, rows: list[list[object]], epoch: datetime | None = None) -> None:
    """An asset register whose date cells are numbers with no date format, as Excel keeps a
    date typed into a General column (and as some exporters write every date)."""
    workbook = Workbook()
    if epoch is not None:
        workbook.epoch = epoch
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Asset Tag", "Purchase Date", "Warranty Expires"])
    for row in rows:
        sheet.append(row)
    workbook.save(path)


def purchases(engine: Engine) -> list[tuple[str | None, date | None, date | None]]:
    with Session(engine) as session:
        found = session.execute(
            select(
                col(Device.asset_tag), col(Device.purchased_on), col(Device.warranty_expires_on)
            ).order_by(col(Device.asset_tag))
        )
        return [tuple(r) for r in found]  # type: ignore[misc]


@pytest.mark.parametrize(
    ("epoch", "expected"),
    [(None, date(2020, 2, 29)), (MAC_EPOCH, date(2024, 3, 1))],
    ids=["1900-system", "1904-system"],
)
def test_excel_serial_numbers_in_a_date_column_are_dates(
    engine: Engine, settings: Settings, epoch: datetime | None, expected: date
) -> None:
    write_register(
        settings.config_dir / "register.xlsx",
        [["AT-1", 43890, "03/04/2021"], ["AT-2", 43890.75, None]],
        epoch,
    )
    source = SourceConfig(
        name="register", kind="cmdb", options={"path": "register.xlsx", "entity": "device"}
    )

    run = run_source(engine, settings.model_copy(update={"sources": [source]}), "register")

    assert (run.status, run.added, run.errors) == (RunStatus.OK, 2, [])
    # Text dates stay day first (UK): 03/04/2021 is the 3rd of April.
    assert purchases(engine) == [
        ("AT-1", expected, date(2021, 4, 3)),
        ("AT-2", expected, None),
    ]
