"""End to end: a CMDB export and a BMC describe the same server; one row, two sources.

The CMDB's records go straight through `run_scan`; the redfish source runs through
`run_source` against the static iDRAC peer.
"""

from __future__ import annotations

from sqlalchemy import Engine, select
from sqlmodel import Session, col

from estate.config import Settings, SourceConfig
from estate.inventory.ingest import run_scan
from estate.inventory.records import Event, ScopeEnd, ServerRecord
from estate.models import Observation, Server, Site
from estate.status import RunStatus
from scanners.runner import run_source
from tests.redfish.conftest import USERNAME, Peer

CMDB = SourceConfig(name="cmdb", kind="cmdb", options={"path": "servers.csv", "entity": "server"})


def cmdb_export() -> list[Event]:
    """What the council's CMDB says: its own model name and the nameplate watts."""
    return [
        ServerRecord(
            external_id="CIV-ESX-01",
            scope="servers.csv",
            hostname="CIV-ESX-01",
            serial="7xj4r53",
            model="R750",
            rack="B3",
            site="Civic Centre",
            power_watts=1400.0,
        ),
        ScopeEnd(scope="servers.csv", complete=True),
    ]


def with_redfish(settings: Settings, address: str) -> Settings:
    options = {
        "username": USERNAME,
        "password_env": "TEST_BMC_PASSWORD",
        "bmcs": [{"name": "idrac-civ-01", "address": address, "group": "civic"}],
        "groups": {"civic": "Civic Centre"},
        "retries": 0,
    }
    redfish = SourceConfig(name="bmcs", kind="redfish", options=options)
    return settings.model_copy(update={"sources": [CMDB, redfish]})


def test_redfish_serial_model_and_watts_land_on_the_cmdb_server(
    engine: Engine, settings: Settings, bmc_password: str, dell_bmc: Peer
) -> None:
    settings = with_redfish(settings, dell_bmc.url)
    assert run_scan(engine, settings, CMDB, cmdb_export()).status == RunStatus.OK

    run = run_source(engine, settings, "bmcs")

    assert (run.status, run.scopes, run.errors) == (RunStatus.OK, {"idrac-civ-01": True}, [])
    with Session(engine) as session:
        [server] = session.execute(select(Server)).scalars().all()
        site = session.get(Site, server.site_id)
        sources = session.execute(
            select(col(Observation.source))
            .where(col(Observation.entity_id) == server.id)
            .order_by(col(Observation.source))
        )
        assert list(sources.scalars()) == ["bmcs", "cmdb"]
    assert (server.serial, server.model, server.power_watts) == ("7XJ4R53", "PowerEdge R750", 312.0)
    assert (server.rack, server.cpu_cores, server.manufacturer) == ("B3", 56, "Dell Inc.")
    assert site is not None and site.name == "Civic Centre"


def test_a_bmc_that_cannot_be_reached_marks_nothing_missing(
    engine: Engine, settings: Settings, bmc_password: str, dell_bmc: Peer, unused_port: int
) -> None:
    assert run_source(engine, with_redfish(settings, dell_bmc.url), "bmcs").status == RunStatus.OK
    down = f"http://127.0.0.1:{unused_port}"

    run = run_source(engine, with_redfish(settings, down), "bmcs")

    # Its only scope failed: the run failed, and what the BMC reported before is kept.
    assert (run.status, run.scopes) == (RunStatus.FAILED, {"idrac-civ-01": False})
    [error] = run.errors
    assert (error["scope"], error["target"]) == ("idrac-civ-01", down)
    with Session(engine) as session:
        missing = session.execute(
            select(col(Observation.external_id)).where(col(Observation.missing_since).is_not(None))
        )
        assert list(missing.scalars()) == []
