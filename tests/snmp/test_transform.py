"""SNMP values -> network device records, on the recorded walks (no I/O here)."""

from __future__ import annotations

import pytest

from scanners.snmp.options import ClassRule
from scanners.snmp.transform import (
    DEFAULT_CLASSES,
    Device,
    classify,
    entity_serial,
    transform_device,
)
from tests.snmp.walks import read_walk

DEVICE = Device(scope="core-sw1", address="10.30.0.2", site="Civic Centre")
ENT = "1.3.6.1.2.1.47.1.1.1.1"


def test_a_catalyst_switch_stack() -> None:
    record = transform_device(read_walk("cisco-catalyst-9300"), DEVICE, DEFAULT_CLASSES)

    assert record.model_dump(exclude={"sys_descr"}) == {
        "external_id": "snmp:10.30.0.2",
        "scope": "core-sw1",
        "match_only": False,
        "readings_unread": (),
        "extra": {},
        "name": "civic-centre-core-sw1",
        "sys_object_id": "1.3.6.1.4.1.9.1.2494",
        "location": "Civic Centre, Floor 2 Comms Room, Rack B3",
        # The stack (entity 1) has no serial; the first chassis (1000) has.
        "serial": "FOC2233X0AB",
        "interface_count": 27,
        "device_class": "switch",
        "management_address": "10.30.0.2",
        "site": "Civic Centre",
    }
    assert record.sys_descr is not None
    assert record.sys_descr.startswith("Cisco IOS Software [Amsterdam], Catalyst L3 Switch")
    assert record.sys_descr.endswith("Compiled Tue 20-Jul-21 04:59 by mcpre")


@pytest.mark.parametrize(
    ("walk", "name", "serial", "interfaces", "device_class"),
    [
        ("cisco-isr-4331", "depot-wan-rtr1", "FDO21520ABC", 6, "router"),
        ("aruba-ap-515", "lib-central-ap-02", None, 5, "wireless-ap"),
        ("cisco-wlc-3504", "civic-centre-wlc1", "FCW2234L0AB", 6, "wireless-controller"),
        ("apc-ups-smart-3000", "depot-ups1", None, 2, "other"),
    ],
)
def test_each_recorded_device(
    walk: str, name: str, serial: str | None, interfaces: int, device_class: str
) -> None:
    record = transform_device(read_walk(walk), DEVICE, DEFAULT_CLASSES)

    assert (record.name, record.serial, record.interface_count, record.device_class) == (
        name,
        serial,
        interfaces,
        device_class,
    )


def test_a_non_standard_port_is_part_of_the_identity() -> None:
    device = Device(scope="sim", address="127.0.0.1", port=16101)

    record = transform_device(read_walk("cisco-isr-4331"), device, DEFAULT_CLASSES)

    assert (record.external_id, record.management_address) == ("snmp:127.0.0.1:16101", "127.0.0.1")


def test_an_agent_that_says_nothing_gives_an_empty_record() -> None:
    record = transform_device({}, DEVICE, DEFAULT_CLASSES)

    assert record.model_dump(exclude_none=True) == {
        "external_id": "snmp:10.30.0.2",
        "scope": "core-sw1",
        "match_only": False,
        "readings_unread": (),
        "extra": {},
        "device_class": "other",
        "management_address": "10.30.0.2",
        "site": "Civic Centre",
    }


def test_without_a_chassis_the_first_serial_serves() -> None:
    values: dict[str, str | int] = {
        f"{ENT}.5.2": 9,
        f"{ENT}.11.2": "MOD-2",
        f"{ENT}.5.10": 3,
        f"{ENT}.11.10": " ",
        f"{ENT}.5.3": 6,
        f"{ENT}.11.3": "PSU-3",
    }

    assert entity_serial(values) == "MOD-2"


CLASSIFIED = [
    ("wireless-controller", None, "Cisco IOS Software [Bengaluru], C9800 Software"),
    ("wireless-controller", "1.3.6.1.4.1.14823.1.1.36", "ArubaOS (MODEL: Aruba7010-US)"),
    ("wireless-ap", None, "Cisco AP Software, ap1g7-k9w8 Version: 17.3.4.30"),
    ("wireless-ap", None, "UAP-AC-Pro-Gen2 6.5.62.14788"),
    ("router", None, "Juniper Networks, Inc. srx340 internet router, kernel JUNOS 21.2R3"),
    ("router", None, "Cisco IOS XE Software, ASR1000 Software (X86_64_LINUX_IOSD)"),
    ("switch", None, "HP J9772A 2530-48G-PoEP Switch, revision YA.16.10.0009"),
    ("switch", None, "Aruba JL659A 6300M 48SR5 CL6 PoE 4SFP56 Swch FL.10.10.1030"),
    ("switch", "1.3.6.1.4.1.47196.4.1.1.1.206", "FL.10.10.1030"),
    ("switch", None, "Juniper Networks, Inc. ex2300-48p Ethernet Switch, kernel JUNOS"),
    ("other", "1.3.6.1.4.1.318.1.3.27", None),
    ("other", None, None),
]


@pytest.mark.parametrize(("expected", "object_id", "descr"), CLASSIFIED)
def test_default_classes(expected: str, object_id: str | None, descr: str | None) -> None:
    assert classify(object_id, descr, DEFAULT_CLASSES) == expected


def test_configured_rules_come_before_the_defaults() -> None:
    ups = ClassRule(device_class="other", sys_object_id_prefix="1.3.6.1.4.1.318")
    edge = ClassRule(device_class="router", sys_descr_pattern=r"^Ubiquiti EdgeSwitch")
    both = ClassRule(
        device_class="switch", sys_object_id_prefix="1.3.6.1.4.1.9", sys_descr_pattern="IE-"
    )
    rules = (ups, edge, both, *DEFAULT_CLASSES)

    assert classify("1.3.6.1.4.1.318.1.3.27", "Smart Switch UPS", rules) == "other"
    assert classify(None, "ubiquiti edgeswitch 24", rules) == "router"
    assert classify("1.3.6.1.4.1.9.1.2000", "Cisco IE-3300 Router", rules) == "switch"
    # A prefix must match whole arcs: .9 is not .90.
    assert classify("1.3.6.1.4.1.90.1", "IE-100 Router", rules) == "router"
