"""API lists under load: GET /api/v1/servers, /devices and /workloads with no filter, with
each documented filter alone and `devices?due=true`, beside GET /health, on SQLite and
PostgreSQL, at 50,000 servers, 1,000,000 devices and 100,000 workloads (`--scale` shrinks
them).

For each list: its first request (neither its count nor its page kept yet: the first reader
after a scan), one client's p95 over a first page of 50 (sequential requests, asked again), and
wrk with 32 connections (throughput and p99). Keyset paging: pages 1,000 to 1,019 of 50 by
`after`, each asked once, beside pages 2 to 21. The wrk runs ask one page again and again,
which each process keeps (estate.db.kept) until the next commit; one more run asks a different
page of devices each time, read anew, for what the lists cost without it. The estate is bulk-
built (bench/estate_builder.py), then one migration refresh; the devices' replacement dates and
rules are written by SQL as the device refresh would write them (a million devices through the
refresh is bench/devices.py's subject). On PostgreSQL the tables are vacuumed once built, as
autovacuum would do, so counts can be index-only scans.

Targets: one-client p95 <= 100 ms; under load >= 0.15x /health throughput and p99 <= 500 ms;
keyset pages 1,000 on within 1.5x pages 2 on (p95).

    .venv/bin/python bench/api_lists.py [--db sqlite|postgresql] [--duration 20] [--scale 1.0]
"""

from __future__ import annotations

import statistics
import time
import urllib.request
from pathlib import Path
from typing import Any

from api_load import ensure_wrk, reader_token, refresh, serve, warm, wrk
from common import Result, against_health, database_parser, fresh_database, run_on_databases
from estate_builder import build_estate
from sqlalchemy import Engine, text

from estate.db import make_engine
from estate.db.keyset import cursor
from estate.db.schema import upgrade

SIZES = {"servers": 50_000, "devices": 1_000_000, "workloads": 100_000}
P95_TARGET_MS, RATIO_TARGET, P99_TARGET_MS, KEYSET_TARGET = 100.0, 0.15, 500.0, 1.5
ONE_CLIENT_RUNS = 20
# wrk's requests for distinct_pages_rows: each thread seeded apart, so the two do not ask the
# same pages in the same order.
DISTINCT_PAGES = """
local threads = 0
function setup(thread) threads = threads + 1; thread:set("seed", threads) end
function init(args) math.randomseed(os.time() * 100 + seed) end
function request() return wrk.format(nil, wrk.path .. "&offset=" .. math.random(0, 999) * 50) end
"""
DEEP_PAGE = 1000
PAGE = 50
# Each list with no filter and with each documented filter alone (values the estate has).
LISTS = {
    "servers": ["", "site=Site 02", "status=active", "kind=physical", "os=linux",
                "application=Application 007", "migration_status=not-assessed",
                "strategy=rehost", "wave=Wave 03", "usage_below=20", "hosting=true",
                "q=srv0123"],
    "devices": ["", "site=Site 05", "status=active", "device_type=laptop", "os=mac",
                "department=Department 07", "q=l00012", "due=true", "due_from=2029-01-01",
                "due_before=2021-01-01", "reason=warranty", "disposed=true",
                "windows11_ready=true"],
    "workloads": ["", "provider=aws", "account=100000000003", "region=eu-west-2",
                  "resource_type=ec2:instance", "state=stopped", "status=active", "ended=true",
                  "server=77", "q=wl-0012", "resilient=unknown", "flexible=unknown",
                  "efficient=unknown", "oversized=unknown", "idle=unknown", "migrated=true",
                  "application=Application 011", "wave=Wave 04", "strategy=rehost",
                  "site=Site 03"],
}  # fmt: skip


