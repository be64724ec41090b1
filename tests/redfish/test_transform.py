"""Redfish payloads -> server records, on the mockups the static peer serves (no I/O here)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from scanners.redfish.transform import Bmc, SystemPayload, transform_system

MOCKUPS = Path(__file__).parent / "data" / "mockups"
BMC = Bmc(scope="idrac-01", url="https://10.20.0.11", host="10.20.0.11", site="Civic Centre")


def resource(tree: str, path: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((MOCKUPS / tree / path / "index.json").read_text())
    return loaded


def dell() -> SystemPayload:
    return SystemPayload(
        system=resource("dell-r750", "Systems/System.Embedded.1"),
        chassis=resource("dell-r750", "Chassis/System.Embedded.1"),
        power=resource("dell-r750", "Chassis/System.Embedded.1/Power"),
    )


def hpe() -> SystemPayload:
    return SystemPayload(
        system=resource("hpe-dl380-gen11", "Systems/1"),
        chassis=resource("hpe-dl380-gen11", "Chassis/1"),
        environment=resource("hpe-dl380-gen11", "Chassis/1/EnvironmentMetrics"),
    )


def with_system(payload: SystemPayload, **changes: Any) -> SystemPayload:
    system = {**payload.system, **changes}
    return SystemPayload(system, payload.chassis, payload.power, payload.environment)


def test_dell_idrac_system_with_power_control() -> None:
    record = transform_system(dell(), BMC)

    assert record.model_dump(exclude_none=True) == {
        "external_id": "redfish:10.20.0.11/System.Embedded.1",
        "scope": "idrac-01",
        "match_only": False,
        "readings_unread": (),
        "extra": {
            "bmc": "https://10.20.0.11",
            "sku": "7XJ4R53",
            "bios_version": "1.10.2",
            "processor_model": "Intel(R) Xeon(R) Gold 6330 CPU @ 2.00GHz",
            "health": "OK",
            "board_serial": "CNIVC0021A0123",
        },
        "kind": "physical",
        "serial": "7XJ4R53",
        "manufacturer": "Dell Inc.",
        "model": "PowerEdge R750",
        "bios_uuid": "4c4c4544-0058-4a10-8034-b7c04f523533",
        "hostname": "civ-esx-01",
        "fqdn": "civ-esx-01.council.local",
        "power_state": "on",
        "cpu_cores": 56,
        "memory_gb": 512.0,
        "power_watts": 312.0,
        "site": "Civic Centre",
    }


def test_hpe_ilo_system_with_environment_metrics() -> None:
    record = transform_system(hpe(), BMC)

    assert record.external_id == "redfish:10.20.0.11/1"
    assert record.serial == "CZJ3180ABC"
    assert (record.manufacturer, record.model) == ("HPE", "ProLiant DL380 Gen11")
    assert record.power_watts == 455.0
    assert (record.hostname, record.fqdn) == ("civ-sql-02", None)
    assert record.bios_uuid == "37383350-3435-5a43-4a33-313830414243"
    assert (record.cpu_cores, record.memory_gb) == (32, 384.0)
    assert record.extra == {
        "bmc": "https://10.20.0.11",
        "sku": "P52534-B21",
        "bios_version": "U54 v2.16 (03/01/2024)",
        "processor_model": "Intel(R) Xeon(R) Gold 5418Y",
        "health": "Warning",
    }


def test_power_control_without_a_reading_falls_back_to_environment_metrics() -> None:
    payload = SystemPayload(
        system=hpe().system,
        power={"PowerControl": [{"MemberId": "0", "PowerConsumedWatts": None}]},
        environment={"PowerWatts": {"Reading": 201.5}},
    )

    assert transform_system(payload, BMC).power_watts == 201.5


def test_no_chassis_means_no_watts_and_the_systems_own_facts() -> None:
    record = transform_system(SystemPayload(system=hpe().system), BMC)

    assert (record.serial, record.model, record.power_watts) == (
        "CZJ3180ABC",
        "ProLiant DL380 Gen11",
        None,
    )


def test_a_system_without_serial_or_model_takes_its_chassis() -> None:
    payload = with_system(hpe(), SerialNumber=" ", Model=None, Manufacturer="Not Specified")

    record = transform_system(payload, BMC)

    assert (record.serial, record.model, record.manufacturer) == (
        "CZJ3180ABC",
        "ProLiant DL380 Gen11",
        "HPE",
    )


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ("On", "on"),
        ("PoweringOff", "on"),
        ("Off", "off"),
        ("PoweringOn", "off"),
        ("Paused", "suspended"),
        ("Sleeping", "unknown"),
        (None, None),
    ],
)
def test_power_states(state: str | None, expected: str | None) -> None:
    assert transform_system(with_system(hpe(), PowerState=state), BMC).power_state == expected


def test_processor_count_stands_in_for_cores_when_cores_are_not_reported() -> None:
    payload = with_system(hpe(), ProcessorSummary={"Count": 2}, MemorySummary={})

    record = transform_system(payload, BMC)

    assert (record.cpu_cores, record.memory_gb) == (2, None)


def test_a_nil_uuid_is_no_uuid() -> None:
    payload = with_system(hpe(), UUID="00000000-0000-0000-0000-000000000000")

    assert transform_system(payload, BMC).bios_uuid is None


def test_a_system_without_id_fails_loudly() -> None:
    system = {k: v for k, v in hpe().system.items() if k != "Id"}

    with pytest.raises(KeyError, match="Id"):
        transform_system(SystemPayload(system=system), BMC)
