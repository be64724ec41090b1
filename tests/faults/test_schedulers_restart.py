"""Two `estate scheduler` processes with their PostgreSQL restarted under them (stopped as a crash
would, then started): both keep running, say the outage in one line, and every slot still
runs once: claimed by one of them, run at most once, and once again when the database is back."""

from __future__ import annotations

import subprocess
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlmodel import Session, col

from estate.db import make_engine
from estate.models import Observation, ScanRun, ScheduleClaim, Server
from tests.faults.cluster import OwnCluster
from tests.faults.conftest import own_postgres
from tests.scheduling.processes import running_schedulers
from tests.scheduling.sources import servers_toml
from tests.scheduling.test_replicas import shared_slots, slots_seen

pytestmark = own_postgres


def test_two_schedulers_with_the_database_restarted_under_them_run_each_slot_once(
    cluster: OwnCluster, tmp_path: Path
) -> None:
    config = tmp_path / "estate.toml"
    config.write_text(
        f'[database]\nurl = "{cluster.url}"\nlock_timeout_seconds = 2\n'
        "\n[ingest]\nheartbeat_seconds = 1\n"
        '\n[scheduler]\ncron_seconds = "*/2"\nmisfire_grace_seconds = 1\n'
        "request_poll_seconds = 1\noutbox_poll_seconds = 1\nsweep_seconds = 1\n"
        + servers_toml(tmp_path)
    )
    logs = [tmp_path / "a.log", tmp_path / "b.log"]
    with running_schedulers(config, logs) as schedulers:
        wait_for_slots(logs, schedulers, lambda slot: True, 1)
        cluster.stop_immediately()
        time.sleep(2.5)  # a slot with no database at all
        cluster.start()
        back = datetime.now().astimezone()
        wait_for_slots(logs, schedulers, lambda slot: slot > back, 2)
        time.sleep(1.5)  # a sweep, for a run the crash broke

    output = "".join(log.read_text() for log in logs)
    assert {s.returncode for s in schedulers} == {0}, output
    assert "Traceback" not in output, output
    assert "is unavailable while" in output and "trying again at the next slot" in output
    views = [slots_seen(log) for log in logs]
    for slot in shared_slots(logs):
        winners = [view[slot] for view in views if view[slot] != "another scheduler"]
        assert len(winners) == 1, (slot, views)
    engine = make_engine(cluster.url)
    with Session(engine) as session:
        claims = set(
            session.execute(
                select(col(ScheduleClaim.slot_at)).where(col(ScheduleClaim.job) == "source:servers")
            ).scalars()
        )
        runs = list(session.execute(select(ScanRun).order_by(col(ScanRun.id))).scalars())
        counts = [
            session.execute(select(func.count()).select_from(table)).scalar_one()
            for table in (Server, Observation)
        ]
    engine.dispose()
    per_slot = Counter(slot_of(r.started_at) for r in runs)
    assert set(per_slot.values()) == {1}, per_slot
    assert set(per_slot) <= claims
    after = {slot for slot in claims if slot > back}
    assert len(after) >= 2 and after <= set(per_slot)  # once the database is back, each slot ran
    assert {r.status for r in runs} <= {"ok", "failed"}
    for run in runs:
        if run.status == "failed":  # the crash broke it mid-scan
            reason = run.errors[0]["reason"]
            assert "is unavailable while" in reason or reason.startswith("abandoned:"), reason
    assert counts == [2, 2]


def slot_of(started: datetime) -> datetime:
    """The even second a run's slot fired at: it starts within the one second of grace."""
    return started.replace(microsecond=0, second=started.second // 2 * 2)


def wait_for_slots(
    logs: list[Path],
    schedulers: list[subprocess.Popen[bytes]],
    which: Callable[[datetime], bool],
    count: int,
) -> None:
    """Until both schedulers reached `count` slots that `which` picks, each still running."""
    deadline = time.monotonic() + 60
    while len([s for s in shared_slots(logs) if which(datetime.fromisoformat(s))]) < count:
        assert all(p.poll() is None for p in schedulers), [log.read_text() for log in logs]
        assert time.monotonic() < deadline, [log.read_text() for log in logs]
        time.sleep(0.2)
