"""A peer side by side: the same 10,000 servers loaded into Nautobot and into estate, then
reloaded unchanged; rows/s of each and estate's ratio to Nautobot.

The rows (hostname, serial, manufacturer, model, site, rack) are written once as a CMDB CSV;
both sides read that file.
- estate: its CMDB scanner and ingest (`scanners.runner.run_source`, what `estate scan` runs)
  into a fresh, migrated PostgreSQL database, first load then an unchanged reload.
- Nautobot (bench/nautobot_peer.py: its own venv, database, Redis and uWSGI): the REST API in
  bulk, as its docs describe: list POSTs of the site type, sites, manufacturers, device types,
  role and racks, then of the devices in batches. Nautobot has no upsert, so an unchanged
  reload is timed two ways: (a) look up every object (paged GETs) and bulk PATCH every device
  with its id and the same fields (the load a sync tool does); (b) look up and compare on the
  client, writing nothing (the floor for any client of the API; estate does its diff itself).
The client is sequential (one request in flight) against one uWSGI worker, as estate's scan
is one process. Migrating Nautobot's empty database is setup, reported but not in the rates.
Not in `make bench`; `make bench-peer` installs Nautobot and runs it.

    .venv/bin/python bench/peer_nautobot.py [--rows N] [--batch N] [--nautobot-venv DIR]
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from common import Result, fresh_database, write_results
from nautobot_api import Loader, first_load, reload_diff, reload_patch
from nautobot_peer import DEFAULT_VENV, check_needs, running_nautobot

from estate.config import DatabaseSettings, Settings, SourceConfig
from estate.db import make_engine
from estate.db.schema import upgrade
from estate.models import ScanRun
from estate.status import RunStatus
from scanners.runner import run_source

HEADER = ["Server Name", "Serial Number", "Manufacturer", "Model", "Location", "Rack"]
SITES = ("Town Hall", "Civic Centre", "Depot North", "Library Central", "Leisure Park")
RACKS_PER_SITE = 20
HARDWARE = (
    ("Dell", "PowerEdge R640"),
    ("Dell", "PowerEdge R750"),
    ("HPE", "ProLiant DL380 Gen10"),
    ("HPE", "ProLiant DL360 Gen11"),
    ("Lenovo", "ThinkSystem SR650"),
)
T = TypeVar("T")


def server_row(i: int) -> list[str]:
    manufacturer, model = HARDWARE[i % len(HARDWARE)]
    site = SITES[i % len(SITES)]
    rack = f"{site[:3].upper()}-R{(i // len(SITES)) % RACKS_PER_SITE + 1:02d}"
    serial = f"{manufacturer[:2].upper()}{(i * 2654435761) % 10**10:010d}"
    return [f"srv-{i:06d}", serial, manufacturer, model, site, rack]


def write_csv(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(server_row(i) for i in range(rows))


def timed(action: Callable[[], T]) -> tuple[float, T]:
    started = time.perf_counter()
    value = action()
    return time.perf_counter() - started, value


# --- estate ----------------------------------------------------------------------------------


def check_run(run: ScanRun, added: int, unchanged: int) -> None:
    counts = (run.status, run.added, run.changed, run.unchanged, run.missing, run.errors)
    assert counts == (RunStatus.OK, added, 0, unchanged, 0, []), counts


def estate_loads(csv_path: Path, rows: int) -> tuple[float, float]:
    """Seconds of estate's first scan of the file and of its unchanged rescan."""
    source = SourceConfig(
        name="cmdb", kind="cmdb", options={"path": csv_path.name, "entity": "server"}
    )
    with fresh_database("postgresql", str(csv_path.parent)) as url:
        settings = Settings(
            config_path=csv_path.parent / "estate.toml",
            database=DatabaseSettings(url=url),
            sources=[source],
        )
        engine = make_engine(url)
        try:
            upgrade(engine)
            first, run = timed(lambda: run_source(engine, settings, "cmdb"))
            check_run(run, added=rows, unchanged=0)
            again, run = timed(lambda: run_source(engine, settings, "cmdb"))
            check_run(run, added=0, unchanged=rows)
        finally:
            engine.dispose()
    return first, again


