"""The demo's Civic Centre Wi-Fi (examples/demo/snmp): snmpsim serves each recording on loopback
as `estate demo` serves them, and the snmp scanner reads them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from api.cli.demo_wifi import local_wifi
from estate.config import Settings, SourceConfig
from estate.inventory.records import NetworkDeviceRecord, Problem, ScopeEnd
from scanners.registry import scanner_for
from tests.snmp.conftest import _responder

WALKS = Path(__file__).resolve().parents[2] / "examples" / "demo" / "snmp"


@pytest.fixture(scope="module")
def demo_targets() -> Iterator[list[dict[str, object]]]:
    with local_wifi(WALKS, _responder()) as agents:
        agents.ready()
        yield agents.targets


def test_the_civic_centre_access_points_and_their_controller(
    settings: Settings, demo_targets: list[dict[str, object]]
) -> None:
    source = SourceConfig(name="wifi", kind="snmp", options={"targets": demo_targets})

    events = list(scanner_for(source, settings).collect())

    assert [e for e in events if isinstance(e, Problem)] == []
    assert {e.complete for e in events if isinstance(e, ScopeEnd)} == {True}
    found = sorted(
        (r.name, r.device_class, r.site, r.serial, r.interface_count)
        for r in events
        if isinstance(r, NetworkDeviceRecord)
    )
    aps = [f for f in found if f[1] == "wireless-ap"]
    assert len(aps) == 9
    assert {(f[2], f[4]) for f in aps} == {("Civic Centre", 5)}
    assert aps[0][:4] == ("civ-ap-1-01", "wireless-ap", "Civic Centre", "CNM9K2Q0B1")
    assert [f for f in found if f[1] != "wireless-ap"] == [
        ("civ-mc-01", "wireless-controller", "Civic Centre", "CNK7H1P0Z9", 16)
    ]
