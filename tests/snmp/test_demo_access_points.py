"""The demo's Civic Centre Wi-Fi (examples/demo/snmp): snmpsim serves each recording on loopback
and the snmp scanner reads them, as `estate demo` is to."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from estate.config import Settings, SourceConfig
from estate.inventory.records import NetworkDeviceRecord, Problem, ScopeEnd
from scanners.registry import scanner_for
from tests.peers import free_port
from tests.snmp.conftest import _responder, _wait

WALKS = Path(__file__).resolve().parents[2] / "examples" / "demo" / "snmp"


@pytest.fixture(scope="module")
def demo_agents(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, int]]:
    root = tmp_path_factory.mktemp("demo-snmpsim")
    ports = {walk.stem: free_port() for walk in sorted(WALKS.glob("*.snmprec"))}
    args = [_responder(), f"--cache-dir={root / 'cache'}", f"--logging-method=file:{root / 'log'}"]
    for name, port in ports.items():
        (root / name).mkdir()
        shutil.copyfile(WALKS / f"{name}.snmprec", root / name / "public.snmprec")
        # One engine per recording: each option group after --v3-engine-id is its own agent.
        args += ["--v3-engine-id=auto", f"--data-dir={root / name}"]
        args += [f"--agent-udpv4-endpoint=127.0.0.1:{port}"]
    # As tests/snmp/conftest.py: snmpsim runs as any user, and as root only when told.
    env = {**os.environ, "SNMPSIM_ALLOW_ROOT": "true"}
    with (root / "stdout").open("wb") as out:
        process = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, env=env)
    try:
        _wait(process, list(ports.values()), root / "stdout")
        yield ports
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_the_civic_centre_access_points_and_their_controller(
    settings: Settings, demo_agents: dict[str, int]
) -> None:
    targets = [
        {"name": name, "address": "127.0.0.1", "port": port, "site": "Civic Centre"}
        for name, port in demo_agents.items()
    ]
    source = SourceConfig(name="wifi", kind="snmp", options={"targets": targets})

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
