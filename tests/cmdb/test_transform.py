from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from estate.inventory.records import ApplicationRecord, DeviceRecord, Problem, ServerRecord
from scanners.cmdb.columns import ColumnMap, map_columns
from scanners.cmdb.options import CmdbOptions
from scanners.cmdb.transform import Layout, RowError, transform_row, transform_rows
from scanners.cmdb.values import Cell, as_text

SERVER_HEADER = (
    "CI ID",
    "Hostname",
    "Serial Number",
    "Type",
    "CPU Cores",
    "Memory (GB)",
    "Power State",
    "Site",
    "Rack Unit",
    "Power (W)",
    "Applications",
    "Commissioned",
)
DEVICE_HEADER = ("Asset Tag", "Device Name", "Device Type", "Purchase Date", "Purchase Cost (£)")


def layout(header: Sequence[Cell], entity: str, **overrides: Any) -> Layout:
    options = CmdbOptions(path="cmdb.csv", entity=entity, **overrides)
    columns = map_columns(header, options)
    assert isinstance(columns, ColumnMap)
    return Layout.build(options, columns, header)


def test_a_server_row_becomes_a_typed_record() -> None:
    servers = layout(SERVER_HEADER, "server", key="CI ID")
    row = (
        " CI-1 ",
        "web01",
        "ABC123",
        "Virtual Machine",
        "4",
        "16.0",
        "poweredOn",
        "",
        "12",
        "1,100.5",
        "Payroll; HR",
        "22/08/2022",
    )

    assert transform_row(row, servers) == ServerRecord(
        external_id="CI-1",
        scope="cmdb.csv",
        hostname="web01",
        serial="ABC123",
        kind="virtual",
        cpu_cores=4,
        memory_gb=16.0,
        power_state="on",
        rack_unit=12,
        power_watts=1100.5,
        applications=("Payroll", "HR"),
        extra={"commissioned": "22/08/2022"},
    )


def test_a_row_without_a_site_takes_the_configured_one() -> None:
    servers = layout(SERVER_HEADER, "server", key="CI ID", site="Civic Centre")
    row = ("CI-1", "web01", *([None] * 5), "  ", None, None, None, None)
    elsewhere = ("CI-2", "web02", *([None] * 5), "Northgate", None, None, None, None)

    assert transform_row(row, servers) == ServerRecord(
        external_id="CI-1", scope="cmdb.csv", hostname="web01", site="Civic Centre"
    )
    assert transform_row(elsewhere, servers) == ServerRecord(
        external_id="CI-2", scope="cmdb.csv", hostname="web02", site="Northgate"
    )


def test_a_site_cell_that_is_no_place_sets_no_site_and_the_list_is_configurable() -> None:
    default = layout(SERVER_HEADER, "server", key="CI ID", site="Civic Centre")
    configured = layout(SERVER_HEADER, "server", key="CI ID", not_places=["Working from home"])

    def row(site: str) -> tuple[Cell, ...]:
        return ("CI-1", "web01", *([None] * 5), site, None, None, None, None)

    for site in ("Remote", " home ", "UNKNOWN"):
        assert transform_row(row(site), default) == ServerRecord(
            external_id="CI-1", scope="cmdb.csv", hostname="web01"
        )
    assert transform_row(row("working from home"), configured) == ServerRecord(
        external_id="CI-1", scope="cmdb.csv", hostname="web01"
    )
    assert transform_row(row("Remote"), configured) == ServerRecord(
        external_id="CI-1", scope="cmdb.csv", hostname="web01", site="Remote"
    )


def test_the_configured_site_applies_when_the_file_has_no_site_column() -> None:
    servers = layout(("Server Name", "RAM GB"), "server", site="Civic Centre")

    assert transform_row(("web01", "8"), servers) == ServerRecord(
        external_id="web01", scope="cmdb.csv", hostname="web01", memory_gb=8.0, site="Civic Centre"
    )


def test_a_device_row_from_xlsx_cells_keeps_dates_and_reads_numbers_as_text() -> None:
    devices = layout(DEVICE_HEADER, "device")
    row = (10023.0, "LT-1", "Notebook", datetime(2021, 3, 4), "£1,299")

    assert transform_row(row, devices) == DeviceRecord(
        external_id="10023",
        scope="cmdb.csv",
        asset_tag="10023",
        hostname="LT-1",
        device_type="laptop",
        purchased_on=date(2021, 3, 4),
        purchase_cost=1299.0,
    )


def test_every_bad_cell_of_a_row_is_named() -> None:
    devices = layout(DEVICE_HEADER, "device")
    row = ("AT-1", "LT-1", "Kiosk", "03/25/2021", "lots")

    assert transform_row(row, devices) == [
        RowError(
            "Device Type",
            "unknown device_type 'Kiosk'; expected one of: laptop, desktop,"
            " thin-client, tablet, phone",
        ),
        RowError("Purchase Date", "not a real date (day first, DD/MM/YYYY): '03/25/2021'"),
        RowError("Purchase Cost (£)", "not a number: 'lots'"),
    ]


