"""The demo council's migration month by month, as a pure function of its start and the exports
it began with (examples/demo): which applications move in which wave, when each server is cut
over, switched off and dropped from the exports, and how each month's exports read.

Nothing here is random: the plan is a table and every date follows from the start, so a replay
from the same start tells the same story.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from estate.inventory.reconcile import name_key, serial_key
from estate.status import Strategy

R = Strategy
# name, first and last month of the plan (months after the start)
WAVES: tuple[tuple[str, int, int], ...] = (
    ("Wave 1: pilot", 1, 3),
    ("Wave 2: corporate services", 3, 7),
    ("Wave 3: revenues and housing", 7, 13),
    ("Wave 4: core systems", 13, 22),
)
# application -> (7R strategy, wave number or 0 for none)
PLAN: dict[str, tuple[Strategy, int]] = {
    "Intranet": (R.RETIRE, 1),
    "Libraries Management": (R.REHOST, 1),
    "Parking Permits": (R.REHOST, 1),
    "GIS Mapping": (R.REHOST, 1),
    "Licensing": (R.REHOST, 2),
    "Environmental Health": (R.REHOST, 2),
    "Waste Collection": (R.REHOST, 2),
    "Building Control": (R.REHOST, 2),
    "HR and Recruitment": (R.REPURCHASE, 2),
    "Planning Portal": (R.REFACTOR, 3),
    "Revenues and Benefits": (R.REPLATFORM, 3),
    "Council Tax": (R.REPLATFORM, 3),
    "Housing Repairs": (R.REHOST, 3),
    "Housing Register": (R.REHOST, 3),
    "Document Management": (R.REHOST, 3),
    "Electoral Registration": (R.REHOST, 4),
    "Social Care Case Management": (R.RELOCATE, 4),
    "Finance (ERP)": (R.REPLATFORM, 4),
    "Payroll": (R.REPURCHASE, 4),
    "Customer Contact Centre": (R.REHOST, 4),
    "Email Relay": (R.REHOST, 4),
    "Telephony": (R.REPURCHASE, 4),
    "Active Directory": (R.RETAIN, 0),
    "File and Print": (R.RETAIN, 0),
    "Backup": (R.RETAIN, 0),
}
MOVES = {R.REHOST, R.REPLATFORM, R.REFACTOR, R.RELOCATE}
# The Civic Centre's ESXi hosts emptied by the first three waves, retired once the third's
# servers are gone (so still awaiting the capital assets team's review today).
RETIRED_HOSTS = tuple(f"nbc-esx-cc-{n:02d}" for n in range(15, 23))
HOSTS_RETIRED_IN = WAVES[2][2] + 3
POWERED_OFF = "Powered Off"


def month(start: date, n: int) -> date:
    """The start moved on n calendar months (the day kept, the 28th at most)."""
    total = start.year * 12 + start.month - 1 + n
    return date(total // 12, total % 12 + 1, min(start.day, 28))


@dataclass(frozen=True)
class Journey:
    """One server's way out, in months after the start (None: not in the replay)."""

    hostname: str
    strategy: Strategy | None
    cutover: int | None = None  # a cloud workload takes over
    off: int | None = None  # switched off in the CMDB
    gone: int | None = None  # dropped from both exports


def journey(hostname: str, applications: list[str]) -> Journey:
    """The first of the server's applications (by name) with a plan decides its journey, as the
    migration status rules read the plan."""
    planned = [PLAN[a] for a in sorted(applications) if a in PLAN]
    if hostname in RETIRED_HOSTS:
        return Journey(hostname, R.RETIRE, off=HOSTS_RETIRED_IN + 1)
    if not planned:
        return Journey(hostname, None)
    strategy, wave = planned[0]
    if wave == 0:
        return Journey(hostname, strategy)
    end = WAVES[wave - 1][2]
    if strategy == R.RETIRE:
        return Journey(hostname, strategy, off=end)
    if strategy in MOVES:
        return Journey(hostname, strategy, cutover=end, off=end + 1, gone=end + 3)
    return Journey(hostname, strategy)


def journeys(cmdb_rows: list[dict[str, str]]) -> dict[str, Journey]:
    return {
        row["Hostname"]: journey(row["Hostname"], split_apps(row["Applications"]))
        for row in cmdb_rows
    }


def split_apps(cell: str) -> list[str]:
    return [name.strip() for name in cell.split(";") if name.strip()]


def read_rows(path: Path, delimiter: str = ",") -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f, delimiter=delimiter)
        return list(reader.fieldnames or []), list(reader)


def cmdb_export(
    header: list[str], rows: list[dict[str, str]], trips: dict[str, Journey], n: int
) -> str:
    """The CMDB export of month n: servers switched off say so, servers gone are left out."""
    out = io.StringIO()
    writer = csv.DictWriter(out, header, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        trip = trips[row["Hostname"]]
        if trip.gone is not None and trip.gone <= n:
            continue
        if trip.off is not None and trip.off <= n:
            row = {**row, "Power State": POWERED_OFF}
        writer.writerow(row)
    return out.getvalue()


def infra_export(
    header: list[str], rows: list[dict[str, str]], cmdb: list[dict[str, str]], gone: set[str]
) -> str:
    """The infrastructure team's list of the month: the servers gone from the CMDB (`gone`,
    host names) are gone from it too, matched by serial or by name as reconciliation does."""
    gone_rows = [r for r in cmdb if r["Hostname"] in gone]
    serials = {k for r in gone_rows if (k := serial_key(r["Serial Number"]))}
    names = {name_key(r["Hostname"]) for r in gone_rows}
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.DictWriter(out, header, delimiter=";", lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        key = serial_key(row["Serial"])
        if (key in serials) if key else (name_key(row["Server Name"]) in names):
            continue
        writer.writerow(row)
    return out.getvalue()


def unplanned(
    cmdb: list[dict[str, str]], infra: list[dict[str, str]], trips: dict[str, Journey]
) -> list[str]:
    """Host names of the servers no plan reaches: in the CMDB with no planned application (and
    not retired), or only in the infrastructure team's list."""
    names = [h for h, t in trips.items() if t.strategy is None]
    serials = {k for r in cmdb if (k := serial_key(r["Serial Number"]))}
    hosts = {name_key(r["Hostname"]) for r in cmdb}
    for row in infra:
        key = serial_key(row["Serial"])
        if (key not in serials) if key else (name_key(row["Server Name"]) not in hosts):
            names.append(row["Server Name"])
    return sorted(names)
