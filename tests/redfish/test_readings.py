"""A BMC's power draw is a reading: a new figure on the next scan is shown on the server and
kept in its daily history, and writes no change row (nothing about the server changed)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlmodel import Session

from estate.config import Settings
from estate.inventory.ingest import run_scan
from estate.models import Change, ReadingDay, Server
from estate.status import RunStatus
from scanners.runner import run_source
from tests.redfish.conftest import MOCKUPS, Peer, _static
from tests.redfish.test_run import CMDB, cmdb_export, with_redfish

POWER = Path("Chassis/System.Embedded.1/Power/index.json")


@pytest.fixture
def changing_bmc(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Peer]:
    """The iDRAC peer over a copy of its mockup, whose files the test rewrites between scans."""
    tree = tmp_path / "mockups"
    shutil.copytree(MOCKUPS / "dell-r750", tree / "dell-r750")
    yield from _static("dell-r750", tmp_path_factory, root=tree)


def set_watts(tree: Path, watts: int) -> None:
    path = tree / "dell-r750" / POWER
    power = json.loads(path.read_text())
    power["PowerControl"][0]["PowerConsumedWatts"] = watts
    path.write_text(json.dumps(power))


def changes(engine: Engine) -> int:
    with Session(engine) as session:
        return session.execute(select(func.count()).select_from(Change)).scalar_one()


def test_a_new_power_draw_is_shown_kept_by_day_and_writes_no_change(
    engine: Engine, settings: Settings, bmc_password: str, changing_bmc: Peer, tmp_path: Path
) -> None:
    settings = with_redfish(settings, changing_bmc.url)
    run_scan(engine, settings, CMDB, cmdb_export())
    first = run_source(engine, settings, "bmcs")
    before = changes(engine)
    set_watts(tmp_path / "mockups", 355)

    again = run_source(engine, settings, "bmcs")
    same = run_source(engine, settings, "bmcs")

    assert (first.status, again.status, same.status) == (RunStatus.OK,) * 3
    assert (again.changed, again.unchanged, again.readings) == (0, 1, 1)
    assert (same.changed, same.unchanged, same.readings) == (0, 1, 0)
    assert changes(engine) == before
    with Session(engine) as session:
        [server] = session.execute(select(Server)).scalars().all()
        [day] = session.execute(select(ReadingDay)).scalars().all()
    assert server.power_watts == 355.0
    assert (day.name, day.value, day.low, day.high, day.samples) == (
        "power_watts",
        355.0,
        312.0,
        355.0,
        2,
    )
