"""API under load: GET /api/v1/progress and GET /api/v1/sites/{id}/hosting beside GET /health,
each driven by wrk with 32 connections against `estate serve`, on SQLite and PostgreSQL.

The estate (50,000 servers, 1,000,000 devices, 100,000 workloads, their applications, waves,
sites and network devices) is written straight into the tables with bulk inserts (COPY on
PostgreSQL), not through ingest: feeding a million devices through ingest belongs to
bench/ingest.py and would take most of this bench's time. Then one full migration refresh
(timed) keeps the statuses and aggregates that the two endpoints read.

Targets: each endpoint's throughput >= 0.25x the /health throughput measured in the same run,
and its p99 latency <= 100 ms. GET /api/v1/sites/{id} is measured too: the floor of any
authenticated read (bearer token check and database session), for comparison.

Then the writes (bench/write_latency.py): 50 decommission reviews and 50 server plan changes
one after another over HTTP, each p95 <= 50 ms end to end, beside the full rebuild of the kept
aggregates that each write made before they moved by its delta; and after them the kept
aggregates must equal that full rebuild.

The server is started as a deployment starts it, `estate serve --port P --workers N`, but
without the scheduler: on a fresh database it would catch up on the missed daily refresh at
start, re-deriving every server beside the figures. /health is measured on that same server.
N is 1 unless --workers says otherwise: uvicorn's workers share one listening socket, and wrk
opens its 32 connections at once, so whichever worker wakes first often takes all of them;
figures with more workers then swing from run to run between one worker's and all of theirs.
--scale shrinks the estate (0.1: 5,000 servers) for a quick run while developing.

    .venv/bin/python bench/api_load.py [--db sqlite|postgresql] [--duration 10] [--workers 1]
        [--scale 1.0]
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from common import (
    Result,
    against_health,
    database_parser,
    free_port,
    fresh_database,
    run_on_databases,
)
from estate_builder import WAVES, build_estate
from sqlalchemy import Engine
from sqlmodel import Session

from estate.access.tokens import create_token
from estate.config import DatabaseSettings, Settings
from estate.db import make_engine
from estate.db.schema import upgrade
from estate.migration import statuses
from estate.status import Role

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.peers: stop_process

from write_latency import measure, p95, rebuilt_equal, targets

from tests.peers import stop_process

CONNECTIONS = 32
THREADS = 2
RATIO_TARGET = 0.25
P99_TARGET_MS = 100.0
WRITE_TARGET_MS = 50.0
# The endpoints judged against /health (name in the figures, path shown).
SHOWN = (("progress", "/api/v1/progress"), ("hosting", "/api/v1/sites/{id}/hosting"))
ESTATE = str(Path(sys.executable).with_name("estate"))
SIZES = {"servers": 50_000, "devices": 1_000_000, "workloads": 100_000}


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() != 0:
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    subprocess.run(["apt-get", "update"], check=True, capture_output=True)
    subprocess.run(["apt-get", "install", "-y", "wrk"], check=True, capture_output=True)
    return shutil.which("wrk") or "wrk"


@contextmanager
def serve(url: str, workdir: str, workers: int, scheduler: bool = True) -> Iterator[str]:
    """`estate serve` on a free port in a subprocess; yields its base URL. Without the
    scheduler, no job it would catch up on (a daily refresh missed) runs beside the bench."""
    config = Path(workdir) / "estate.toml"
    config.write_text(f'[database]\nurl = "{url}"\n')
    port = free_port()
    # The access log goes to a file: a pipe nobody reads would fill and stall the server.
    log = (Path(workdir) / "serve.log").open("w")
    process = subprocess.Popen(
        [ESTATE, "--config", str(config), "serve", "--port", str(port), "--workers", str(workers)]
        + ([] if scheduler else ["--no-scheduler"]),
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(base + "/health", timeout=1).read()
                break
            except OSError:
                if process.poll() is not None:
                    log.close()
                    output = (Path(workdir) / "serve.log").read_text()
                    raise SystemExit(f"estate serve exited: {output}") from None
                time.sleep(0.1)
        yield base
    finally:
        stop_process(process, timeout=30)
        log.close()


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk(
    binary: str, url: str, token: str, duration: int, script: Path | None = None
) -> tuple[float, float]:
    """Requests per second and p99 latency (ms) of one wrk run (its requests made by the Lua
    `script`, where one is given)."""
    done = subprocess.run(
        [
            binary,
            f"-t{THREADS}",
            f"-c{CONNECTIONS}",
            f"-d{duration}s",
            "--latency",
            "-H",
            f"Authorization: Bearer {token}",
            *(["-s", str(script)] if script else []),
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    out = done.stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise SystemExit(f"{url}: {errors.group(1)} error responses\n{out}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    value, unit = re.search(r"\s99%\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
    return rps, float(value) * _UNITS[unit]


def warm(url: str, token: str, times: int = 20) -> None:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    for _ in range(times):
        urllib.request.urlopen(request, timeout=30).read()


def refresh(engine: Engine, url: str) -> float:
    settings = Settings(database=DatabaseSettings(url=url))
    started = time.perf_counter()
    with Session(engine) as session:
        statuses.refresh(session, settings)
        session.commit()
    return time.perf_counter() - started


def reader_token(engine: Engine, name: str = "bench", role: Role = Role.VIEWER) -> str:
    with Session(engine) as session:
        token = create_token(session, name, role)
        session.commit()
    return token


def bench(
    db: str, workdir: str, duration: int, binary: str, workers: int, scale: float
) -> list[Result]:
    sizes = {name: int(n * scale) for name, n in SIZES.items()}
    print(
        f"== {db}: {sizes['servers']:,} servers, {sizes['devices']:,} devices, "
        f"{sizes['workloads']:,} workloads (bulk inserts, not ingest); "
        f"estate serve --workers {workers}",
        flush=True,
    )
    with fresh_database(db, workdir) as url:
        engine = make_engine(url)
        upgrade(engine)
        started = time.perf_counter()
        site_id = build_estate(engine, **sizes)
        print(f"  built in {time.perf_counter() - started:.1f} s", flush=True)
        refreshed = refresh(engine, url)
        print(f"  migration refresh (statuses and aggregates) in {refreshed:.1f} s", flush=True)
        token = reader_token(engine)
        writer = reader_token(engine, "bench-writer", Role.ADMIN)
        chosen = targets(engine)
        figures: dict[str, tuple[float, float]] = {}
        with serve(url, workdir, workers, scheduler=False) as base:
            paths = {
                "health": "/health",
                "floor": f"/api/v1/sites/{site_id}",
                "progress": "/api/v1/progress",
                "hosting": f"/api/v1/sites/{site_id}/hosting",
            }
            for path in paths.values():
                warm(base + path, token)
            for name, path in paths.items():
                figures[name] = wrk(binary, base + path, token, duration)
                print(
                    f"  {name}: {figures[name][0]:,.0f} req/s, p99 {figures[name][1]:.1f} ms",
                    flush=True,
                )
            # After the reads: each write moves the aggregates' version, so the reads' cache.
            writes = measure(base, writer, chosen, WAVES)
        equal, rebuild = rebuilt_equal(engine, Settings(database=DatabaseSettings(url=url)))
        engine.dispose()
    for name, took in writes.items():
        print(f"  {name}: p95 {p95(took):.1f} ms over {len(took)}", flush=True)
    print(f"  full rebuild of the kept aggregates {rebuild * 1000:.0f} ms; equal: {equal}")
    label = f"{db} {sizes['servers'] // 1000}k servers"
    return results(label, figures, refreshed, workers) + write_rows(label, writes, rebuild, equal)


def results(
    label: str, figures: dict[str, tuple[float, float]], refreshed: float, workers: int
) -> list[Result]:
    health_rps, health_p99 = figures["health"]
    rows = [
        Result(f"{label}: estate serve --workers", workers, "processes"),
        Result(f"{label}: GET /health throughput (req/s)", round(health_rps, 1), "req/s"),
        Result(f"{label}: GET /health p99 (ms)", round(health_p99, 2), "ms"),
        Result(f"{label}: migration refresh, all servers (s)", round(refreshed, 2), "s"),
        # The floor of any authenticated read (token check, session): one site by id.
        Result(
            f"{label}: GET /api/v1/sites/{{id}} throughput (req/s)",
            round(figures["floor"][0], 1),
            "req/s",
            round(health_rps, 1),
        ),
        Result(
            f"{label}: GET /api/v1/sites/{{id}} p99 (ms)",
            round(figures["floor"][1], 2),
            "ms",
            round(health_p99, 2),
        ),
    ]
    return rows + against_health(label, SHOWN, figures, RATIO_TARGET, P99_TARGET_MS)


def write_rows(
    label: str, writes: dict[str, list[float]], rebuild: float, equal: bool
) -> list[Result]:
    """Each write's p95 beside the full rebuild each made before, and the equality after."""
    baseline = round(rebuild * 1000, 1)
    rows = [
        Result(f"{label}: full rebuild of the kept aggregates (ms)", baseline, "ms"),
    ]
    for name, took in writes.items():
        value = round(p95(took), 2)
        rows.append(
            Result(
                f"{label}: {name} p95 over {len(took)}, HTTP end to end (ms)",
                value,
                "ms",
                baseline,
                f"<= {WRITE_TARGET_MS:.0f} ms",
                value <= WRITE_TARGET_MS,
            )
        )
    rows.append(
        Result(
            f"{label}: kept aggregates equal a full rebuild after the writes",
            int(equal),
            "bool",
            None,
            "== 1",
            equal,
        )
    )
    return rows


def main() -> None:
    parser = database_parser(__doc__)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--workers", type=int, default=1, help="estate serve --workers")
    parser.add_argument("--scale", type=float, default=1.0, help="of the estate's sizes")
    args = parser.parse_args()
    binary = ensure_wrk()
    run_on_databases(
        "api_load",
        args.db,
        lambda db, workdir: bench(db, workdir, args.duration, binary, args.workers, args.scale),
    )


if __name__ == "__main__":
    main()