def test_the_values_option_maps_a_source_word_before_the_enum_check() -> None:
    devices = layout(DEVICE_HEADER, "device", values={"device_type": {"Kiosk": "desktop"}})

    record = transform_row(("AT-1", None, "kiosk", None, None), devices)

    assert isinstance(record, DeviceRecord)
    assert record.device_type == "desktop"


def test_blank_key_and_blank_required_cells_are_bad() -> None:
    servers = layout(SERVER_HEADER, "server", key="CI ID")
    apps = layout(("Name", "Owner"), "application")

    assert transform_row(("", "  ", *([None] * 10)), servers) == [
        RowError("CI ID", "blank, but it is the key: every row needs one"),
        RowError("Hostname", "blank, but every row needs a hostname"),
    ]
    assert transform_row((None, "Head of IT"), apps) == [
        RowError("Name", "blank, but it is the key: every row needs one"),
    ]


def test_values_beyond_the_header_make_a_bad_row() -> None:
    apps = layout(("Name", "Owner"), "application")

    assert transform_row(("Payroll", "Smith", " John"), apps) == [
        RowError(
            None, "3 cells but the header has 2 (a value holding the delimiter without quotes?)"
        )
    ]
    assert transform_row(("Payroll", "Smith", "", None), apps) == ApplicationRecord(
        external_id="Payroll", scope="cmdb.csv", name="Payroll", owner="Smith"
    )


def test_a_short_row_reads_its_missing_cells_as_blank() -> None:
    apps = layout(("Name", "Owner", "Criticality"), "application")

    assert transform_row(("Payroll",), apps) == ApplicationRecord(
        external_id="Payroll", scope="cmdb.csv", name="Payroll"
    )


def test_rows_skip_blank_lines_and_report_duplicates_against_the_first_row() -> None:
    apps = layout(("Name", "Owner"), "application")
    rows = [
        (2, ("Payroll", "Pat")),
        (3, ("", "  ")),
        (4, ()),
        (5, ("Council Tax", "Sam")),
        (6, ("Payroll", "Alex")),
        (7, ("Payroll", "Jo")),
    ]

    assert list(transform_rows(rows, apps)) == [
        ApplicationRecord(external_id="Payroll", scope="cmdb.csv", name="Payroll", owner="Pat"),
        ApplicationRecord(
            external_id="Council Tax", scope="cmdb.csv", name="Council Tax", owner="Sam"
        ),
        Problem(
            scope="cmdb.csv", reason="duplicate key 'Payroll': first in row 2", row=6, column="Name"
        ),
        Problem(
            scope="cmdb.csv", reason="duplicate key 'Payroll': first in row 2", row=7, column="Name"
        ),
    ]


def test_a_record_check_failing_names_the_column_it_came_from() -> None:
    servers = layout(("Hostname", "CPU Cores"), "server")
    # The parsers never hand a record a value it refuses; a layout that passes cells through
    # unparsed shows what the record's own check would say.
    unparsed = replace(servers, parsers={"hostname": as_text, "cpu_cores": lambda cell: cell})

    assert transform_row(("web01", "four"), unparsed) == [
        RowError(
            "CPU Cores",
            "Input should be a valid integer, unable to parse string as an integer: 'four'",
        )
    ]


def test_a_value_seen_again_is_read_again_the_same_way_good_or_bad() -> None:
    # Each column keeps what a text parsed to; a repeated bad value is still a problem in
    # every row it is in, and a repeated good one the same value.
    devices = layout(DEVICE_HEADER, "device", values={"device_type": {"Lappy": "laptop"}})
    rows = [
        (2, ("A-1", "PC-1", "Lappy", "31/02/2021", "£1,200")),
        (3, ("A-2", "PC-2", "Lappy", "31/02/2021", "£1,200")),
        (4, ("A-3", "PC-3", " Lappy ", "01/03/2021", "£1,200")),
        (5, ("A-4", "PC-4", "#N/A", "01/03/2021", 1200)),
    ]

    events = list(transform_rows(rows, devices))

    bad_date = "not a real date (day first, DD/MM/YYYY): '31/02/2021'"
    assert events == [
        Problem(scope="cmdb.csv", reason=bad_date, row=2, column="Purchase Date"),
        Problem(scope="cmdb.csv", reason=bad_date, row=3, column="Purchase Date"),
        DeviceRecord(
            external_id="A-3", scope="cmdb.csv", asset_tag="A-3", hostname="PC-3",
            device_type="laptop",
            purchased_on=date(2021, 3, 1), purchase_cost=1200.0,
        ),
        Problem(
            scope="cmdb.csv", reason="spreadsheet error '#N/A'", row=5, column="Device Type"
        ),
    ]  # fmt: skip
