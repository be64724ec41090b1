"""User writes through the API, for bench/api_load.py: decommission reviews and server plan
changes one after another over HTTP (a reviewer clicking through approvals), each timed end to
end, then the kept aggregates checked against a full rebuild of them.

Running this file does nothing: `make bench` runs bench/api_load.py.
"""

from __future__ import annotations

import http.client
import json
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import Engine, select
from sqlmodel import Session

from estate.config import Settings
from estate.models import Server
from estate.models.base import table_of
from estate.status import MigrationStatus, Strategy
from tests.migration.helpers import kept_aggregates, rebuilt_aggregates

WRITES = 50
DECISIONS = ("approve", "defer", "reject")
STRATEGIES = [s.value for s in Strategy]


@dataclass(frozen=True)
class Targets:
    candidates: list[int]
    planned: list[int]


def targets(engine: Engine, count: int = WRITES) -> Targets:
    """Decommission candidates to review, and other servers spread over the estate to plan."""
    servers = table_of(Server)
    with Session(engine) as session:
        query = select(servers.c.id, servers.c.migration_status).order_by(servers.c.id)
        rows = list(session.execute(query))
    candidates = [i for i, s in rows if s == MigrationStatus.DECOMMISSION_CANDIDATE][:count]
    others = [i for i, s in rows if s != MigrationStatus.DECOMMISSION_CANDIDATE]
    step = max(1, len(others) // count)
    return Targets(candidates, others[::step][:count])


def _timed(
    conn: http.client.HTTPConnection, method: str, path: str, body: dict, token: str
) -> float:
    """One request on a kept-alive connection; milliseconds to the whole response."""
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    started = time.perf_counter()
    conn.request(method, path, json.dumps(body), headers)
    response = conn.getresponse()
    answer = response.read()
    took = (time.perf_counter() - started) * 1000
    if response.status != 200:
        raise SystemExit(f"{method} {path}: {response.status} {answer[:300]!r}")
    return took


def measure(base: str, token: str, chosen: Targets, waves: int) -> dict[str, list[float]]:
    """Each write's milliseconds: reviews (approve, defer, reject in turn), then plan changes
    (a wave, then a strategy override, in turn)."""
    url = urlsplit(base)
    conn = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=60)
    try:
        reviews = [
            _timed(
                conn,
                "POST",
                f"/api/v1/decommission/{server_id}/review",
                {"decision": DECISIONS[n % 3], "note": "bench"},
                token,
            )
            for n, server_id in enumerate(chosen.candidates)
        ]
        plans = [
            _timed(conn, "PATCH", f"/api/v1/servers/{server_id}", _plan(n, waves), token)
            for n, server_id in enumerate(chosen.planned)
        ]
    finally:
        conn.close()
    return {"decommission review": reviews, "server plan change": plans}


def _plan(n: int, waves: int) -> dict[str, object]:
    if n % 2:
        return {"strategy_override": STRATEGIES[n % len(STRATEGIES)]}
    return {"wave_id": n % waves + 1}


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def rebuilt_equal(engine: Engine, settings: Settings) -> tuple[bool, float]:
    """Whether the kept aggregates equal a full rebuild, and the rebuild's seconds (what each
    write cost before the aggregates moved by its delta)."""
    with Session(engine) as session:
        kept = kept_aggregates(session)
    started = time.perf_counter()
    rebuilt = rebuilt_aggregates(engine, settings)
    return kept == rebuilt, time.perf_counter() - started
