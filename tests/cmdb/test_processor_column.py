"""An asset register's processor column: found under its usual headers, and a bad cell costs
only its own row."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select
from sqlmodel import Session, col

from estate.config import Settings, SourceConfig
from estate.models import Device
from estate.status import RunStatus
from scanners.cmdb.columns import ColumnMap, map_columns
from scanners.cmdb.options import CmdbOptions
from scanners.runner import run_source


@pytest.mark.parametrize(
    "header", ["CPU", "Processor", "Processor Model", "CPU Model", "cpu_model", "Processor Name"]
)
def test_a_devices_processor_column_is_found_by_its_common_names(header: str) -> None:
    columns = map_columns(["Asset Tag", header], CmdbOptions(path="x.csv", entity="device"))

    assert isinstance(columns, ColumnMap)
    assert columns.fields["cpu_model"].header == header


def test_a_servers_cpu_column_is_still_its_core_count() -> None:
    columns = map_columns(["Hostname", "CPU"], CmdbOptions(path="x.csv", entity="server"))

    assert isinstance(columns, ColumnMap)
    assert columns.fields["cpu_cores"].header == "CPU"


def test_a_bad_processor_cell_reports_its_row_and_the_rest_import(
    engine: Engine, settings: Settings
) -> None:
    rows = [
        "Asset Tag,Operating System,Processor",
        "NBC-1,Windows 10,Intel(R) Core(TM) i5-8350U CPU @ 1.70GHz",
        f"NBC-2,Windows 10,{'i5-7300U ' * 30}",
        "NBC-3,Windows 10,#N/A",
        "NBC-4,Windows 10,i5-7300U",
        "NBC-5,Windows 10,",
    ]
    (settings.config_dir / "register.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    source = SourceConfig(
        name="register", kind="cmdb", options={"path": "register.csv", "entity": "device"}
    )
    settings = settings.model_copy(update={"sources": [source]})

    run = run_source(engine, settings, "register")

    assert (run.status, run.added) == (RunStatus.PARTIAL, 3)
    assert [(e["row"], e["column"]) for e in run.errors] == [(3, "Processor"), (4, "Processor")]
    with Session(engine) as session:
        found = session.execute(
            select(
                col(Device.asset_tag), col(Device.cpu_model), col(Device.windows11_ready)
            ).order_by(col(Device.asset_tag))
        ).all()
    assert [tuple(row) for row in found] == [
        ("NBC-1", "Intel(R) Core(TM) i5-8350U CPU @ 1.70GHz", True),
        ("NBC-4", "i5-7300U", False),
        ("NBC-5", None, None),
    ]
