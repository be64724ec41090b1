"""A scanning process killed with SIGKILL mid-write, on this pass's database: nothing it read is
written, nothing goes missing, and the run is found abandoned by a scheduler's sweep, by the
next run of its source or by `estate scan`; `failures_in_a_row` such runs raise the alert."""

from __future__ import annotations

import html
import socket
import time
from datetime import date
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session

from estate.config import Settings
from estate.config.loading import load_settings
from estate.outbox.reports import report_for
from estate.status import Role
from scanners.scheduler import Jobs
from tests.faults.estate_runs import (
    Inventory,
    ended,
    inventory,
    kill_mid_scan,
    runs,
    scan_here,
    write_config,
)
from tests.faults.held_graph import HeldGraph, devices
from tests.scheduling.conftest import PASSWORD_ENV
from tests.scheduling.processes import running_schedulers
from tests.scheduling.smtp_peer import USER, SmtpPeer
from tests.tls import TlsFiles
from tests.web.conftest import SignIn

LATER = range(10, 55)
HOST = socket.gethostname()


def test_a_killed_scan_is_marked_failed_by_a_schedulers_sweep_and_leaves_no_trace(
    engine: Engine,
    database_url: str,
    settings: Settings,
    graph: HeldGraph,
    tmp_path: Path,
    signed_in: SignIn,
) -> None:
    config = write_config(tmp_path, database_url, graph)
    settings.sources = load_settings(config).sources  # the dashboard's
    assert scan_here(config, engine).status == "ok"
    before = inventory(engine)
    assert before == Inventory(50, 50, 50, 0, (1,))
    graph.devices = devices(LATER)

    pid = kill_mid_scan(config, graph, engine)

    assert runs(engine)[1][:2] == (2, "running")
    assert inventory(engine) == before
    viewer = signed_in(Role.VIEWER)
    assert f"running</span> on {HOST} (pid {pid}, last heartbeat " in viewer.get("/scans").text
    jobs = Jobs(engine, load_settings(config))
    # PostgreSQL: the server lets the source's lock go as soon as it sees the connection end.
    deadline = time.monotonic() + 10
    while runs(engine)[1][1] == "running" and time.monotonic() < deadline:
        jobs.sweep()
        time.sleep(0.2)
    [_, (_, status, reason)] = runs(engine)
    assert status == "failed" and reason is not None
    assert reason.startswith("abandoned: no heartbeat since ") and reason.endswith(ended(pid))
    assert inventory(engine) == before
    page = viewer.get("/scans").text
    failures = page[page.index('<table id="failures">') :]
    assert '<th scope="row">2</th><td>devices</td>' in failures
    assert html.escape(reason) in failures
    with Session(engine) as session:
        health = report_for("scan-health").render(session, settings, date.today())
    assert (
        "run 2, devices, " in health.text
        and f": failed, 1 problems (first: {reason})" in health.text
    )
    assert scan_here(config, engine).status == "ok"
    assert inventory(engine) == Inventory(55, 55, 55, 10, (1, 3))


def test_the_next_run_of_the_source_marks_a_killed_one_failed(
    engine: Engine, database_url: str, graph: HeldGraph, tmp_path: Path
) -> None:
    config = write_config(tmp_path, database_url, graph)
    scan_here(config, engine)
    graph.devices = devices(LATER)
    pid = kill_mid_scan(config, graph, engine)

    rescan = scan_here(config, engine)

    [(_, first, _), (_, killed, reason), (third, latest, _)] = runs(engine)
    assert (first, killed, latest, third) == ("ok", "failed", "ok", rescan.id)
    assert reason is not None and reason.endswith(ended(pid))
    assert inventory(engine) == Inventory(55, 55, 55, 10, (1, 3))


def test_the_alert_fires_after_failures_in_a_row_abandoned_runs(
    engine: Engine,
    database_url: str,
    graph: HeldGraph,
    tmp_path: Path,
    smtp: SmtpPeer,
    tls_files: TlsFiles,
    smtp_password: str,
) -> None:
    config = write_config(
        tmp_path,
        database_url,
        graph,
        more=(
            "\n[scheduler]\nsweep_seconds = 1\noutbox_poll_seconds = 1\n"
            "request_poll_seconds = 60\n"
            '\n[alerts]\nfailures_in_a_row = 2\nrecipients = ["ops@northbridge.example"]\n'
            f'\n[mail]\nhost = "127.0.0.1"\nport = {smtp.port}\nuser = "{USER}"\n'
            f'password_env = "{PASSWORD_ENV}"\nca_file = "{tls_files.ca}"\n'
            'from_address = "estate@northbridge.example"\n'
        ),
    )
    scan_here(config, engine)
    log = tmp_path / "scheduler.log"
    with running_schedulers(config, [log]):
        marked_within = []
        for _ in range(2):
            kill_mid_scan(config, graph, engine)
            killed = time.monotonic()
            while runs(engine)[-1][1] == "running":
                assert time.monotonic() - killed < 10, log.read_text()
                time.sleep(0.1)
            marked_within.append(time.monotonic() - killed)
        deadline = time.monotonic() + 20
        while not smtp.received and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(2)  # two more sweeps and drains: nothing more may go

    output = log.read_text()
    assert "Traceback" not in output, output
    assert [status for _, status, _ in runs(engine)] == ["ok", "failed", "failed"]
    # Within one sweep interval (a second), give or take the sweep's own time.
    assert max(marked_within) < 3, marked_within
    [received] = smtp.received
    message = received.message()
    assert message["Subject"] == "estate: source devices has failed 2 runs in a row"
    text = message.get_body(("plain",))
    assert text is not None and "abandoned: no heartbeat since" in text.get_content()