# --- the figures -----------------------------------------------------------------------------


def rate(rows: int, seconds: float) -> float:
    return round(rows / seconds, 1)


def results(
    rows: int, estate: tuple[float, float], peer: dict[str, Any], load: tuple[float, float]
) -> list[Result]:
    first, again = estate
    label = f"{rows:,} servers"
    vs = "estate CMDB scan vs Nautobot REST"
    return [
        Result(
            f"{label}, first load: {vs} bulk POST (rows/s)",
            rate(rows, first),
            "rows/s",
            rate(rows, peer["first_s"]),
        ),
        Result(
            f"{label}, unchanged reload: {vs} lookup + bulk PATCH of every row (rows/s)",
            rate(rows, again),
            "rows/s",
            rate(rows, peer["patch_s"]),
        ),
        Result(
            f"{label}, unchanged reload: {vs} lookup + client-side diff, no writes (rows/s)",
            rate(rows, again),
            "rows/s",
            rate(rows, peer["diff_s"]),
        ),
        Result("Nautobot requests, first load", peer["first_requests"], "requests"),
        Result("Nautobot requests, reload with PATCH", peer["patch_requests"], "requests"),
        Result(
            "Nautobot change-log rows written by the unchanged PATCH reload (estate: 0)",
            peer["patch_changes"],
            "rows",
        ),
        Result(
            f"Nautobot {peer['version']}: migrate an empty database (setup)", peer["migrate_s"], "s"
        ),
        Result("load average (1 min) before the run, 2 cores", load[0], "load"),
        Result("load average (1 min) after the run, 2 cores", load[1], "load"),
    ]


def nautobot_loads(
    csv_path: Path, venv: Path, workdir: Path, batch: int, workers: int
) -> dict[str, Any]:
    with running_nautobot(venv, workdir, workers) as nautobot, nautobot.client() as client:
        loader = Loader(client, batch)
        rows = read_rows(csv_path)
        print(f"Nautobot {nautobot.version} up at {nautobot.url}; loading {len(rows):,} devices")
        first, _ = timed(lambda: first_load(loader, rows))
        first_requests = loader.take_requests()
        changes_before = loader.count("/api/extras/object-changes/")
        patch, _ = timed(lambda: reload_patch(loader, rows))
        patch_requests = loader.take_requests()
        patch_changes = loader.count("/api/extras/object-changes/") - changes_before
        diff, changed = timed(lambda: reload_diff(loader, rows))
        assert changed == 0, f"{changed} devices differ after an unchanged reload"
        return {
            "version": nautobot.version,
            "migrate_s": round(nautobot.migrate_seconds, 1),
            "first_s": first,
            "patch_s": patch,
            "diff_s": diff,
            "first_requests": first_requests,
            "patch_requests": patch_requests,
            "patch_changes": patch_changes,
        }


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=500, help="devices per bulk request")
    parser.add_argument("--workers", type=int, default=1, help="Nautobot uWSGI processes")
    parser.add_argument("--nautobot-venv", type=Path, default=DEFAULT_VENV)
    args = parser.parse_args()
    check_needs(args.nautobot_venv)
    load = round(os.getloadavg()[0], 2)
    workdir = Path(tempfile.mkdtemp(prefix="estate-bench-peer-"))
    try:
        csv_path = workdir / "servers.csv"
        write_csv(csv_path, args.rows)
        print(f"load average {load}; estate: scanning {args.rows:,} servers twice")
        estate = estate_loads(csv_path, args.rows)
        peer = nautobot_loads(csv_path, args.nautobot_venv, workdir, args.batch, args.workers)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    write_results(
        "peer_nautobot", results(args.rows, estate, peer, (load, round(os.getloadavg()[0], 2)))
    )


if __name__ == "__main__":
    main()
