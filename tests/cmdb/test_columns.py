from __future__ import annotations

from typing import Any

import pytest

from scanners.cmdb.columns import Column, ColumnMap, MissingColumns, map_columns, normalise_header
from scanners.cmdb.options import CmdbOptions

CMDB_SERVERS = [
    "CI ID",
    "Hostname",
    "FQDN",
    "Serial Number",
    "Asset Tag",
    "Type",
    "Manufacturer",
    "Model",
    "Operating System",
    "OS Version",
    "CPU Cores",
    "Memory (GB)",
    "Storage (GB)",
    "Power State",
    "Host",
    "Site",
    "Room",
    "Rack",
    "Rack Unit",
    "Rack Units",
    "Power (W)",
    "Applications",
    "Commissioned",
]
INFRA_SERVERS = [
    "Server Name",
    "Serial",
    "Make",
    "Model",
    "vCPU",
    "RAM GB",
    "Disk GB",
    "OS",
    "Environment",
    "Owner Team",
]
ASSET_REGISTER = [
    "Asset Tag",
    "Serial Number",
    "Device Name",
    "Device Type",
    "Manufacturer",
    "Model",
    "Operating System",
    "OS Version",
    "Assigned To",
    "Department",
    "Location",
    "Purchase Date",
    "Purchase Cost (£)",
    "Warranty End",
]


def options(entity: str, **overrides: Any) -> CmdbOptions:
    return CmdbOptions(path="export.csv", entity=entity, **overrides)


def field_headers(columns: ColumnMap | MissingColumns) -> dict[str, str]:
    assert isinstance(columns, ColumnMap)
    return {field: column.header for field, column in columns.fields.items()}


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("Memory (GB)", "memory_gb"),
        ("Power (W)", "power_w"),
        ("Purchase Cost (£)", "purchase_cost"),
        ("  CI ID ", "ci_id"),
        ("Serial-No.", "serial_no"),
        ("(£)", ""),
    ],
)
def test_normalise_header(header: str, expected: str) -> None:
    assert normalise_header(header) == expected


def test_the_cmdb_server_export_maps_every_column_but_ci_id_and_commissioned() -> None:
    columns = map_columns(CMDB_SERVERS, options("server", key="CI ID"))

    assert field_headers(columns) == {
        "hostname": "Hostname",
        "fqdn": "FQDN",
        "serial": "Serial Number",
        "asset_tag": "Asset Tag",
        "kind": "Type",
        "manufacturer": "Manufacturer",
        "model": "Model",
        "os_name": "Operating System",
        "os_version": "OS Version",
        "cpu_cores": "CPU Cores",
        "memory_gb": "Memory (GB)",
        "storage_gb": "Storage (GB)",
        "power_state": "Power State",
        "host": "Host",
        "site": "Site",
        "room": "Room",
        "rack": "Rack",
        "rack_unit": "Rack Unit",
        "rack_units": "Rack Units",
        "power_watts": "Power (W)",
        "applications": "Applications",
    }
    assert isinstance(columns, ColumnMap)
    assert columns.key == Column(0, "CI ID")
    assert columns.extra == {"commissioned": Column(22, "Commissioned")}


def test_the_infra_team_list_maps_by_alias_and_keys_on_the_host_name() -> None:
    columns = map_columns(INFRA_SERVERS, options("server"))

    assert field_headers(columns) == {
        "hostname": "Server Name",
        "serial": "Serial",
        "manufacturer": "Make",
        "model": "Model",
        "cpu_cores": "vCPU",
        "memory_gb": "RAM GB",
        "storage_gb": "Disk GB",
        "os_name": "OS",
    }
    assert isinstance(columns, ColumnMap)
    assert columns.key == Column(0, "Server Name")
    assert list(columns.extra) == ["environment", "owner_team"]


def test_the_asset_register_maps_every_column() -> None:
    columns = map_columns(ASSET_REGISTER, options("device"))

    assert field_headers(columns) == {
        "asset_tag": "Asset Tag",
        "serial": "Serial Number",
        "hostname": "Device Name",
        "device_type": "Device Type",
        "manufacturer": "Manufacturer",
        "model": "Model",
        "os_name": "Operating System",
        "os_version": "OS Version",
        "assigned_to": "Assigned To",
        "department": "Department",
        "site": "Location",
        "purchased_on": "Purchase Date",
        "purchase_cost": "Purchase Cost (£)",
        "warranty_expires_on": "Warranty End",
    }
    assert isinstance(columns, ColumnMap)
    assert (columns.key, columns.extra) == (Column(0, "Asset Tag"), {})


def test_type_and_name_mean_what_the_entity_needs() -> None:
    header = ["Name", "Type", "Owner"]

    assert field_headers(map_columns(header, options("server"))) == {
        "hostname": "Name",
        "kind": "Type",
    }
    assert field_headers(map_columns(["Asset Tag", *header], options("device"))) == {
        "asset_tag": "Asset Tag",
        "hostname": "Name",
        "device_type": "Type",
    }
    assert field_headers(map_columns(header, options("application"))) == {
        "name": "Name",
        "owner": "Owner",
    }


def test_configured_columns_beat_exact_names_which_beat_aliases() -> None:
    header = ["Serial Number", "Serial", "S/N", "Device Name", "hostname", "Asset Tag"]

    automatic = map_columns(header, options("device"))
    configured = map_columns(header, options("device", columns={"serial": "S/N"}))

    assert field_headers(automatic)["serial"] == "Serial"
    assert field_headers(automatic)["hostname"] == "hostname"
    assert isinstance(automatic, ColumnMap)
    assert list(automatic.extra) == ["serial_number", "s_n", "device_name"]
    assert field_headers(configured)["serial"] == "S/N"
    assert isinstance(configured, ColumnMap)
    assert list(configured.extra) == ["serial_number", "serial", "device_name"]


def test_the_key_may_name_any_header_or_a_field() -> None:
    header = ["CI ID", "Server Name"]

    by_header = map_columns(header, options("server", key="ci id"))
    by_field = map_columns(header, options("server", key="hostname"))

    assert isinstance(by_header, ColumnMap) and isinstance(by_field, ColumnMap)
    assert (by_header.key, by_header.extra) == (Column(0, "CI ID"), {})
    assert (by_field.key, list(by_field.extra)) == (Column(1, "Server Name"), ["ci_id"])


def test_missing_required_columns_are_named_together() -> None:
    missing = map_columns(["Serial", "Make", ""], options("server", key="CI ID"))

    assert missing == MissingColumns(("CI ID", "hostname"), ("Serial", "Make", ""))
    assert isinstance(missing, MissingColumns)
    assert missing.reason == "missing required columns: CI ID, hostname (found: Serial, Make)"


def test_a_configured_column_the_file_lacks_is_missing() -> None:
    missing = map_columns(["Asset Tag"], options("device", columns={"serial": "S/N"}))

    assert missing == MissingColumns(("S/N",), ("Asset Tag",))


def test_each_entity_has_its_own_required_columns() -> None:
    assert map_columns(["Owner"], options("application")) == MissingColumns(("name",), ("Owner",))
    assert map_columns(["Serial"], options("device")) == MissingColumns(("asset_tag",), ("Serial",))
    assert map_columns(["FQDN"], options("server")) == MissingColumns(("hostname",), ("FQDN",))


def test_values_under_a_blank_header_keep_their_column_number() -> None:
    columns = map_columns(["Name", "", "(£)"], options("application"))

    assert isinstance(columns, ColumnMap)
    assert columns.extra == {"column_2": Column(1, ""), "column_3": Column(2, "(£)")}
