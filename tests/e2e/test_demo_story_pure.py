"""The demo's story as pure functions: months, each server's journey and the month's exports."""

from __future__ import annotations

import csv
import io
from datetime import date

from api.cli.demo_story import (
    POWERED_OFF,
    Journey,
    cmdb_export,
    infra_export,
    journey,
    month,
    unplanned,
)
from estate.status import Strategy


def test_a_month_on_keeps_the_day_up_to_the_28th_and_crosses_years() -> None:
    assert month(date(2025, 6, 1), 7) == date(2026, 1, 1)
    assert month(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert month(date(2026, 12, 1), -18) == date(2025, 6, 1)


def test_a_server_follows_the_first_of_its_planned_applications_by_name() -> None:
    # Council Tax (replatform, wave 3, ending in month 13) comes before Revenues and Benefits.
    assert journey("nbc-ctax-db01", ["Revenues and Benefits", "Council Tax"]) == Journey(
        "nbc-ctax-db01", Strategy.REPLATFORM, cutover=13, off=14, gone=16
    )
    assert journey("nbc-intra-web01", ["Intranet"]) == Journey(
        "nbc-intra-web01", Strategy.RETIRE, off=3
    )
    assert journey("nbc-dc01", ["Active Directory"]) == Journey("nbc-dc01", Strategy.RETAIN)
    assert journey("nbc-mgmt01", []) == Journey("nbc-mgmt01", None)
    assert journey("nbc-esx-cc-15", []) == Journey("nbc-esx-cc-15", Strategy.RETIRE, off=17)


CMDB = [
    {"Hostname": "a", "Serial Number": "S1", "Power State": "Powered On", "Applications": "X"},
    {"Hostname": "b", "Serial Number": "", "Power State": "Powered On", "Applications": ""},
    {"Hostname": "c", "Serial Number": "S3", "Power State": "Powered On", "Applications": ""},
]
TRIPS = {
    "a": Journey("a", Strategy.REHOST, cutover=1, off=2, gone=4),
    "b": Journey("b", None),
    "c": Journey("c", Strategy.RETIRE, off=1),
}


def rows(text: str, delimiter: str = ",") -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff")), delimiter=delimiter))


def test_the_month_cmdb_export_switches_servers_off_then_leaves_them_out() -> None:
    header = list(CMDB[0])

    def power(n: int) -> dict[str, str]:
        return {r["Hostname"]: r["Power State"] for r in rows(cmdb_export(header, CMDB, TRIPS, n))}

    assert power(0) == {"a": "Powered On", "b": "Powered On", "c": "Powered On"}
    assert power(2) == {"a": POWERED_OFF, "b": "Powered On", "c": POWERED_OFF}
    assert power(4) == {"b": "Powered On", "c": POWERED_OFF}


def test_the_infrastructure_list_loses_what_the_cmdb_lost_by_serial_or_name() -> None:
    infra = [
        {"Server Name": "A.ad.example", "Serial": "s1"},
        {"Server Name": "B", "Serial": ""},
        {"Server Name": "shadow01", "Serial": "S9"},
    ]

    text = infra_export(["Server Name", "Serial"], infra, CMDB, {"a", "b"})

    assert text.startswith("\ufeffServer Name;Serial\r\n")
    assert [r["Server Name"] for r in rows(text, ";")] == ["shadow01"]
    assert unplanned(CMDB, infra, TRIPS) == ["b", "shadow01"]
