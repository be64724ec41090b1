"""vCenter scan of 1,000 VMs (vcsim, 8 hosts): the PropertyCollector against reading each VM's
properties one by one, in the same run, against the same simulator.

The scanner's way is `VcenterScanner.collect()`: one ContainerView and RetrievePropertiesEx
pages of 500 objects. The baseline is the way pyVmomi makes easy: list the view, then read
each object's properties through its attributes (`vm.config`, `vm.runtime`, ...), each one a
request; its payloads go through the same transforms, and both must give the same records.
Both round-trip counts are printed and written. Target: the scanner in <= 0.1x the time.

    .venv/bin/python bench/vcenter_scan.py
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from common import Result, write_results

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the vcsim peer lives with the tests

from pyVmomi import vim  # noqa: E402

from estate.config import Settings, SourceConfig  # noqa: E402
from estate.inventory.records import Event, ServerRecord  # noqa: E402
from scanners.vcenter import VcenterOptions, VcenterScanner  # noqa: E402
from scanners.vcenter.collect import (  # noqa: E402
    CONTAINER_PROPERTIES,
    HOST_PROPERTIES,
    VM_PROPERTIES,
)
from scanners.vcenter.connect import Connection, connect, disconnect  # noqa: E402
from scanners.vcenter.payload import Fetched, plain  # noqa: E402
from scanners.vcenter.transform import (  # noqa: E402
    Inventory,
    Placement,
    transform_hosts,
    transform_vms,
)
from tests.vcenter.helpers import vcenter_options  # noqa: E402
from tests.vcenter.peer import LARGE, PASSWORD, start_vcsim  # noqa: E402

PASSWORD_ENV = "ESTATE_BENCH_VCENTER_PASSWORD"
RUNS = 3
TARGET_RATIO = 0.1


def one_by_one(obj: Any, paths: tuple[str, ...]) -> Fetched:
    """Each top-level property read once through pyVmomi's accessor: one request each."""
    read: dict[str, Any] = {}
    props: dict[str, Any] = {}
    for path in paths:
        top, *rest = path.split(".")
        if top not in read:
            read[top] = getattr(obj, top)
        value = read[top]
        for name in rest:
            value = getattr(value, name, None) if value is not None else None
        if value is not None:
            props[path] = plain(value)
    return Fetched(ref=obj._moId, type=obj._wsdlName, props=props)


def baseline_events(connection: Connection, placement: Placement) -> Iterator[Event]:
    content = connection.content
    view = content.viewManager.CreateContainerView(content.rootFolder, [vim.ManagedEntity], True)
    try:
        objects = list(view.view)
    finally:
        view.DestroyView()
    kinds = {"HostSystem": HOST_PROPERTIES, "VirtualMachine": VM_PROPERTIES}
    containers = {"Datacenter", "Folder", "ComputeResource", "ClusterComputeResource"}
    fetched = [
        one_by_one(obj, kinds.get(obj._wsdlName, CONTAINER_PROPERTIES))
        for obj in objects
        if obj._wsdlName in kinds or obj._wsdlName in containers
    ]
    fields = Fetched(
        "fields", "CustomFieldsManager", {"field": plain(content.customFieldsManager.field)}
    )
    inventory = Inventory.build([*fetched, fields])
    yield from transform_hosts(inventory, placement)
    yield from transform_vms(
        [f for f in fetched if f.type == "VirtualMachine"], inventory, placement
    )


def run_scanner(options: VcenterOptions) -> tuple[float, int, list[Event]]:
    scanner = VcenterScanner(SourceConfig(name="bench", kind="vcenter"), options, Settings())
    started = time.perf_counter()
    events = list(scanner.collect())
    return time.perf_counter() - started, scanner.round_trips, events


def run_baseline(options: VcenterOptions) -> tuple[float, int, list[Event]]:
    started = time.perf_counter()
    connection = connect(options, PASSWORD, None)
    try:
        events = list(baseline_events(connection, Placement(scope=options.host)))
    finally:
        disconnect(connection)
    return time.perf_counter() - started, connection.round_trips, events


def records(events: list[Event]) -> dict[str, ServerRecord]:
    return {e.external_id: e for e in events if isinstance(e, ServerRecord)}


def main() -> None:
    os.environ[PASSWORD_ENV] = PASSWORD
    peer = start_vcsim(*LARGE)
    try:
        options = VcenterOptions(**vcenter_options(peer, password_env=PASSWORD_ENV))
        scans = [run_scanner(options) for _ in range(RUNS)]
        baseline_seconds, baseline_trips, baseline = run_baseline(options)
    finally:
        peer.stop()
    seconds, trips, events = min(scans, key=lambda scan: scan[0])
    found = records(events)
    vms = sum(1 for r in found.values() if r.kind == "virtual")
    assert vms == 1000, f"expected 1,000 VMs, read {vms}"
    assert found == records(baseline), "the two ways read different records"
    print(f"round trips: PropertyCollector {trips}, one by one {baseline_trips}")
    ratio = seconds / baseline_seconds
    write_results(
        "vcenter_scan",
        [
            Result(
                "scan 1,000 VMs + 8 hosts (PropertyCollector, best of 3)",
                round(seconds, 3),
                "s",
                round(baseline_seconds, 3),
                f"<= {TARGET_RATIO}x one-by-one",
                ratio <= TARGET_RATIO,
            ),
            Result(
                "round trips (PropertyCollector vs one by one)", trips, "requests", baseline_trips
            ),
        ],
    )


if __name__ == "__main__":
    main()
