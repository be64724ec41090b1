"""The fault suite's peers, each the test's own: a PostgreSQL cluster to stop and restart, a
Graph peer that holds a scan mid-way, an SMTP server to take down; and a time limit per test."""

from __future__ import annotations

import os
import shutil
import signal
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

import pytest

from tests.devices.graph_peer import SECRET
from tests.faults.cluster import OwnCluster, make_template, own_cluster
from tests.faults.estate_runs import SECRET_ENV
from tests.faults.held_graph import HeldGraph, held_graph

# Every fault test ends within this, whatever it waits for (each wait has its own deadline too).
TIME_LIMIT_SECONDS = 120

# Tests that stop a server need one of their own, a PostgreSQL cluster: they run once, in the
# PostgreSQL pass. The others run in both passes, on that pass's database.
own_postgres = pytest.mark.skipif(
    os.environ.get("ESTATE_TEST_DB", "sqlite") != "postgresql",
    reason="stops a PostgreSQL cluster of its own: runs in the PostgreSQL pass",
)


@pytest.fixture(autouse=True)
def time_limit() -> Iterator[None]:
    def too_long(_signum: int, _frame: FrameType | None) -> None:
        pytest.fail(f"a fault test ran over {TIME_LIMIT_SECONDS}s")

    previous = signal.signal(signal.SIGALRM, too_long)
    signal.setitimer(signal.ITIMER_REAL, TIME_LIMIT_SECONDS)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture(autouse=True)
def graph_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    """The Graph peer's client secret, where the Intune source's client_secret_env says."""
    monkeypatch.setenv(SECRET_ENV, SECRET)


@pytest.fixture(scope="session")
def pg_template() -> Iterator[Path]:
    folder = make_template()
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def cluster(pg_template: Path) -> Iterator[OwnCluster]:
    with own_cluster(pg_template) as running:
        yield running


@pytest.fixture
def graph() -> Iterator[HeldGraph]:
    with held_graph() as peer:
        yield peer


# The SMTP server and its TLS files, as the scheduling tests have them; the dashboard's client.
from tests.scheduling.conftest import smtp, smtp_password, tls_files  # noqa: E402, F401
from tests.web.conftest import browser, signed_in  # noqa: E402, F401