def decide_devices(engine: Engine) -> None:
    """Replacement dates, reasons and their rules as the device refresh writes them: dates
    spread over 2020-2030, a lifespan reason for each, a warranty one for every third."""
    postgres = engine.dialect.name == "postgresql"
    # bigint: a million ids times 7919 is past PostgreSQL's integer.
    due = "date '2020-01-01' + (id::bigint * 7919 % 4000)::int" if postgres else (
        "date('2020-01-01', '+' || (id * 7919 % 4000) || ' days')")  # fmt: skip
    reasons = """'[{"rule": "lifespan", "due_on": null, "detail": "bench", "source": "policy"}]'"""
    with engine.begin() as conn:
        conn.execute(
            text(
                f"UPDATE devices SET replacement_due_on = {due},"
                f" replacement_reasons = {reasons}{'::jsonb' if postgres else ''},"
                " replacement_pending = false,"
                " os_name = CASE WHEN id % 4 = 0 THEN 'macOS' ELSE 'Windows' END,"
                " windows11_ready = CASE WHEN id % 3 = 0 THEN NULL ELSE id % 2 = 0 END,"
                " disposed_on = CASE WHEN id % 50 = 0 THEN date '2025-01-06' END"
                if postgres
                else f"UPDATE devices SET replacement_due_on = {due},"
                f" replacement_reasons = {reasons}, replacement_pending = 0,"
                " os_name = CASE WHEN id % 4 = 0 THEN 'macOS' ELSE 'Windows' END,"
                " windows11_ready = CASE WHEN id % 3 = 0 THEN NULL ELSE id % 2 = 0 END,"
                " disposed_on = CASE WHEN id % 50 = 0 THEN '2025-01-06' END"
            )
        )
        conn.execute(text("INSERT INTO device_reasons SELECT id, 'lifespan' FROM devices"))
        conn.execute(
            text("INSERT INTO device_reasons SELECT id, 'warranty' FROM devices WHERE id % 3 = 0")
        )


def settle(engine: Engine) -> None:
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    else:
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))


def timed(url: str, token: str) -> float:
    """One request's time (ms)."""
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    started = time.perf_counter()
    urllib.request.urlopen(request, timeout=120).read()
    return (time.perf_counter() - started) * 1000


def one_client_p95(url: str, token: str) -> float:
    """p95 (ms) of sequential requests, one client."""
    return p95_over([url] * ONE_CLIENT_RUNS, token)


def p95_over(urls: list[str], token: str) -> float:
    """p95 (ms) of one request to each of `urls`, in turn."""
    return statistics.quantiles([timed(url, token) for url in urls], n=20)[-1]


def cursors(engine: Engine, first: int) -> list[str]:
    """The `after` of ONE_CLIENT_RUNS pages of the devices list from page `first` on (default
    sort, pages of PAGE): each asked once, so none is a kept page (estate.db.kept)."""

    class Last:
        def __init__(self, id: Any) -> None:
            self.id = id

    with engine.connect() as conn:
        ids = list(
            conn.execute(
                text("SELECT id FROM devices ORDER BY id LIMIT :k OFFSET :n"),
                {"k": ONE_CLIENT_RUNS * PAGE, "n": (first - 1) * PAGE - 1},
            ).scalars()
        )
    return [cursor(Last(ids[i * PAGE]), "id") for i in range(ONE_CLIENT_RUNS)]


def build(db: str, url: str, sizes: dict[str, int]) -> tuple[str, dict[int, list[str]]]:
    engine = make_engine(url)
    upgrade(engine)
    started = time.perf_counter()
    build_estate(engine, **sizes)
    decide_devices(engine)
    print(f"  built in {time.perf_counter() - started:.1f} s", flush=True)
    print(f"  migration refresh in {refresh(engine, url):.1f} s", flush=True)
    settle(engine)
    token, after = reader_token(engine), {n: cursors(engine, n) for n in (2, DEEP_PAGE)}
    engine.dispose()
    return token, after


