"""A large estate written straight into the tables, for the load benches.

Bulk inserts (COPY on PostgreSQL), not ingest: ingest's own speed is bench/ingest.py's
subject, and a million devices through it would take most of a bench's time. Deterministic
(seeded). Running this file does nothing: `make bench` runs every bench/*.py.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, Table, insert, text

from estate.models import (
    Application,
    Device,
    NetworkDevice,
    Server,
    ServerApplication,
    Site,
    Wave,
    Workload,
)
from estate.models.base import table_of

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
SITES = 40
WAVES = 20
APPLICATIONS = 400
BATCH = 20_000
STRATEGIES = ["rehost", "replatform", "refactor", "repurchase", "relocate", "retain", "retire"]
MGN = [None] * 12 + ["NOT_READY", "READY_FOR_TEST", "TESTING", "READY_FOR_CUTOVER", "CUTOVER"]
DEVICE_TYPES = ["laptop"] * 5 + ["desktop"] * 3 + ["thin-client", "tablet", "phone"]


def _write(engine: Engine, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Rows into a table: COPY on PostgreSQL, executemany INSERTs on SQLite."""
    if not rows:
        return
    columns = list(rows[0])
    if engine.dialect.name != "postgresql":
        with engine.begin() as conn:
            for start in range(0, len(rows), BATCH):
                conn.execute(insert(table), list(rows[start : start + BATCH]))
        return
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        statement = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"
        with cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row([row[c] for c in columns])
        raw.commit()
    finally:
        raw.close()


def _stamp() -> dict[str, Any]:
    return {"status": "active", "created_at": NOW, "updated_at": NOW}


def _plans(engine: Engine, rng: random.Random) -> None:
    sites = [
        {"id": i, "name": f"Site {i:02d}", "kind": "data-centre" if i <= 3 else "office"}
        for i in range(1, SITES + 1)
    ]
    start = date(2026, 1, 5)
    waves = [
        {
            "id": i,
            "name": f"Wave {i:02d}",
            "planned_start": start + timedelta(weeks=3 * i),
            "planned_end": start + timedelta(weeks=3 * i + 2),
        }
        for i in range(1, WAVES + 1)
    ]
    apps = [
        {
            "id": i,
            "name": f"Application {i:03d}",
            "owner": f"Owner {i % 37}",
            "strategy": rng.choice([*STRATEGIES, None]),
            "wave_id": rng.randint(1, WAVES) if rng.random() < 0.7 else None,
        }
        for i in range(1, APPLICATIONS + 1)
    ]
    _write(engine, table_of(Site), sites)
    _write(engine, table_of(Wave), waves)
    _write(engine, table_of(Application), apps)


def _servers(engine: Engine, rng: random.Random, count: int) -> None:
    physical = count * 3 // 10
    rows = []
    for i in range(1, count + 1):
        is_physical = i <= physical
        site = (i % SITES) + 1 if is_physical else None
        host = rng.randint(1, physical) if not is_physical else None
        rows.append(
            {
                "id": i,
                "hostname": f"nbc-srv{i:05d}",
                "name_key": f"nbc-srv{i:05d}",
                "kind": "physical" if is_physical else "virtual",
                "site_id": site if is_physical else (host % SITES) + 1,  # type: ignore[operator]
                "room": "Hall A" if is_physical else None,
                "rack": f"R{rng.randint(1, 40):02d}" if is_physical else None,
                "rack_unit": rng.randint(1, 42) if is_physical else None,
                "rack_units": rng.choice([1, 1, 2, 2, 4]) if is_physical else None,
                "power_watts": round(rng.uniform(150, 900), 1) if is_physical else None,
                "power_state": "off" if rng.random() < 0.05 else "on",
                "host_id": host,
                "mgn_lifecycle_state": rng.choice(MGN),
                "migration_status": "not-assessed",
                **_stamp(),
            }
        )
    _write(engine, table_of(Server), rows)
    links = [
        {"server_id": i, "application_id": (i % APPLICATIONS) + 1, "origin": "scan"}
        for i in range(1, count + 1)
    ]
    links += [
        {"server_id": i, "application_id": ((i * 7) % APPLICATIONS) + 1, "origin": "scan"}
        for i in range(1, count + 1, 5)
        if (i * 7) % APPLICATIONS != i % APPLICATIONS
    ]
    _write(engine, table_of(ServerApplication), links)


def _workloads(engine: Engine, rng: random.Random, count: int, servers: int) -> None:
    linked = rng.sample(range(1, servers + 1), min(count // 8, servers))
    rows = []
    for i in range(count):
        source = linked[i] if i < len(linked) else None
        rows.append(
            {
                "provider": "aws",
                "account_id": f"{100000000000 + i % 25}",
                "region": "eu-west-2",
                "resource_type": "ec2:instance",
                "resource_id": f"arn:aws:ec2:eu-west-2:{100000000000 + i % 25}:instance/i-{i:017x}",
                "name": f"wl-{i:06d}",
                "state": "running" if rng.random() < 0.9 else "stopped",
                "launched_at": NOW - timedelta(days=rng.randint(0, 400)),
                "tags": "{}",
                "facts": "{}",
                "migrated_from_server_id": source,
                **_stamp(),
            }
        )
    if engine.dialect.name != "postgresql":
        for row in rows:
            row["tags"], row["facts"] = {}, {}
    _write(engine, table_of(Workload), rows)


def _devices(engine: Engine, rng: random.Random, count: int) -> None:
    for start in range(0, count, 200_000):
        rows = [
            {
                "hostname": f"NBC-L{i:07d}",
                "name_key": f"nbc-l{i:07d}",
                "asset_tag": f"NBC-{i:07d}",
                "asset_tag_key": f"NBC-{i:07d}",
                "device_type": rng.choice(DEVICE_TYPES),
                "site_id": (i % SITES) + 1,
                "department": f"Department {i % 25:02d}",
                "replacement_explicit": False,
                **_stamp(),
            }
            for i in range(start, min(start + 200_000, count))
        ]
        _write(engine, table_of(Device), rows)


def _network(engine: Engine) -> None:
    rows = [
        {
            "name": f"ap-{s:02d}-{n:02d}",
            "name_key": f"ap-{s:02d}-{n:02d}",
            "site_id": s,
            "device_class": "wireless-ap" if n < 15 else "switch",
            **_stamp(),
        }
        for s in range(1, SITES + 1)
        for n in range(20)
    ]
    _write(engine, table_of(NetworkDevice), rows)


def build_estate(engine: Engine, servers: int, devices: int, workloads: int) -> int:
    """Write the estate; returns the id of the busiest site (for per-site requests)."""
    rng = random.Random(20261125)
    _plans(engine, rng)
    _servers(engine, rng, servers)
    _workloads(engine, rng, workloads, servers)
    _devices(engine, rng, devices)
    _network(engine)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            for table in ("sites", "waves", "applications", "servers"):
                conn.execute(
                    text(f"SELECT setval('{table}_id_seq', (SELECT max(id) FROM {table}))")
                )
        conn.execute(text("ANALYZE"))
    return 1
