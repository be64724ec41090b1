"""Two `estate scheduler` processes on one database: each scheduled slot runs once."""

from __future__ import annotations

import re
import time
from collections import defaultdict
from pathlib import Path

from sqlalchemy import Engine, select
from sqlmodel import Session, col

from estate.models import ScanRun, ScheduleClaim
from tests.scheduling.processes import running_schedulers
from tests.scheduling.sources import servers_toml

SLOT_LINE = re.compile(r"source:servers slot (\S+): claimed by (another scheduler|\S+)")


def slots_seen(log: Path) -> dict[str, str]:
    """Slot -> "another scheduler" or the claimant named in this process's log."""
    return dict(SLOT_LINE.findall(log.read_text()))


def test_two_schedulers_run_each_slot_once(engine: Engine, config: Path, tmp_path: Path) -> None:
    with config.open("a") as f:
        f.write(
            '\n[scheduler]\ncron_seconds = "*/2"\nmisfire_grace_seconds = 1\n'
            "request_poll_seconds = 1\noutbox_poll_seconds = 1\n" + servers_toml(tmp_path)
        )
    logs = [tmp_path / "a.log", tmp_path / "b.log"]
    with running_schedulers(config, logs) as processes:
        deadline = time.monotonic() + 90
        while len(shared_slots(logs)) < 3:
            assert all(p.poll() is None for p in processes), [log.read_text() for log in logs]
            assert time.monotonic() < deadline, [log.read_text() for log in logs]
            time.sleep(0.2)

    views = [slots_seen(log) for log in logs]
    for slot in shared_slots(logs):
        winners = [view[slot] for view in views if view[slot] != "another scheduler"]
        assert len(winners) == 1, (slot, views)
    with Session(engine) as session:
        claims = list(session.execute(select(ScheduleClaim)).scalars())
        runs = list(
            session.execute(select(ScanRun).where(col(ScanRun.source) == "servers")).scalars()
        )
    per_slot: dict[str, int] = defaultdict(int)
    for claim in claims:
        per_slot[claim.slot_at.isoformat()] += 1
    assert set(per_slot.values()) == {1}
    assert len(runs) == len(claims)
    assert {p.returncode for p in processes} == {0}


def shared_slots(logs: list[Path]) -> set[str]:
    """Slots both processes reached (each either ran it or saw it claimed)."""
    first, second = (set(slots_seen(log)) for log in logs)
    return first & second
