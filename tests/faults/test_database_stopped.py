"""PostgreSQL stopped as a crash would (`pg_ctl stop -m immediate`) in the middle of a scan,
then started again: earlier data intact, no duplicates, nothing marked missing by the broken
run, the run itself recorded as failed with why, and the CLI's one line."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine

from estate.db import make_engine
from tests.faults.cluster import OwnCluster
from tests.faults.conftest import own_postgres
from tests.faults.estate_runs import (
    Inventory,
    ended,
    estate,
    inventory,
    one_line,
    runs,
    scan_here,
    start_scan,
    write_config,
    writing,
)
from tests.faults.held_graph import HeldGraph, devices

pytestmark = own_postgres

# The first scan sees PC-0000..0049; the one the fault breaks would drop ten and add five.
LATER = range(10, 55)


@pytest.fixture
def own_engine(cluster: OwnCluster) -> Iterator[Engine]:
    engine = make_engine(cluster.url)
    yield engine
    engine.dispose()


@dataclass(frozen=True)
class CutOff:
    config: Path
    before: Inventory  # what the first scan left
    pid: int  # of the scan the fault broke
    line: str  # its one line of error output


def cut_off_mid_scan(
    cluster: OwnCluster, engine: Engine, graph: HeldGraph, folder: Path, fault: Callable[[], None]
) -> CutOff:
    """After a first scan, a second `estate scan` (it would drop ten devices and add five) held
    mid-write, the fault dealt, then let go: it must exit 1 with one line."""
    config = write_config(folder, cluster.url, graph)
    assert scan_here(config, engine).status == "ok"
    before = inventory(engine)
    assert before == Inventory(50, 50, 50, 0, (1,))
    graph.devices = devices(LATER)
    graph.hold(3)
    scan = start_scan(config)
    graph.wait_reached()
    assert writing(engine) and runs(engine)[-1][:2] == (2, "running")
    engine.dispose()  # the test's own connections would only be cut too
    fault()
    graph.release.set()
    stdout, stderr = scan.communicate(timeout=60)
    assert scan.returncode == 1, stdout + stderr
    assert "Traceback" not in stdout
    return CutOff(config, before, scan.pid, one_line(stderr))


def test_stopped_mid_scan_and_started_after_the_cli_gave_up(
    cluster: OwnCluster, own_engine: Engine, graph: HeldGraph, tmp_path: Path
) -> None:
    cut = cut_off_mid_scan(cluster, own_engine, graph, tmp_path, cluster.stop_immediately)
    cluster.start()

    assert cut.line == (
        f"the database (PostgreSQL 127.0.0.1:{cluster.port}/estate) is unavailable while"
        " scanning source 'devices' (run 2): nothing was written (consuming input failed:"
        " server closed the connection unexpectedly)"
    )
    assert inventory(own_engine) == cut.before
    assert runs(own_engine)[1][:2] == (2, "running")  # no one could record its end yet

    rescan = estate(cut.config, "scan", "devices")

    # A crashed server's sequences skip ahead (it logs them 32 values on), hence no fixed id.
    [(_, ok, _), (_, failed, reason), (third, rescanned, _)] = runs(own_engine)
    assert (ok, failed, rescanned) == ("ok", "failed", "ok")
    assert reason is not None and reason.startswith("abandoned: no heartbeat since ")
    assert reason.endswith(ended(cut.pid))
    assert f"run 2 of devices marked failed: {reason}" in rescan.stdout
    assert inventory(own_engine) == Inventory(55, 55, 55, 10, (1, third))


def test_restarted_while_the_scan_waits_and_the_run_records_why(
    cluster: OwnCluster, own_engine: Engine, graph: HeldGraph, tmp_path: Path
) -> None:
    cut = cut_off_mid_scan(cluster, own_engine, graph, tmp_path, cluster.restart_immediately)

    assert cut.line.startswith(
        f"the database (PostgreSQL 127.0.0.1:{cluster.port}/estate) is unavailable while"
        " scanning source 'devices' (run 2): nothing was written ("
    )
    assert runs(own_engine) == [(1, "ok", None), (2, "failed", cut.line)]
    assert inventory(own_engine) == cut.before
    estate(cut.config, "scan", "devices")
    [(_, ok, _), (_, failed, _), (third, rescanned, _)] = runs(own_engine)
    assert (ok, failed, rescanned) == ("ok", "failed", "ok")
    assert inventory(own_engine) == Inventory(55, 55, 55, 10, (1, third))
