"""End to end: a cmdb source run through `run_source` into the database."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select
from sqlmodel import Session, col

from estate.config import Settings, SourceConfig
from estate.models import Device, Observation
from estate.status import RunStatus
from scanners.runner import run_source

DATA = Path(__file__).parent / "data"
GOOD = "Name,Owner,Criticality\nPayroll,Payroll Manager,High\nIntranet,Comms,Low\n"


def with_source(settings: Settings, **options: Any) -> Settings:
    source = SourceConfig(name="register", kind="cmdb", options=options)
    return settings.model_copy(update={"sources": [source]})


def missing_ids(engine: Engine) -> list[str]:
    with Session(engine) as session:
        found = session.execute(
            select(col(Observation.external_id))
            .where(col(Observation.missing_since).is_not(None))
            .order_by(col(Observation.external_id))
        )
        return list(found.scalars())


def test_bad_rows_make_a_partial_run_that_keeps_the_good_rows(
    engine: Engine, settings: Settings
) -> None:
    shutil.copy(DATA / "devices-bad-rows.csv", settings.config_dir)
    settings = with_source(settings, path="devices-bad-rows.csv", entity="device")

    run = run_source(engine, settings, "register")

    assert (run.status, run.added, run.scopes) == (
        RunStatus.PARTIAL,
        2,
        {"devices-bad-rows.csv": False},
    )
    assert [(e["row"], e["column"]) for e in run.errors] == [
        (3, "Purchase Date"),
        (4, "Asset Tag"),
        (5, "Asset Tag"),
    ]
    with Session(engine) as session:
        devices = session.execute(select(col(Device.asset_tag)).order_by(col(Device.asset_tag)))
        assert list(devices.scalars()) == ["AT-1", "AT-5"]


def test_missing_required_columns_fail_the_run(engine: Engine, settings: Settings) -> None:
    shutil.copy(DATA / "servers-missing-columns.csv", settings.config_dir)
    settings = with_source(
        settings, path="servers-missing-columns.csv", entity="server", key="CI ID"
    )

    run = run_source(engine, settings, "register")

    assert (run.status, run.added) == (RunStatus.FAILED, 0)
    assert [(e["row"], e["column"], e["reason"]) for e in run.errors] == [
        (1, "CI ID, hostname", "missing required columns: CI ID, hostname (found: Serial, Make)")
    ]


def test_a_row_gone_from_a_clean_file_is_missing_but_not_after_a_partial_run(
    engine: Engine, settings: Settings
) -> None:
    path = settings.config_dir / "apps.csv"
    settings = with_source(settings, path="apps.csv", entity="application")
    path.write_text(GOOD + "Licensing,Licensing Team,Low\n", encoding="utf-8")
    first = run_source(engine, settings, "register")

    path.write_text(GOOD.replace("Payroll,", ","), encoding="utf-8")
    partial = run_source(engine, settings, "register")
    after_partial = missing_ids(engine)
    path.write_text(GOOD, encoding="utf-8")
    clean = run_source(engine, settings, "register")

    assert (first.status, first.added) == (RunStatus.OK, 3)
    assert (partial.status, partial.missing, after_partial) == (RunStatus.PARTIAL, 0, [])
    assert (clean.status, clean.missing) == (RunStatus.OK, 1)
    assert missing_ids(engine) == ["Licensing"]
