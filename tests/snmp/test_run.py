"""End to end: an snmp source run through `run_source` into network_devices."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, select
from sqlmodel import Session, col

from estate.config import Settings, SourceConfig
from estate.models import NetworkDevice, Observation, Site
from estate.status import RunStatus
from scanners.runner import run_source
from tests.peers import free_port
from tests.snmp.conftest import Agents

SITES = {
    "cisco-catalyst-9300": "Civic Centre",
    "cisco-isr-4331": "Highways Depot",
    "aruba-ap-515": "Central Library",
    "cisco-wlc-3504": "Civic Centre",
    "apc-ups-smart-3000": "Highways Depot",
}


def with_snmp(settings: Settings, targets: list[dict[str, Any]]) -> Settings:
    options = {"community_env": "TEST_SNMP_COMMUNITY", "timeout_seconds": 0.5, "retries": 0}
    source = SourceConfig(name="network", kind="snmp", options={**options, "targets": targets})
    return settings.model_copy(update={"sources": [source]})


def targets(agents: Agents, down: str | None = None) -> list[dict[str, Any]]:
    """Every simulated agent on its site; `down` is pointed at a port nobody answers."""
    return [
        {
            "name": walk,
            "address": "127.0.0.1",
            "port": free_port() if walk == down else agents.ports[walk],
            "site": site,
        }
        for walk, site in SITES.items()
    ]


def devices(engine: Engine) -> dict[str | None, tuple[str | None, str | None]]:
    with Session(engine) as session:
        rows = session.execute(
            select(col(NetworkDevice.name), col(NetworkDevice.device_class), col(Site.name)).join(
                Site, col(Site.id) == col(NetworkDevice.site_id), isouter=True
            )
        )
        return {name: (device_class, site) for name, device_class, site in rows}


def test_each_simulated_device_is_recorded_with_class_and_site(
    engine: Engine, settings: Settings, agents: Agents, snmp_secrets: None
) -> None:
    run = run_source(engine, with_snmp(settings, targets(agents)), "network")

    assert (run.status, run.errors, run.added) == (RunStatus.OK, [], 5)
    assert devices(engine) == {
        "civic-centre-core-sw1": ("switch", "Civic Centre"),
        "depot-wan-rtr1": ("router", "Highways Depot"),
        "lib-central-ap-02": ("wireless-ap", "Central Library"),
        "civic-centre-wlc1": ("wireless-controller", "Civic Centre"),
        "depot-ups1": ("other", "Highways Depot"),
    }


def test_an_unreachable_agent_fails_its_scope_and_stays_unmissed(
    engine: Engine, settings: Settings, agents: Agents, snmp_secrets: None
) -> None:
    assert run_source(engine, with_snmp(settings, targets(agents)), "network").status == "ok"

    run = run_source(engine, with_snmp(settings, targets(agents, down="aruba-ap-515")), "network")

    assert run.status == RunStatus.PARTIAL
    assert run.scopes == {walk: walk != "aruba-ap-515" for walk in SITES}
    [error] = run.errors
    assert (error["scope"], error["target"].startswith("127.0.0.1:")) == ("aruba-ap-515", True)
    with Session(engine) as session:
        missing = session.execute(
            select(col(Observation.external_id)).where(col(Observation.missing_since).is_not(None))
        )
        assert list(missing.scalars()) == []
        gone = session.execute(
            select(col(NetworkDevice.name)).where(col(NetworkDevice.missing_since).is_not(None))
        )
        assert list(gone.scalars()) == []
