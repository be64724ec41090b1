"""A small, seeded estate for comparing list answers: sites, waves, applications, servers
(physical hosts and VMs), workloads (some migrated from servers, with outcomes) and devices
(with replacement dates and reasons worked out by the device refresh).

Dates are chosen far from any day the tests run on (purchases before 2020 or after 2025), so
`due=true` answers the same for years; timestamps are fixed.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, insert
from sqlmodel import Session

from estate.config import ReplacementSettings, Settings
from estate.devices.policy import Policy
from estate.devices.store import refresh_replacement
from estate.migration import statuses
from estate.models import (
    Application,
    Device,
    Server,
    ServerApplication,
    Site,
    Wave,
    Workload,
)

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
REFRESHED_ON = date(2026, 12, 1)
STAMP = {"created_at": NOW, "updated_at": NOW}
TYPES = ["laptop", "laptop", "desktop", "thin-client", "tablet", "phone"]
OSES = [("Windows", "10.0.19045.5131"), ("Windows", "10.0.26100.2314"), ("macOS", "14.5"),
        ("Ubuntu", "22.04"), ("iOS", "18.1")]  # fmt: skip
CPUS = [None, "Intel(R) Core(TM) i5-8350U CPU @ 1.70GHz", "Intel(R) Core(TM) i5-6300U CPU"]


def _servers(rng: random.Random, count: int) -> list[dict[str, Any]]:
    physical = count // 4
    rows = []
    for i in range(1, count + 1):
        is_physical = i <= physical
        rows.append(
            {
                "id": i,
                "hostname": f"srv-{i:04d}" if i % 17 else None,
                "fqdn": f"srv-{i:04d}.corp.example" if i % 3 else None,
                "serial": f"SN{i * 7919 % 100000:05d}" if is_physical else None,
                "name_key": f"srv-{i:04d}",
                "kind": "physical" if is_physical else "virtual",
                "site_id": (i % 4) + 1 if i % 11 else None,
                "host_id": None if is_physical else rng.randint(1, physical),
                "os_name": rng.choice(["Windows Server 2019", "RHEL 8", "Ubuntu 22.04", None]),
                "rack": f"R{rng.randint(1, 9)}" if is_physical else None,
                "power_watts": round(rng.uniform(150, 900), 1) if is_physical else None,
                "power_state": "off" if i % 13 == 0 else "on",
                "cpu_cores": rng.choice([2, 4, 8, None]),
                "memory_gb": rng.choice([4.0, 16.0, 64.0, None]),
                "cpu_usage_percent": None if is_physical else round(rng.uniform(1, 90), 1),
                "memory_usage_percent": None if is_physical else round(rng.uniform(1, 90), 1),
                "wave_id": rng.choice([None, 1, 2, 3]),
                "strategy": rng.choice([None, None, "rehost", "retire", "replatform"]),
                "migration_status": "not-assessed",
                "status": "gone" if i % 19 == 0 else "active",
                **STAMP,
            }
        )
    return rows


def _workloads(rng: random.Random, count: int, servers: int) -> list[dict[str, Any]]:
    judged = [True, False, None]
    return [
        {
            "provider": "aws" if i % 5 else "azure",
            "account_id": f"1000000000{i % 4:02d}",
            "region": rng.choice(["eu-west-1", "eu-west-2"]),
            "resource_type": "ec2:instance" if i % 6 else "rds:db",
            "resource_id": f"arn:aws:ec2:eu-west-2:1:instance/i-{i:017x}",
            "name": f"wl-{i:04d}" if i % 9 else None,
            "state": "terminated" if i % 10 == 0 else rng.choice(["running", "stopped"]),
            "ended": i % 10 == 0,
            "launched_at": NOW - timedelta(days=rng.randint(0, 400)),
            "migrated_from_server_id": rng.randint(1, servers) if i % 3 == 0 else None,
            **{name: rng.choice(judged) for name in ("resilient", "flexible", "efficient")},
            **{name: rng.choice(judged) for name in ("oversized", "idle")},
            "status": "gone" if i % 23 == 0 else "active",
            **STAMP,
        }
        for i in range(count)
    ]


def _bought(rng: random.Random) -> date | None:
    if rng.random() < 0.08:
        return None
    if rng.random() < 0.5:
        return date(2015, 1, 1) + timedelta(days=rng.randrange(1800))
    return date(2025, 6, 1) + timedelta(days=rng.randrange(180))


def _devices(rng: random.Random, count: int) -> list[dict[str, Any]]:
    rows = []
    for i in range(count):
        bought = _bought(rng)
        os_name, os_version = rng.choice(OSES)
        roll = rng.random()
        rows.append(
            {
                "hostname": f"DEV-{i:05d}" if i % 13 else None,
                "name_key": f"dev-{i:05d}",
                "asset_tag": f"AT{i:05d}" if i % 7 else None,
                "serial": f"S{i * 31 % 99991:05d}",
                "device_type": rng.choice(TYPES),
                "manufacturer": rng.choice(["Dell", "HP", "Apple"]),
                "department": rng.choice([None, "Finance", "Legal", "IT", "Estates"]),
                "site_id": (i % 4) + 1 if i % 9 else None,
                "purchased_on": bought,
                "purchase_cost": round(rng.uniform(300, 1200), 2) if roll > 0.1 else None,
                "warranty_expires_on": bought + timedelta(days=1095)
                if bought and roll > 0.3
                else None,
                "os_name": os_name,
                "os_version": os_version,
                "cpu_model": rng.choice(CPUS),
                "memory_gb": rng.choice([None, 4.0, 8.0, 16.0]),
                "tpm_version": rng.choice([None, "2.0", "1.2"]),
                "last_seen_at": None,
                "replacement_override_on": date(2031, 3, 1) if roll < 0.03 else None,
                "disposed_on": date(2025, 1, 5) if 0.03 <= roll < 0.06 else None,
                "assigned_to": f"person{i % 50}@example.org",
                "status": "gone" if 0.06 <= roll < 0.1 else "active",
                **STAMP,
            }
        )
    return rows


def seed_estate(
    engine: Engine, settings: Settings, servers: int = 240, devices: int = 900, workloads: int = 300
) -> None:
    """The estate written, then the device refresh and the migration refresh run on it."""
    rng = random.Random(20261203)
    with Session(engine) as session:
        session.execute(insert(Site), [{"id": i, "name": f"Site {i}"} for i in range(1, 5)])
        session.execute(
            insert(Wave),
            [
                {"id": i, "name": f"Wave {i}", "planned_start": date(2026, 2 * i, 1)}
                for i in (1, 2, 3)
            ],
        )
        session.execute(
            insert(Application),
            [
                {
                    "id": i,
                    "name": f"App {i:02d}",
                    "strategy": rng.choice([None, "rehost", "retain"]),
                    "wave_id": rng.choice([None, 1, 2]),
                }
                for i in range(1, 21)
            ],
        )
        session.execute(insert(Server), _servers(rng, servers))
        links = [{"server_id": i, "application_id": i % 20 + 1, "origin": "scan"}
                 for i in range(1, servers + 1) if i % 8]  # fmt: skip
        session.execute(insert(ServerApplication), links)
        session.execute(insert(Workload), _workloads(rng, workloads, servers))
        session.execute(insert(Device), _devices(rng, devices))
        session.flush()
        refresh_replacement(session, Policy.from_settings(ReplacementSettings()), REFRESHED_ON)
        statuses.refresh(session, settings, now=NOW)
        session.commit()
