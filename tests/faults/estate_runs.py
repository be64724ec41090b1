"""Running the real `estate` command against a fault, and reading what it left behind."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, func, select, text
from sqlmodel import Session, col

from estate.config.loading import load_settings
from estate.models import Device, Observation, ScanRun
from scanners.runner import run_source
from tests.devices.graph_peer import CLIENT_ID, SECRET, TENANT
from tests.e2e.conftest import ESTATE
from tests.faults.held_graph import PAGE, HeldGraph

SECRET_ENV = "ESTATE_TEST_GRAPH_SECRET"


def write_config(folder: Path, url: str, graph: HeldGraph, more: str = "") -> Path:
    """estate.toml for the database at `url` with one Intune source, `devices`, on the peer:
    batches of one page, a heartbeat every second; `more` adds sections."""
    path = folder / "estate.toml"
    path.write_text(
        f'[database]\nurl = "{url}"\nlock_timeout_seconds = 5\n\n'
        f"[ingest]\nbatch_size = {PAGE}\nheartbeat_seconds = 1\n\n"
        f'[[sources]]\nname = "devices"\nkind = "intune"\n[sources.options]\n'
        f'tenant_id = "{TENANT}"\nclient_id = "{CLIENT_ID}"\nclient_secret_env = "{SECRET_ENV}"\n'
        f'graph_url = "{graph.base_url}"\nauthority_url = "{graph.base_url}"\n'
        f"timeout_seconds = 90\nmax_retries = 0\n{more}"
    )
    return path


def estate(
    config: Path, *args: str, check_exit: int | None = 0
) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [ESTATE, "--config", str(config), *args],
        capture_output=True,
        text=True,
        timeout=90,
        env={**os.environ, SECRET_ENV: SECRET},
    )
    if check_exit is not None:
        assert done.returncode == check_exit, done.stdout + done.stderr
    return done


def scan_here(config: Path, engine: Engine) -> ScanRun:
    """A scan of `devices` in this process, through the real runner: what a test sets up with,
    a second or two quicker than starting the command (the secret: conftest's graph_secret)."""
    return run_source(engine, load_settings(config), "devices")


def start_scan(config: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [ESTATE, "--config", str(config), "scan", "devices"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, SECRET_ENV: SECRET},
    )


def kill_mid_scan(config: Path, graph: HeldGraph, engine: Engine, page: int = 3) -> int:
    """Start a scan, hold it at `page` while it is writing, kill it (SIGKILL); its pid."""
    graph.hold(page)
    scan = start_scan(config)
    try:
        graph.wait_reached()
        assert writing(engine), "the scan held mid-way should be in its write transaction"
    finally:
        scan.send_signal(signal.SIGKILL)
        scan.communicate(timeout=30)
        graph.release.set()
    assert scan.returncode == -signal.SIGKILL
    return scan.pid


def writing(engine: Engine) -> bool:
    """Whether a scan is in its work's transaction now, having written observations."""
    if engine.dialect.name == "sqlite":
        # The run holds SQLite's write lock from its first write to its commit.
        probe = sqlite3.connect(str(engine.url.database), timeout=0)
        try:
            probe.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            return "locked" in str(exc)
        finally:
            probe.close()
        return False
    holders = text(
        "SELECT count(*) FROM pg_locks source JOIN pg_locks rows ON rows.pid = source.pid"
        " WHERE source.locktype = 'advisory' AND source.granted"
        " AND rows.relation = 'observations'::regclass AND rows.mode = 'RowExclusiveLock'"
    )
    with engine.connect() as connection:
        return bool(connection.execute(holders).scalar_one() == 1)


@dataclass(frozen=True)
class Inventory:
    """What a fault must not change: the devices and observations, and what is missing."""

    devices: int
    observations: int
    distinct_observations: int
    missing: int
    seen_by_runs: tuple[int, ...]


def inventory(engine: Engine) -> Inventory:
    observation = col(Observation.id)
    key = col(Observation.source) + ":" + col(Observation.external_id)
    with Session(engine) as session:
        devices, observations, distinct, missing = session.execute(
            select(
                select(func.count(col(Device.id))).scalar_subquery(),
                func.count(observation),
                func.count(func.distinct(key)),
                func.count(observation).filter(col(Observation.missing_since).is_not(None)),
            )
        ).one()
        seen_by = session.execute(
            select(col(Observation.last_run_id)).distinct().order_by(col(Observation.last_run_id))
        ).scalars()
        return Inventory(
            devices, observations, distinct, missing, tuple(r for r in seen_by if r is not None)
        )


def runs(engine: Engine) -> list[tuple[int, str, str | None]]:
    """Every scan run: id, status and its first problem's reason."""
    with Session(engine) as session:
        found = session.execute(select(ScanRun).order_by(col(ScanRun.id))).scalars()
        return [
            (r.id or 0, str(r.status), r.errors[0]["reason"] if r.errors else None) for r in found
        ]


def ended(pid: int) -> str:
    """How the reason of a run ends whose process, on this host, is gone."""
    return f"; its process (pid {pid} on {socket.gethostname()}) has ended"


def one_line(output: str) -> str:
    """The only line of a command's error output, which must hold no traceback."""
    assert "Traceback" not in output, output
    lines = output.strip().splitlines()
    assert len(lines) == 1, output
    return lines[0]
