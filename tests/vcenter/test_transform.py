"""Pure transforms on recorded payloads (tests/vcenter/data):

- vcsim_default.json: recorded from vcsim's default model by tests/vcenter/record.py;
- realistic.json: shaped as a real vCenter answers: Dell, HPE and Supermicro hosts (one in
  standby by IP address, one not responding with a BIOS UUID it shares with another), VMs in
  nested folders and a vApp, a template, guest names and addresses, custom attributes, notes
  and a VM whose configuration could not be read.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from estate.inventory.records import Problem, ServerRecord
from scanners.vcenter.connect import NotVsphere, pick_api_version
from scanners.vcenter.payload import Fetched
from scanners.vcenter.transform import (
    Inventory,
    Placement,
    host_serial,
    transform_hosts,
    transform_vms,
)

DATA = Path(__file__).parent / "data"
PLACEMENT = Placement(scope="vc.council.local", sites={"Civic Centre": "Civic Centre"})


def _load(name: str) -> tuple[Inventory, list[Fetched]]:
    payload = json.loads((DATA / name).read_text())
    inventory = Inventory.build(Fetched.from_json(item) for item in payload["inventory"])
    return inventory, [Fetched.from_json(vm) for vm in payload["vms"]]


def _by_id(events: list[ServerRecord | Problem]) -> dict[str, ServerRecord]:
    return {e.external_id: e for e in events if isinstance(e, ServerRecord)}


@pytest.fixture(scope="module")
def realistic() -> tuple[Inventory, list[Fetched]]:
    return _load("realistic.json")


def test_vcsim_payload_gives_four_hosts_and_four_vms() -> None:
    inventory, vms = _load("vcsim_default.json")
    placement = Placement(scope="127.0.0.1", sites={"DC0": "Civic Centre"})

    hosts = list(transform_hosts(inventory, placement))
    servers = list(transform_vms(vms, inventory, placement))

    assert [h.hostname for h in hosts if isinstance(h, ServerRecord)] == [
        "DC0_H0",
        "DC0_C0_H0",
        "DC0_C0_H1",
        "DC0_C0_H2",
    ]
    assert all(isinstance(s, ServerRecord) for s in servers)
    vm = _by_id(servers)["vm:b4689bed-97f0-5bcd-8a4c-07477cc8f06f"]
    assert vm.hostname == "DC0_H0_VM0"
    assert (vm.cpu_cores, vm.memory_gb, vm.power_state) == (1, 0.03125, "on")
    assert vm.host == "VMware-dc f7 fb 3c 4a 1c 5a 05-b7 30 5e 09 f3 70 4e 2f"
    assert vm.site == "Civic Centre"
    assert vm.extra["cluster"] is None
    assert vm.extra["datacenter"] == "DC0"


def test_dell_host_serial_is_its_service_tag(realistic: tuple[Inventory, list[Fetched]]) -> None:
    inventory, _ = realistic

    host = _by_id(list(transform_hosts(inventory, PLACEMENT)))[
        "host:4c4c4544-0042-3510-8052-b7c04f4b4d32"
    ]

    assert host == ServerRecord(
        external_id="host:4c4c4544-0042-3510-8052-b7c04f4b4d32",
        scope="vc.council.local",
        kind="physical",
        hostname="esx01",
        fqdn="esx01.council.local",
        serial="7XK2Q93",
        bios_uuid="4c4c4544-0042-3510-8052-b7c04f4b4d32",
        manufacturer="Dell Inc.",
        model="PowerEdge R750",
        os_name="VMware ESXi",
        os_version="7.0.3",
        cpu_cores=32,
        memory_gb=512.0,
        power_state="on",
        site="Civic Centre",
        extra={
            "cluster": "Prod-Cluster",
            "connection_state": "connected",
            "datacenter": "Civic Centre",
            "esxi_build": "21930508",
            "cpu_model": "Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz",
            "cpu_packages": 2,
            "vcenter_name": "esx01.council.local",
        },
    )


def test_serial_prefers_serial_number_tag_then_system_info() -> None:
    def infos(*pairs: tuple[str, str]) -> dict[str, object]:
        return {
            "summary.hardware": {
                "otherIdentifyingInfo": [
                    {"identifierType": {"key": k}, "identifierValue": v} for k, v in pairs
                ]
            }
        }

    hpe = infos(
        ("ServiceTag", "SVC"), ("SerialNumberTag", "CZJ1"), ("EnclosureSerialNumberTag", "E")
    )
    enclosure_only = infos(("EnclosureSerialNumberTag", " ENC-9 "))
    placeholder = {**infos(("ServiceTag", "To Be Filled By O.E.M.")), "hardware.systemInfo": {}}
    system_info = {**placeholder, "hardware.systemInfo": {"serialNumber": "S1"}}

    assert [host_serial(p) for p in (hpe, enclosure_only, placeholder, system_info)] == [
        "CZJ1",
        "ENC-9",
        None,
        "S1",
    ]


def test_standalone_standby_host_by_address(realistic: tuple[Inventory, list[Fetched]]) -> None:
    inventory, _ = realistic

    hosts = _by_id(list(transform_hosts(inventory, PLACEMENT)))
    host = hosts["host:00000000-0000-0000-0000-0cc47a1b2c3d"]

    assert (host.hostname, host.fqdn, host.serial) == ("10.20.30.40", None, "S1234567X")
    assert (host.power_state, host.memory_gb, host.cpu_cores) == ("off", 256.0, 16)
    assert host.extra["cluster"] is None


def test_a_bios_uuid_seen_twice_falls_back_to_the_moref(
    realistic: tuple[Inventory, list[Fetched]],
) -> None:
    inventory, _ = realistic

    hosts = _by_id(list(transform_hosts(inventory, PLACEMENT)))

    assert sorted(hosts) == [
        "host:00000000-0000-0000-0000-0cc47a1b2c3d",
        "host:30363035-3832-5a43-4a31-323334414243",
        "host:4c4c4544-0042-3510-8052-b7c04f4b4d32",
        "host:moref:host-44",
    ]
    depot = hosts["host:moref:host-44"]
    assert (depot.power_state, depot.extra["connection_state"]) == ("unknown", "notResponding")
    assert (depot.site, depot.extra["datacenter"]) == (None, "Depot")


def test_vm_with_guest_name_addresses_and_attributes(
    realistic: tuple[Inventory, list[Fetched]],
) -> None:
    inventory, vms = realistic

    vm = _by_id(list(transform_vms(vms, inventory, PLACEMENT)))[
        "vm:5003a1b2-0000-4000-8000-000000000101"
    ]

    assert vm == ServerRecord(
        external_id="vm:5003a1b2-0000-4000-8000-000000000101",
        scope="vc.council.local",
        kind="virtual",
        hostname="web01",
        fqdn="web01.council.local",
        bios_uuid="4203a1b2-0000-4000-8000-000000000101",
        instance_uuid="5003a1b2-0000-4000-8000-000000000101",
        os_name="Microsoft Windows Server 2022 (64-bit)",
        cpu_cores=4,
        memory_gb=8.0,
        storage_gb=100.0,
        power_state="on",
        cpu_usage_percent=10.0,
        memory_usage_percent=25.0,
        host="7XK2Q93",
        site="Civic Centre",
        extra={
            "ips": ["10.1.1.10", "192.168.5.10"],
            "tools_status": "toolsOk",
            "cluster": "Prod-Cluster",
            "datacenter": "Civic Centre",
            "folder": "Production/Web",
            "notes": "Public website\nOwner: Digital",
            "custom_attributes": {"Owner": "Digital", "999": "orphan"},
            "vcenter_name": "WEB01 - public site",
        },
    )


def test_vm_without_a_usable_guest_name_is_named_by_vcenter(
    realistic: tuple[Inventory, list[Fetched]],
) -> None:
    inventory, vms = realistic

    servers = _by_id(list(transform_vms(vms, inventory, PLACEMENT)))
    db = servers["vm:5003a1b2-0000-4000-8000-000000000102"]
    hr = servers["vm:5003a1b2-0000-4000-8000-000000000103"]

    assert (db.hostname, db.fqdn, db.power_state, db.storage_gb) == ("db01", None, "off", None)
    assert (db.extra["folder"], db.extra["notes"], db.extra["ips"]) == (None, None, [])
    assert (db.os_name, db.host) == ("Microsoft Windows Server 2019 (64-bit)", "CZJ1234ABC")
    assert (hr.hostname, hr.fqdn, hr.power_state, hr.extra["folder"]) == (
        "HRAPP",
        None,
        "suspended",
        "Production",
    )


def test_vapp_vm_is_placed_by_its_host(realistic: tuple[Inventory, list[Fetched]]) -> None:
    inventory, vms = realistic

    vm = _by_id(list(transform_vms(vms, inventory, PLACEMENT)))[
        "vm:5003a1b2-0000-4000-8000-000000000105"
    ]

    assert (vm.extra["datacenter"], vm.extra["cluster"], vm.extra["folder"]) == (
        "Depot",
        "Depot-Cluster",
        None,
    )
    assert (vm.site, vm.host, vm.memory_gb) == (None, "DEPOT-ENC-1", 1.5)


def test_templates_are_skipped_and_an_unreadable_vm_is_a_problem(
    realistic: tuple[Inventory, list[Fetched]],
) -> None:
    inventory, vms = realistic

    events = list(transform_vms(vms, inventory, PLACEMENT))

    names = [e.extra["vcenter_name"] for e in events if isinstance(e, ServerRecord)]
    assert names == ["WEB01 - public site", "db01", "hr-app", "depot-vapp-db"]
    assert [e for e in events if isinstance(e, Problem)] == [
        Problem(
            scope="vc.council.local",
            reason="VM 'lost-vm' not recorded: KeyError: 'config.instanceUuid'",
            target="VirtualMachine:vm-106",
        )
    ]


VERSIONS = b"""<?xml version="1.0" encoding="UTF-8"?>
<namespaces version="1.0">
 <namespace><name>urn:vim25</name><version>%s</version>
  <priorVersions><version>6.0</version><version>5.5</version></priorVersions>
 </namespace>
