"""The scanner over small fixture files: the events `collect()` yields, exactly."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from estate.config import ConfigError, Settings, SourceConfig
from estate.inventory.records import DeviceRecord, Event, Problem, ScopeEnd, ServerRecord
from scanners.registry import scanner_for

DATA = Path(__file__).parent / "data"


def collect(path: str, **options: Any) -> list[Event]:
    settings = Settings(config_path=DATA / "estate.toml")
    source = SourceConfig(name="cmdb", kind="cmdb", options={"path": path, **options})
    return list(scanner_for(source, settings).collect())


def device(scope: str, tag: str, **fields: Any) -> DeviceRecord:
    """A device the register names by its asset tag (its external id too)."""
    return DeviceRecord(external_id=tag, scope=scope, asset_tag=tag, **fields)


def test_servers_from_a_csv_with_a_bom_and_semicolons() -> None:
    events = collect(
        "servers-bom-semicolon.csv", entity="server", key="CI ID", site="Northgate Data Centre"
    )

    scope = "servers-bom-semicolon.csv"
    assert events == [
        ServerRecord(
            external_id="CI-1",
            scope=scope,
            hostname="web01",
            serial="ABC123",
            kind="virtual",
            os_name="Windows Server 2019",
            cpu_cores=4,
            memory_gb=16.0,
            storage_gb=1200.0,
            power_state="on",
            site="Civic Centre",
            applications=("Payroll", "HR", "Intranet"),
        ),
        ServerRecord(
            external_id="CI-2",
            scope=scope,
            hostname="db01",
            serial="XYZ789",
            kind="physical",
            os_name="Red Hat Enterprise Linux 8",
            cpu_cores=32,
            memory_gb=256.0,
            storage_gb=2400.5,
            power_state="off",
            site="Northgate Data Centre",
            power_watts=450.0,
            rack_unit=12,
            extra={"notes": "Holds; a semicolon"},
        ),
        ScopeEnd(scope=scope, complete=True),
    ]


def test_devices_from_a_tab_separated_csv_with_a_value_mapping() -> None:
    events = collect(
        "devices-tab.csv", entity="device", values={"device_type": {"Kiosk": "desktop"}}
    )

    scope = "devices-tab.csv"
    assert events == [
        device(
            scope,
            "NBC-001",
            serial="SN1",
            hostname="NBC-LT-001",
            device_type="laptop",
            manufacturer="HP",
            assigned_to="ann.lee@northbridge.gov.uk",
            purchased_on=date(2021, 3, 4),
            purchase_cost=1299.0,
            warranty_expires_on=date(2025, 3, 4),
        ),
        device(
            scope,
            "NBC-002",
            serial="SN2",
            device_type="desktop",
            manufacturer="Dell",
            purchased_on=date(2021, 12, 31),
            purchase_cost=499.99,
            warranty_expires_on=date(2026, 12, 31),
        ),
        device(
            scope,
            "NBC-003",
            serial="SN3",
            hostname="NBC-KI-003",
            device_type="desktop",
            manufacturer="Dell",
        ),
        ScopeEnd(scope=scope, complete=True),
    ]


def test_an_unknown_enum_value_without_a_mapping_is_a_bad_row() -> None:
    events = collect("devices-tab.csv", entity="device")

    assert events[2:] == [
        Problem(
            scope="devices-tab.csv",
            reason="unknown device_type 'Kiosk';"
            " expected one of: laptop, desktop, thin-client, tablet, phone",
            row=4,
            column="Type",
        ),
        ScopeEnd(scope="devices-tab.csv", complete=False),
    ]


def test_devices_from_xlsx_with_date_cells_and_date_strings_mixed() -> None:
    events = collect("devices-mixed.xlsx", entity="device", sheet="Devices")

    scope = "devices-mixed.xlsx"
    assert events == [
        device(
            scope,
            "AT-1",
            serial="S1",
            hostname="LT-1",
            device_type="laptop",
            purchased_on=date(2021, 3, 4),
            purchase_cost=1299.5,
            warranty_expires_on=date(2025, 3, 4),
            department="Planning",
        ),
        device(
            scope,
            "10023",
            serial="12345",
            device_type="tablet",
            purchased_on=date(2022, 3, 4),
            purchase_cost=1299.0,
            warranty_expires_on=date(2026, 3, 4),
        ),
        device(
            scope,
            "AT-3",
            serial="S3",
            hostname="PC-3",
            device_type="desktop",
            purchased_on=date(2020, 1, 31),
            purchase_cost=450.0,
        ),
        ScopeEnd(scope=scope, complete=True),
    ]


def test_bad_rows_are_reported_and_the_good_ones_still_import() -> None:
    events = collect("devices-bad-rows.csv", entity="device")

    scope = "devices-bad-rows.csv"
    assert events == [
        device(
            scope,
            "AT-1",
            serial="S1",
            device_type="laptop",
            purchased_on=date(2021, 3, 4),
        ),
        Problem(
            scope=scope,
            reason="not a real date (day first, DD/MM/YYYY): '03/25/2021'",
            row=3,
            column="Purchase Date",
        ),
        Problem(
            scope=scope,
            reason="blank, but it is the key: every row needs one",
            row=4,
            column="Asset Tag",
        ),
        Problem(
            scope=scope, reason="duplicate key 'AT-1': first in row 2", row=5, column="Asset Tag"
        ),
        DeviceRecord(
            external_id="AT-5", scope=scope, asset_tag="AT-5", serial="S5", device_type="phone"
        ),
        ScopeEnd(scope=scope, complete=False),
    ]


def test_missing_required_columns_fail_the_file_naming_them() -> None:
    events = collect("servers-missing-columns.csv", entity="server", key="CI ID")

    scope = "servers-missing-columns.csv"
    assert events == [
        Problem(
            scope=scope,
            reason="missing required columns: CI ID, hostname (found: Serial, Make)",
            row=1,
            column="CI ID, hostname",
        ),
        ScopeEnd(scope=scope, complete=False),
    ]


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("absent.csv", "file not found: {file}"),
        (
            "not-a-workbook.xlsx",
            "not-a-workbook.xlsx is not a valid XLSX workbook: File is not a zip file",
        ),
        (
            "applications-cp1252.csv",
            "not utf-8-sig text: line 2 has byte b'\\xe9'; set the source's `encoding` option,"
            " e.g. 'cp1252'",
        ),
    ],
)
def test_a_file_that_cannot_be_read_fails_its_scope(path: str, reason: str) -> None:
    events = collect(path, entity="application")

    file = DATA / path
    assert events == [
        Problem(scope=path, reason=reason.format(file=file), target=str(file)),
        ScopeEnd(scope=path, complete=False),
    ]


def test_an_empty_file_has_no_header(tmp_path: Path) -> None:
    (tmp_path / "empty.csv").write_text("\n\n", encoding="utf-8")
    source = SourceConfig(
        name="cmdb", kind="cmdb", options={"path": "empty.csv", "entity": "application"}
    )
    settings = Settings(config_path=tmp_path / "estate.toml")

    assert list(scanner_for(source, settings).collect()) == [
        Problem(
            scope="empty.csv",
            reason="the file has no header row",
            target=str(tmp_path / "empty.csv"),
        ),
        ScopeEnd(scope="empty.csv", complete=False),
    ]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            {"entity": "printer"},
            "entity: Input should be 'server', 'device' or 'application'",
        ),
        (
            {"entity": "device", "columns": {"cpu": "CPU"}},
            "Value error, columns: cpu is not a field of a device record; expected one of:",
        ),
        ({"entity": "device", "sheets": "Devices"}, "unknown key 'sheets'"),
        ({"entity": "application", "site": "Civic Centre"}, "site: application records have no"),
        ({"entity": "device", "delimiter": "tab"}, "delimiter: expected one character"),
        ({"entity": "device", "encoding": "utf-9"}, "encoding: unknown encoding 'utf-9'"),
    ],
)
def test_bad_options_fail_when_the_config_is_checked(options: dict[str, Any], message: str) -> None:
    source = SourceConfig(name="register", kind="cmdb", options={"path": "x.csv", **options})

    with pytest.raises(ConfigError) as caught:
        scanner_for(source, Settings())

    assert message in str(caught.value)
    assert str(caught.value).startswith("built-in defaults: sources(register).options: ")