def bench(db: str, workdir: str, duration: int, binary: str, scale: float) -> list[Result]:
    sizes = {name: max(1000, int(n * scale)) for name, n in SIZES.items()}
    label = f"{db} {sizes['servers']:,} servers/{sizes['devices']:,} devices"
    print(f"== {label}, {sizes['workloads']:,} workloads", flush=True)
    rows: list[Result] = []
    with fresh_database(db, workdir) as url:
        token, after = build(db, url, sizes)
        with serve(url, workdir, 1, scheduler=False) as base:
            paths = {"health": "/health"}
            for name, filters in LISTS.items():
                for f in filters:
                    paths[f"{name}?{f}"] = f"/api/v1/{name}?limit={PAGE}&{f}".rstrip("&").replace(
                        " ", "%20"
                    )
            # The first asks and the keyset pages before any wrk run: the requests a run leaves
            # queued in the server would be waited for by the next request.
            lists = [(name, path) for name, path in paths.items() if name != "health"]
            rows += [first_ask_row(label, path, timed(base + path, token)) for _, path in lists]
            rows += keyset_rows(label, base, token, after)
            figures: dict[str, tuple[float, float]] = {}
            for name, path in paths.items():
                warm(base + path, token, times=3)
                if name != "health":
                    p95 = one_client_p95(base + path, token)
                    rows.append(p95_row(label, path, p95))
                figures[name] = wrk(binary, base + path, token, duration)
                print(f"  {name}: {figures[name][0]:,.0f} req/s, p99 {figures[name][1]:.0f} ms",
                      flush=True)  # fmt: skip
            rows += against_health(label, lists, figures, RATIO_TARGET, P99_TARGET_MS)
            rows += distinct_pages_rows(label, base, token, binary, duration, workdir, figures)
    return rows


def distinct_pages_rows(
    label: str,
    base: str,
    token: str,
    binary: str,
    duration: int,
    workdir: str,
    figures: dict[str, tuple[float, float]],
) -> list[Result]:
    """Under load, each request another of the first 1,000 pages of devices, at random: more
    pages than estate keeps (estate.db.kept), so most are read anew, where the runs above ask
    one page again and again. Shown beside /health, judged by no target."""
    script = Path(workdir) / "distinct_pages.lua"
    script.write_text(DISTINCT_PAGES)
    rps, p99 = wrk(binary, f"{base}/api/v1/devices?limit={PAGE}", token, duration, script)
    print(f"  devices, distinct pages: {rps:,.0f} req/s, p99 {p99:.0f} ms", flush=True)
    name = f"{label}: GET /api/v1/devices?limit={PAGE}&offset=<0 to 49,950 at random>"
    health_rps, health_p99 = figures["health"]
    return [
        Result(f"{name} throughput (req/s)", round(rps, 1), "req/s", round(health_rps, 1)),
        Result(f"{name} p99 (ms)", round(p99, 2), "ms", round(health_p99, 2)),
    ]


def first_ask_row(label: str, path: str, took: float) -> Result:
    """The list's first request: neither its count nor its page is kept yet (estate.db.kept),
    as for the first reader of a filter after a scan; held to the one-client target too."""
    print(f"  {path}: first ask {took:.1f} ms", flush=True)
    return Result(f"{label}: GET {path} first ask, nothing kept (ms)", round(took, 1), "ms",
                  None, f"<= {P95_TARGET_MS:g} ms", took <= P95_TARGET_MS)  # fmt: skip


def p95_row(label: str, path: str, p95: float) -> Result:
    print(f"  {path}: one client p95 {p95:.1f} ms", flush=True)
    return Result(f"{label}: GET {path} one-client p95 (ms)", round(p95, 1), "ms", None,
                  f"<= {P95_TARGET_MS:g} ms", p95 <= P95_TARGET_MS)  # fmt: skip


def keyset_rows(label: str, base: str, token: str, after: dict[int, list[str]]) -> list[Result]:
    """p95 of pages DEEP_PAGE on by `after` beside pages 2 on, each page asked once."""
    url = f"{base}/api/v1/devices?limit={PAGE}&after="
    near, deep = (p95_over([url + a for a in after[n]], token) for n in (2, DEEP_PAGE))
    print(f"  keyset: pages 2 on p95 {near:.1f} ms, pages {DEEP_PAGE} on {deep:.1f} ms", flush=True)
    return [
        Result(f"{label}: devices keyset pages {DEEP_PAGE} on p95 (ms)", round(deep, 1), "ms",
               round(near, 1), f"<= {KEYSET_TARGET}x pages 2 on", deep <= KEYSET_TARGET * near),
    ]  # fmt: skip


def main() -> None:
    parser = database_parser(__doc__)
    parser.add_argument("--duration", type=int, default=20, help="wrk seconds per list")
    parser.add_argument("--scale", type=float, default=1.0, help="estate size, 1.0 = full")
    args = parser.parse_args()
    binary = ensure_wrk()
    run_on_databases(
        "api_lists",
        args.db,
        lambda db, workdir: bench(db, workdir, args.duration, binary, args.scale),
    )


if __name__ == "__main__":
    main()
