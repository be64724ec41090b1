"""The issue's acceptance, end to end through `estate scan` and the API."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlmodel import Session

from api.app import create_app
from estate.config.loading import load_settings
from estate.models import Change, Device, Observation, Server
from tests.e2e.conftest import ESTATE, Cli

HEADER = "CI ID,Hostname,Serial Number,Type,Site,Rack,Power (W),Commissioned\n"
ROWS = [
    "CI1,nbc-app01,SV001,Physical,Civic Centre,CC-R01,350,01/04/2019\n",
    "CI2,nbc-app02,SV002,Physical,Civic Centre,CC-R01,420,2020-02-29\n",
    "CI3,nbc-db01,SV003,Physical,Northgate Data Centre,NG-A03,610,31/12/2018\n",
]


def add_source(config: Path, csv: Path, name: str = "servers") -> None:
    with config.open("a") as f:
        f.write(
            f'\n[[sources]]\nname = "{name}"\nkind = "cmdb"\n'
            f'[sources.options]\npath = "{csv}"\nentity = "server"\nkey = "CI ID"\n'
        )


def count(engine: Engine, model: type) -> int:
    with Session(engine) as session:
        return session.execute(select(func.count()).select_from(model)).scalar_one()


def test_rescan_of_unchanged_input_adds_and_changes_nothing(
    cli: Cli, config: Path, tmp_path: Path, engine: Engine
) -> None:
    csv = tmp_path / "servers.csv"
    csv.write_text(HEADER + "".join(ROWS))
    add_source(config, csv)

    first = cli("scan", "--all")
    second = cli("scan", "--all")

    assert "│ ok" in first.stdout and "│ 3 " in first.stdout
    line = next(line for line in second.stdout.splitlines() if "servers" in line)
    assert [cell.strip() for cell in line.split("│")[3:8]] == ["ok", "0", "0", "3", "0"]
    assert count(engine, Change) == 0


def test_a_server_removed_from_the_csv_is_missing_not_deleted(
    cli: Cli, config: Path, tmp_path: Path, engine: Engine
) -> None:
    csv = tmp_path / "servers.csv"
    csv.write_text(HEADER + "".join(ROWS))
    add_source(config, csv)
    cli("scan", "servers")
    csv.write_text(HEADER + ROWS[0] + ROWS[2])

    cli("scan", "servers")
    token = cli("token", "create", "--name", "capital-assets", "--role", "viewer").stdout.strip()

    client = TestClient(create_app(load_settings(config)))
    client.headers["Authorization"] = f"Bearer {token}"
    listed = client.get("/api/v1/servers", params={"q": "nbc-app02"}).json()["items"]
    detail = client.get(f"/api/v1/servers/{listed[0]['id']}").json()
    assert (detail["hostname"], detail["status"]) == ("nbc-app02", "missing")
    assert detail["missing_since"] is not None
    assert detail["observations"][0]["missing_since"] == detail["missing_since"]


def test_bad_rows_are_reported_and_the_good_rows_import(
    cli: Cli, config: Path, tmp_path: Path, engine: Engine
) -> None:
    register = tmp_path / "register.csv"
    register.write_text(
        "Asset Tag,Serial Number,Device Type,Purchase Date\n"
        "NBC-1,SN1,Laptop,01/04/2022\n"
        "NBC-2,SN2,Laptop,31/02/2022\n"  # no such date
        ",SN3,Desktop,01/05/2021\n"  # no key
        "NBC-1,SN4,Laptop,02/04/2022\n"  # duplicate key
        "NBC-5,SN5,Tablet,2023-09-30\n"
    )
    with config.open("a") as f:
        f.write(
            f'\n[[sources]]\nname = "register"\nkind = "cmdb"\n'
            f'[sources.options]\npath = "{register}"\nentity = "device"\n'
        )

    done = cli("scan", "register", check_exit=1)

    assert "partial" in done.stdout
    problems = [line for line in done.stdout.splitlines() if line.startswith("register:")]
    assert len(problems) == 3, done.stdout
    assert "row 3" in problems[0] and "Purchase Date" in problems[0] and "31/02/2022" in problems[0]
    assert "row 4" in problems[1] and "Asset Tag" in problems[1]
    assert "row 5" in problems[2] and "Asset Tag" in problems[2] and "row 2" in problems[2]
    assert count(engine, Device) == 2


def test_missing_required_columns_fail_the_run_naming_them(
    cli: Cli, config: Path, tmp_path: Path
) -> None:
    csv = tmp_path / "servers.csv"
    csv.write_text("Name,Serial\nx,y\n")
    add_source(config, csv)

    done = cli("scan", "servers", check_exit=1)

    assert "failed" in done.stdout
    assert "CI ID" in done.stdout


def test_two_scans_of_one_source_started_together_leave_no_duplicates(
    config: Path, tmp_path: Path, engine: Engine
) -> None:
    csv = tmp_path / "servers.csv"
    csv.write_text(
        HEADER
        + "".join(
            f"CI{i},host{i},SN{i},Physical,Civic Centre,R1,100,01/01/2020\n" for i in range(3000)
        )
    )
    add_source(config, csv)

    runs = [
        subprocess.Popen(
            [ESTATE, "--config", str(config), "scan", "servers"],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [(p.wait(timeout=300), p.stdout.read() if p.stdout else "") for p in runs]

    assert count(engine, Server) == 3000
    assert count(engine, Observation) == 3000
    codes = sorted(code for code, _ in outputs)
    assert codes in ([0, 0], [0, 1]), outputs
    if codes == [0, 1]:
        assert "busy" in next(out for code, out in outputs if code == 1)


def test_unknown_source_and_bad_usage_exit_2(cli: Cli) -> None:
    assert "no source named 'nope'" in cli("scan", "nope", check_exit=2).stderr
    assert cli("scan", check_exit=2).returncode == 2


def test_an_unknown_config_key_names_the_file_the_key_and_the_nearest(
    cli: Cli, config: Path
) -> None:
    config.write_text(config.read_text() + "\n[ingest]\ngrace_dayz = 3\n")

    done = cli("sources", check_exit=2)

    assert str(config) in done.stderr
    assert "unknown key 'ingest.grace_dayz' (did you mean 'grace_days'?)" in done.stderr


def test_without_a_config_file_commands_that_need_sources_say_where_they_looked(
    tmp_path: Path,
) -> None:
    environment = {k: v for k, v in os.environ.items() if k != "ESTATE_CONFIG"}
    for command in (["sources"], ["scan", "--all"]):
        done = subprocess.run(
            [ESTATE, *command], cwd=tmp_path, env=environment, capture_output=True, text=True
        )

        assert done.returncode == 2, done.stdout + done.stderr
        assert "no config file: looked for --config, $ESTATE_CONFIG and " in done.stderr
        assert str(tmp_path / "estate.toml") in done.stderr.replace("\n", "")


def test_a_config_without_sources_says_so_and_exits_2(cli: Cli, config: Path) -> None:
    done = cli("scan", "--all", check_exit=2)

    assert f"{config} configures no [[sources]]" in done.stderr.replace("\n", "")
