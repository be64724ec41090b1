"""SNMP values -> network device records: pure, tested on the walks under tests/snmp/data."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from estate.inventory.records import NetworkDeviceRecord
from scanners.base import clean_serial, clean_text
from scanners.snmp.options import ClassRule, DeviceClass

Value = str | int

SYS_DESCR = "1.3.6.1.2.1.1.1.0"
SYS_OBJECT_ID = "1.3.6.1.2.1.1.2.0"
SYS_NAME = "1.3.6.1.2.1.1.5.0"
SYS_LOCATION = "1.3.6.1.2.1.1.6.0"
IF_NUMBER = "1.3.6.1.2.1.2.1.0"
# ENTITY-MIB entPhysicalTable columns, indexed by entPhysicalIndex.
ENT_PHYSICAL_CLASS = "1.3.6.1.2.1.47.1.1.1.1.5"
ENT_PHYSICAL_SERIAL = "1.3.6.1.2.1.47.1.1.1.1.11"
ENT_CLASS_CHASSIS = 3

SCALARS = (SYS_DESCR, SYS_OBJECT_ID, SYS_NAME, SYS_LOCATION, IF_NUMBER)
COLUMNS = (ENT_PHYSICAL_CLASS, ENT_PHYSICAL_SERIAL)


def _rule(device_class: DeviceClass, oid: str | None = None, descr: str | None = None) -> ClassRule:
    return ClassRule(device_class=device_class, sys_object_id_prefix=oid, sys_descr_pattern=descr)


# Controllers before access points ("Wireless LAN Controller" says "wireless" too), routers
# before switches (a Catalyst that routes still calls itself a switch; an ISR never does).
DEFAULT_CLASSES: tuple[ClassRule, ...] = (
    _rule(
        "wireless-controller",
        descr=r"wireless lan controller|^cisco controller\b|\bC9800\b|\bWLC\b"
        r"|mobility (controller|conductor|master)",
    ),
    # Aruba's product tree: 14823.1.1 mobility controllers, 14823.1.2 access points.
    _rule("wireless-controller", oid="1.3.6.1.4.1.14823.1.1"),
    _rule("wireless-ap", oid="1.3.6.1.4.1.14823.1.2"),
    _rule(
        "wireless-ap",
        descr=r"access point|\bAP\b|wireless|cisco ap software|\bUAP\b|unifi ap|instant on ap",
    ),
    _rule(
        "router",
        descr=r"\brouter\b|\bISR\d*\b|ISR Software|\bASR\d*\b|ASR1000|\bSRX\d*\b|\bMX\d+\b"
        r"|EdgeRouter|EdgeOS|VyOS|RouterOS",
    ),
    # HPE Aruba CX switches (47196.4.1.1) and ProCurve / ArubaOS-Switch (11.2.3.7.11).
    _rule("switch", oid="1.3.6.1.4.1.47196.4.1.1"),
    _rule("switch", oid="1.3.6.1.4.1.11.2.3.7.11"),
    _rule(
        "switch",
        descr=r"switch|\bswch\b|catalyst|procurve|ArubaOS-CX|NX-OS|nexus|\bEX\d{4}\b"
        r"|\bQFX\d*\b|EdgeSwitch|\bUSW\b",
    ),
)


@dataclass(frozen=True)
class Device:
    """Where an agent is and what its record carries: no credentials here."""

    scope: str
    address: str
    port: int = 161
    site: str | None = None

    @property
    def endpoint(self) -> str:
        return self.address if self.port == 161 else f"{self.address}:{self.port}"


def transform_device(
    values: Mapping[str, Value], device: Device, rules: Sequence[ClassRule]
) -> NetworkDeviceRecord:
    descr = clean_text(values.get(SYS_DESCR))
    object_id = clean_text(values.get(SYS_OBJECT_ID))
    return NetworkDeviceRecord(
        external_id=f"snmp:{device.endpoint}",
        scope=device.scope,
        name=clean_text(values.get(SYS_NAME)),
        sys_descr=descr,
        sys_object_id=object_id,
        location=clean_text(values.get(SYS_LOCATION)),
        serial=entity_serial(values),
        interface_count=integer(values.get(IF_NUMBER)),
        device_class=classify(object_id, descr, rules),
        management_address=device.address,
        site=device.site,
    )


def classify(object_id: str | None, descr: str | None, rules: Sequence[ClassRule]) -> DeviceClass:
    for rule in rules:
        prefix, pattern = rule.sys_object_id_prefix, rule.sys_descr_pattern
        if prefix is not None and not (
            object_id is not None and (object_id == prefix or object_id.startswith(f"{prefix}."))
        ):
            continue
        if pattern is not None and not (descr is not None and _compiled(pattern).search(descr)):
            continue
        return rule.device_class
    return "other"


@lru_cache(maxsize=256)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


def entity_serial(values: Mapping[str, Value]) -> str | None:
    """The first chassis' serial (entPhysicalClass 3), else the first serial at all; blanks and
    placeholders are no serial."""
    classes = _column(values, ENT_PHYSICAL_CLASS)
    serials = {
        index: clean_serial(value) for index, value in _column(values, ENT_PHYSICAL_SERIAL).items()
    }
    filled = [(index, serial) for index, serial in sorted(serials.items()) if serial]
    for index, serial in filled:
        if classes.get(index) == ENT_CLASS_CHASSIS:
            return serial
    return filled[0][1] if filled else None


def _column(values: Mapping[str, Value], column: str) -> dict[int, Value]:
    prefix = f"{column}."
    return {
        int(oid[len(prefix) :]): value
        for oid, value in values.items()
        if oid.startswith(prefix) and oid[len(prefix) :].isdigit()
    }


def integer(value: Value | None) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
