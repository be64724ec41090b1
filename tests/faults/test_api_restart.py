"""`estate serve` with its PostgreSQL restarted under it: every request while the database is
away is a 503 with Retry-After (never a 500), /ready says not ready, and both are back to 200
once the database is; the server's log holds one line per refused request, no traceback."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import httpx
from sqlmodel import Session

from estate.access.tokens import create_token
from estate.db import make_engine
from estate.status import Role
from tests.e2e.conftest import ESTATE
from tests.faults.cluster import OwnCluster
from tests.faults.conftest import own_postgres
from tests.peers import free_port, wait_for_port

pytestmark = own_postgres
PATHS = ("/api/v1/servers", "/api/v1/scans", "/ready")


def ask(client: httpx.Client) -> list[tuple[str, int, str | None]]:
    """Each path once: its status and Retry-After."""
    answers = [(path, client.get(path)) for path in PATHS]
    return [(path, r.status_code, r.headers.get("Retry-After")) for path, r in answers]


def test_the_api_answers_503_while_the_database_restarts_then_recovers(
    cluster: OwnCluster, tmp_path: Path
) -> None:
    config = tmp_path / "estate.toml"
    config.write_text(f'[database]\nurl = "{cluster.url}"\n')
    engine = make_engine(cluster.url)
    with Session(engine) as session:
        token = create_token(session, "faults", Role.VIEWER)
        session.commit()
    engine.dispose()
    port, log = free_port(), tmp_path / "serve.log"
    command = [ESTATE, "--config", str(config), "serve", "--no-scheduler", "--port", str(port)]
    server = subprocess.Popen(command, stdout=log.open("w"), stderr=subprocess.STDOUT)
    headers = {"Authorization": f"Bearer {token}"}
    try:
        wait_for_port(port, timeout=60)
        with httpx.Client(
            base_url=f"http://127.0.0.1:{port}", headers=headers, timeout=10
        ) as client:
            before = ask(client)
            cluster.stop_immediately()
            down = [answer for _ in range(5) for answer in ask(client)]
            cluster.start()
            deadline = time.monotonic() + 20
            while {status for _, status, _ in ask(client)} != {200}:
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.2)
            after = [answer for _ in range(3) for answer in ask(client)]
    finally:
        server.terminate()
        server.wait(timeout=30)
    output = log.read_text()

    assert before == [(path, 200, None) for path in PATHS]
    assert down == [(path, 503, "5") for path in PATHS] * 5
    assert after == [(path, 200, None) for path in PATHS] * 3
    assert "Traceback" not in output and " 500 " not in output, output
    assert "is unavailable while answering GET /api/v1/servers: nothing was written" in output
