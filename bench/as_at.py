"""`as_at` reads on a grown history: 50,000 servers with 24 months of changes (about 10% of the
servers changing some field each month), on SQLite and PostgreSQL.

The servers are bench/estate_builder.py's; the history is written as change rows that end in
each server's present values (each change's `new` is the value after it, so the rebuild walks
back to what the server was), and the servers exist from before its first month. On
PostgreSQL the tables are then vacuumed and analysed, as autovacuum would within a minute of
the bulk UPDATEs (bench/pages.py does the same). Measured through `estate serve`, requests
sequential:

- `GET /servers` pages as at a day, 12 and 23 months back, against the live pages (target:
  p95 <= 3x the live pages' p95); each request asks another of the first pages of 50, so none
  is a page kept from an earlier request (estate.db.kept);
- `GET /progress?as_at=` counted from the history (target: p95 <= 500 ms), beside the live
  (kept) answer.

    .venv/bin/python bench/as_at.py [--db sqlite|postgresql] [--requests 30] [--servers N]
"""

from __future__ import annotations

import random
import statistics
import time
from datetime import date, timedelta
from typing import Any

import httpx
from api_load import reader_token, refresh, serve
from common import Result, database_parser, fresh_database, run_on_databases
from estate_builder import NOW, build_estate
from sqlalchemy import Engine, insert, text, update

from estate.db import make_engine
from estate.db.schema import upgrade
from estate.models import Change, Server
from estate.models.base import table_of

SERVERS = 50_000
MONTHS = 24
PAGE = 50
CHANGING = 0.10
PAGE_RATIO = 3.0
PROGRESS_MS = 500.0
STATUSES = ["not-assessed", "planned", "replicating", "testing", "cutover", "migrated"]
# A field each change may touch, and how a value before it is drawn.
FIELDS: dict[str, Any] = {
    "os_version": lambda rng: rng.choice(["2008", "2012", "2016", "2019", "2022"]),
    "memory_gb": lambda rng: float(rng.choice([4, 8, 16, 32, 64])),
    "cpu_cores": lambda rng: rng.choice([2, 4, 8, 16]),
    "migration_status": lambda rng: rng.choice(STATUSES),
}


def month_back(months: int) -> date:
    day = NOW.date()
    for _ in range(months):
        day = (day.replace(day=1) - timedelta(days=1)).replace(day=min(day.day, 28))
    return day


def history(engine: Engine, servers_count: int) -> int:
    """Change rows for 24 months, newest first in the making: each picks ~10% of the servers
    and one field, and records the value before it as `old`."""
    rng = random.Random(20261203)
    servers = table_of(Server)
    with engine.connect() as conn:
        now_values = {
            row.id: {f: getattr(row, f) for f in FIELDS}
            for row in conn.execute(text(f"SELECT id, {', '.join(FIELDS)} FROM servers"))
        }
    rows: list[dict[str, Any]] = []
    for months in range(MONTHS):
        at = NOW - timedelta(days=30 * months + rng.randint(0, 20))
        for server_id in rng.sample(sorted(now_values), int(servers_count * CHANGING)):
            field = rng.choice(sorted(FIELDS))
            after = now_values[server_id][field]
            before = FIELDS[field](rng)
            rows.append(
                {"entity_kind": "server", "entity_id": server_id, "field": field,
                 "old": before, "new": after, "at": at, "cause": "scan"}
            )  # fmt: skip
            now_values[server_id][field] = before
    created = NOW - timedelta(days=30 * (MONTHS + 1))
    changes = table_of(Change)
    with engine.begin() as conn:
        for start in range(0, len(rows), 20_000):
            conn.execute(insert(changes), rows[start : start + 20_000])
        conn.execute(update(servers).values(created_at=created))
        # The refresh's first derivations were written just now: they are the servers' first
        # values, so they belong to when the servers were made, before the history.
        conn.execute(update(changes).where(changes.c.at > NOW).values(at=created))
        if engine.dialect.name != "postgresql":
            conn.execute(text("ANALYZE"))
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    return len(rows)


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[18] if len(values) > 1 else values[0]


def timed(client: httpx.Client, path: str, count: int) -> float:
    """p95 (ms) of `path` asked `count` times, after two warm-up asks."""
    return p95_of(client, [path] * 2, [path] * count)


def timed_pages(client: httpx.Client, path: str, count: int) -> float:
    """p95 (ms) of `count` different pages of the list at `path`, each asked once: a page asked
    again is kept (estate.db.kept), and would time the memory, not the read."""
    pages = [f"{path}&offset={PAGE * n}" for n in range(count + 2)]
    return p95_of(client, pages[count:], pages[:count])


def p95_of(client: httpx.Client, warm: list[str], paths: list[str]) -> float:
    for path in warm:  # first-request caches and the database's own
        client.get(path).raise_for_status()
    walls = []
    for path in paths:
        started = time.perf_counter()
        client.get(path).raise_for_status()
        walls.append((time.perf_counter() - started) * 1000)
    return p95(walls)


def bench(db: str, workdir: str, count: int, servers_count: int) -> list[Result]:
    print(f"== {db}: {servers_count:,} servers, {MONTHS} months of history", flush=True)
    rows: list[Result] = []
    with fresh_database(db, workdir) as url:
        engine = make_engine(url)
        upgrade(engine)
        build_estate(engine, servers=servers_count, devices=0, workloads=0)
        print(f"  migration refresh in {refresh(engine, url):.1f} s", flush=True)
        started = time.perf_counter()
        changes = history(engine, servers_count)
        print(f"  {changes:,} change rows in {time.perf_counter() - started:.1f} s", flush=True)
        token = reader_token(engine)
        engine.dispose()
        with serve(url, workdir, workers=1, scheduler=False) as base:
            client = httpx.Client(
                base_url=base, timeout=120, headers={"Authorization": f"Bearer {token}"}
            )
            page = f"/api/v1/servers?limit={PAGE}"
            live_page = timed_pages(client, page, count)
            live_progress = timed(client, "/api/v1/progress", count)
            label = f"{db} {servers_count:,} servers, {MONTHS} months"
            for months in (12, MONTHS - 1):
                day = month_back(months)
                then = timed_pages(client, f"{page}&as_at={day}", count)
                progress = timed(client, f"/api/v1/progress?as_at={day}", max(count // 3, 5))
                print(
                    f"  as at {day}: servers page p95 {then:.1f} ms (live {live_page:.1f} ms), "
                    f"progress p95 {progress:.1f} ms (live {live_progress:.1f} ms)",
                    flush=True,
                )
                rows += [
                    Result(
                        f"{label}: GET /servers?as_at= ({months} months back) p95 (ms)",
                        round(then, 1),
                        "ms",
                        round(live_page, 1),
                        f"<= {PAGE_RATIO:g}x the live page",
                        then <= PAGE_RATIO * live_page,
                    ),
                    Result(
                        f"{label}: GET /progress?as_at= ({months} months back) p95 (ms)",
                        round(progress, 1),
                        "ms",
                        round(live_progress, 1),
                        f"<= {PROGRESS_MS:g} ms",
                        progress <= PROGRESS_MS,
                    ),
                ]
    return rows


def main() -> None:
    parser = database_parser(__doc__)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--servers", type=int, default=SERVERS)
    args = parser.parse_args()
    run_on_databases(
        "as_at", args.db, lambda db, workdir: bench(db, workdir, args.requests, args.servers)
    )


if __name__ == "__main__":
    main()
