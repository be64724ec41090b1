"""Dashboard pages on the bench estate: each page's server time (its Server-Timing header)
beside the API endpoint that returns the same figures as JSON, on SQLite and PostgreSQL.

The estate (50,000 servers, 1,000,000 devices, 100,000 workloads) is bench/estate_builder.py's,
then one migration refresh keeps the progress and hosting aggregates. The devices get due dates
and costs by one UPDATE and their forecast buckets are rebuilt: the replacement policy's own
speed is bench/devices.py's subject. On PostgreSQL the tables are then vacuumed and analysed, as
autovacuum would within a minute of such an UPDATE: measured straight after it, every plan
would rest on the empty tables' statistics and every index-only count would read the heap.

Target: each page's p95 server time <= 300 ms. Requests are sequential, one signed-in browser.

    .venv/bin/python bench/pages.py [--db sqlite|postgresql] [--requests 40]
"""

from __future__ import annotations

import re
import statistics
import time

import httpx
from api_load import SIZES, reader_token, refresh, serve
from common import Result, fresh_database, main_on_databases
from estate_builder import build_estate
from sqlalchemy import Engine, text
from sqlmodel import Session

from estate.db import make_engine
from estate.db.schema import upgrade
from estate.devices.store import rebuild_buckets
from estate.status import Role

TARGET_MS = 300.0
# Each page, and the API endpoint answering with the same figures.
PAGES = {
    "/migration": "/api/v1/progress",
    "/hosting?site=1": "/api/v1/sites/1/hosting",
    "/decommission": "/api/v1/decommission/candidates",
    "/devices": "/api/v1/devices/replacement-forecast",
    "/scans": "/api/v1/scans",
}
DUE = {
    "sqlite": "date('2024-04-01', '+' || (id % 2900) || ' days')",
    "postgresql": "DATE '2024-04-01' + (id % 2900)::int",
}


def due_dates(engine: Engine, db: str) -> float:
    """Spread due dates over eight financial years, give each a cost, and keep the buckets."""
    started = time.perf_counter()
    with Session(engine) as session:
        session.execute(
            text(
                f"UPDATE devices SET replacement_due_on = {DUE[db]}, purchase_cost = 600 + id % 50"
            )
        )
        rebuild_buckets(session)
        session.commit()
    if db == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    return time.perf_counter() - started


def _cookie(response: httpx.Response, name: str) -> str:
    found = re.search(rf"{name}=([^;]+)", response.headers.get("set-cookie", ""))
    assert found is not None, response.text
    return found.group(1)


def signed_in(base: str, token: str) -> httpx.Client:
    """A client carrying a session cookie. The cookies are Secure and this is plain loopback
    HTTP, so they are sent by hand (a browser treats 127.0.0.1 as secure; httpx does not)."""
    client = httpx.Client(base_url=base, timeout=60)
    form = client.get("/signin")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert csrf is not None
    done = client.post(
        "/signin",
        data={"token": token, "csrf_token": csrf.group(1)},
        headers={"Cookie": f"estate_signin={_cookie(form, 'estate_signin')}"},
    )
    client.cookies.clear()
    client.headers["Cookie"] = f"estate_session={_cookie(done, 'estate_session')}"
    return client


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[18] if len(values) > 1 else values[0]


def measure(client: httpx.Client, token: str, page: str, api: str, count: int) -> dict[str, float]:
    server, wall, api_wall = [], [], []
    bearer = {"Authorization": f"Bearer {token}"}
    for _ in range(3):  # warm: first-request caches and the database's own
        client.get(page)
        client.get(api, headers=bearer)
    for _ in range(count):
        started = time.perf_counter()
        response = client.get(page)
        wall.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (page, response.status_code)
        timing = re.search(r"dur=([\d.]+)", response.headers["server-timing"])
        server.append(float(timing.group(1)))  # type: ignore[union-attr]
        started = time.perf_counter()
        client.get(api, headers=bearer).raise_for_status()
        api_wall.append((time.perf_counter() - started) * 1000)
    return {
        "server_p50": statistics.median(server),
        "server_p95": p95(server),
        "wall_p95": p95(wall),
        "api_p95": p95(api_wall),
    }


def bench(db: str, workdir: str, count: int) -> list[Result]:
    print(f"== {db}: {SIZES['servers']:,} servers, {SIZES['devices']:,} devices", flush=True)
    rows: list[Result] = []
    with fresh_database(db, workdir) as url:
        engine = make_engine(url)
        upgrade(engine)
        build_estate(engine, **SIZES)
        print(f"  migration refresh in {refresh(engine, url):.1f} s", flush=True)
        print(f"  device due dates and buckets in {due_dates(engine, db):.1f} s", flush=True)
        token = reader_token(engine, "bench-pages", Role.ASSETS)
        engine.dispose()
        with serve(url, workdir, workers=1, scheduler=False) as base:
            client = signed_in(base, token)
            for page, api in PAGES.items():
                figures = measure(client, token, page, api, count)
                print(
                    f"  {page}: server p50 {figures['server_p50']:.1f} ms, "
                    f"p95 {figures['server_p95']:.1f} ms (API p95 {figures['api_p95']:.1f} ms)",
                    flush=True,
                )
                name = f"{db} 50k servers, 1M devices: GET {page.split('?')[0]}"
                rows += [
                    Result(
                        f"{name} server time p95 (ms)",
                        round(figures["server_p95"], 1),
                        "ms",
                        round(figures["api_p95"], 1),
                        f"<= {TARGET_MS:g} ms",
                        figures["server_p95"] <= TARGET_MS,
                    ),
                    Result(f"{name} server time p50 (ms)", round(figures["server_p50"], 1), "ms"),
                    # Server time plus the HTTP round trip on loopback, as the client saw it.
                    Result(f"{name} wall time p95 (ms)", round(figures["wall_p95"], 1), "ms"),
                ]
    return rows


def main() -> None:
    main_on_databases("pages", __doc__, "--requests", 40, bench)


if __name__ == "__main__":
    main()