</namespaces>"""


@pytest.mark.parametrize(
    ("offered", "chosen"),
    [(b"6.5", "vim.version.version11"), (b"7.0.3.0", "vim.version.v7_0_3_0")],
)
def test_api_version_is_the_newest_in_common(offered: bytes, chosen: str) -> None:
    assert pick_api_version(VERSIONS % offered) == chosen


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        (b"<html>login</html>", "no vim25 API version in common .the endpoint offers: none"),
        (b"not xml", "not XML"),
        (b"<namespaces><namespace><name>urn:vim25</name><version>1.0</version>", "not XML"),
        (
            b"<namespaces><namespace><name>urn:vim25</name><version>1.0</version><version/>"
            b"</namespace></namespaces>",
            "offers: 1.0",
        ),
    ],
)
def test_no_api_version_in_common_is_not_vsphere(document: bytes, reason: str) -> None:
    with pytest.raises(NotVsphere, match=reason):
        pick_api_version(document)


def test_quick_stats_are_use_of_what_each_running_vm_was_given(
    realistic: tuple[Inventory, list[Fetched]],
) -> None:
    inventory, vms = realistic

    found = _by_id(list(transform_vms(vms, inventory, PLACEMENT)))
    usage = {k: (r.cpu_usage_percent, r.memory_usage_percent) for k, r in found.items()}

    assert usage == {
        # 1,040 MHz of 4 vCPUs at 2,600 MHz; 2 of its 8 GB.
        "vm:5003a1b2-0000-4000-8000-000000000101": (10.0, 25.0),
        # Powered off: its zeroes say nothing of how big it should be.
        "vm:5003a1b2-0000-4000-8000-000000000102": (None, None),
        # Suspended, and no quick stats.
        "vm:5003a1b2-0000-4000-8000-000000000103": (None, None),
        # Its host's core speed: 3,900 MHz of 2 vCPUs at 2,100 MHz; all its memory.
        "vm:5003a1b2-0000-4000-8000-000000000105": (92.9, 100.0),
    }
