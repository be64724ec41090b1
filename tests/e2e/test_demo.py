"""`estate demo`: the demo estate loads through the real scanners, reconciled."""

from __future__ import annotations

import csv
from collections import defaultdict

from sqlalchemy import Engine, select
from sqlmodel import Session, col

from estate.inventory.reconcile import name_key, serial_key
from estate.models import Device, Observation, ScanRun, Server
from tests.e2e.conftest import EXAMPLES, Cli

DEMO = EXAMPLES / "demo"


def rows(name: str, delimiter: str = ",") -> list[dict[str, str]]:
    with (DEMO / name).open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f, delimiter=delimiter))


def serials(table: list[dict[str, str]], column: str) -> set[str]:
    return {k for row in table if (k := serial_key(row[column]))}


def test_the_demo_estate_is_one_row_per_server_with_both_exports_observed(
    cli: Cli, engine: Engine
) -> None:
    cmdb_rows, infra_rows = rows("cmdb-servers.csv"), rows("infra-servers.csv", ";")
    cmdb, infra = serials(cmdb_rows, "Serial Number"), serials(infra_rows, "Serial")
    infra_names = {name_key(row["Server Name"]) for row in infra_rows}
    # CMDB rows with no serial can only be matched by name; the rest stand alone.
    unmatched = [
        r
        for r in cmdb_rows
        if not serial_key(r["Serial Number"]) and name_key(r["Hostname"]) not in infra_names
    ]

    cli("demo")

    with Session(engine) as session:
        all_servers = session.execute(select(Server)).scalars().all()
        servers = {s.serial_key: s.id for s in all_servers if s.serial_key}
        sources: dict[int, set[str]] = defaultdict(set)
        query = select(Observation.entity_id, Observation.source).where(
            col(Observation.entity_kind) == "server"
        )
        for entity_id, source in session.execute(query):
            sources[entity_id].add(source)
        devices = session.execute(select(Device)).scalars().all()
    assert len(all_servers) == len(cmdb | infra) + len(unmatched)
    assert set(servers) == cmdb | infra
    assert all(sources[servers[k]] == {"cmdb-servers", "infra-servers"} for k in cmdb & infra)
    assert 3990 <= len(devices) <= 4000


def test_running_the_demo_again_leaves_the_loaded_demo_alone(cli: Cli, engine: Engine) -> None:
    cli("demo", "--no-token")
    with Session(engine) as session:
        runs = len(session.execute(select(ScanRun.id)).all())

    again = cli("demo")

    assert "the demo is already loaded" in again.stdout
    with Session(engine) as session:
        assert len(session.execute(select(ScanRun.id)).all()) == runs
