"""Redfish payloads -> server records: pure, tested on the mockups kept under tests/redfish/data."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from estate.inventory.records import PowerState, ServerRecord
from scanners.base import clean_serial, clean_text

# A server that is powering off still draws power and runs; one powering on does not yet.
POWER_STATES: dict[str, PowerState] = {
    "On": "on",
    "PoweringOff": "on",
    "Off": "off",
    "PoweringOn": "off",
    "Paused": "suspended",
}
# What BMCs report in a text field nobody filled in at the factory (serials have the kit's own,
# wider, rule: "0" is no serial but may be a model).
UNFILLED = frozenset({"n/a", "na", "none", "null", "not specified", "not available", "unknown"})
NIL_UUID = "00000000-0000-0000-0000-000000000000"


@dataclass(frozen=True)
class Bmc:
    """Where a BMC is and what its records carry: no credentials here."""

    scope: str
    # Base URL as configured (scheme://host[:port]) and its host[:port] part.
    url: str
    host: str
    site: str | None = None


@dataclass(frozen=True)
class SystemPayload:
    """One ComputerSystem and the chassis resources its power draw is read from."""

    system: dict[str, Any]
    chassis: dict[str, Any] | None = None
    # Chassis Power (deprecated but near universal) and EnvironmentMetrics (its successor).
    power: dict[str, Any] | None = None
    environment: dict[str, Any] | None = None


def transform_system(payload: SystemPayload, bmc: Bmc) -> ServerRecord:
    system = payload.system
    chassis = payload.chassis or {}
    manufacturer = filled_text(system.get("Manufacturer")) or filled_text(
        chassis.get("Manufacturer")
    )
    serial, board_serial = serial_of(system, chassis, manufacturer)
    processors = system.get("ProcessorSummary") or {}
    memory = system.get("MemorySummary") or {}
    hostname, fqdn = host_names(filled_text(system.get("HostName")))
    extra = {
        "bmc": bmc.url,
        "sku": filled_text(system.get("SKU")),
        "bios_version": filled_text(system.get("BiosVersion")),
        "processor_model": filled_text(processors.get("Model")),
        "health": filled_text((system.get("Status") or {}).get("Health")),
        "board_serial": board_serial,
    }
    return ServerRecord(
        external_id=f"redfish:{bmc.host}/{system['Id']}",
        scope=bmc.scope,
        kind="physical",
        serial=serial,
        manufacturer=manufacturer,
        model=filled_text(system.get("Model")) or filled_text(chassis.get("Model")),
        bios_uuid=uuid_of(system.get("UUID")),
        hostname=hostname,
        fqdn=fqdn,
        power_state=power_state(system.get("PowerState")),
        cpu_cores=first_int(processors.get("CoreCount"), processors.get("Count")),
        memory_gb=number(memory.get("TotalSystemMemoryGiB")),
        power_watts=power_watts(payload),
        site=bmc.site,
        extra={key: value for key, value in extra.items() if value is not None},
    )


def serial_of(
    system: dict[str, Any], chassis: dict[str, Any], manufacturer: str | None
) -> tuple[str | None, str | None]:
    """(serial, board serial): Dell's serial is the service tag, which iDRAC reports as SKU.

    The CMDB, the warranty and the asset label all use the service tag; iDRAC's SerialNumber is
    the motherboard's, kept in `extra` as the board serial. A system without a serial (some
    blades, emulators) takes its chassis' serial.
    """
    serial = clean_serial(system.get("SerialNumber")) or clean_serial(chassis.get("SerialNumber"))
    sku = clean_serial(system.get("SKU")) or clean_serial(chassis.get("SKU"))
    if manufacturer and manufacturer.lower().startswith("dell") and sku:
        return sku, serial
    return serial, None


def power_watts(payload: SystemPayload) -> float | None:
    """PowerControl's consumed watts, else EnvironmentMetrics' PowerWatts reading."""
    for control in (payload.power or {}).get("PowerControl") or []:
        watts = number(control.get("PowerConsumedWatts"))
        if watts is not None:
            return watts
    reading = ((payload.environment or {}).get("PowerWatts") or {}).get("Reading")
    return number(reading)


def power_state(value: Any) -> PowerState | None:
    if value is None:
        return None
    return POWER_STATES.get(str(value), "unknown")


def host_names(value: str | None) -> tuple[str | None, str | None]:
    """(hostname, fqdn) from a HostName that may or may not be qualified."""
    if value is None:
        return None, None
    if "." in value:
        return value.split(".", 1)[0], value
    return value, None


def uuid_of(value: Any) -> str | None:
    uuid = filled_text(value)
    return None if uuid is None or uuid == NIL_UUID else uuid.lower()


def filled_text(value: Any) -> str | None:
    """The kit's `clean_text`, and a field nobody filled in ("Not Specified") as None too."""
    text = clean_text(value)
    return None if text is None or text.lower() in UNFILLED else text


def number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def first_int(*values: Any) -> int | None:
    for value in values:
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return value
    return None
