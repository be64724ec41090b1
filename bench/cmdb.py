"""The cmdb scanner over a large CSV and XLSX export: throughput and peak memory, each beside a
baseline measured in the same run on the same file.

- rows/s: `CmdbScanner.collect()` end to end (read, parse, typed records); baseline: the
  reader alone (`csv.reader`, openpyxl's read-only `iter_rows`), the floor for any scanner.
  Each `--rounds` times (3), alternately, and the medians compared. Targets (issue 18): CSV at
  least 0.25x the reader, XLSX 0.9x.
- peak MB (tracemalloc, Python allocations while reading): the scanner streaming; baseline:
  the same reader loading the whole file into a list, which the scanner must never do.
  Target: a 1,000,000-row CSV in at most 64 MB (flat but for the duplicate-key table).

    .venv/bin/python bench/cmdb.py [--rows N] [--xlsx-rows N] [--rounds N]
"""

from __future__ import annotations

import argparse
import csv
import statistics
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import openpyxl
from common import Result, write_results

from estate.config import Settings, SourceConfig
from estate.inventory.records import DeviceRecord, ScopeEnd
from scanners.cmdb import CmdbScanner
from scanners.registry import scanner_for

HEADER = [
    "Asset Tag",
    "Serial Number",
    "Device Name",
    "Device Type",
    "Manufacturer",
    "Model",
    "Operating System",
    "Assigned To",
    "Department",
    "Location",
    "Purchase Date",
    "Purchase Cost (£)",
    "Warranty End",
]
TARGET_MB = 64.0
# Issue 18: the scanner's rows/s as a share of the bare reader's.
CSV_SHARE, XLSX_SHARE = 0.25, 0.9
MB = 1024 * 1024


def device_row(i: int) -> list[Any]:
    return [
        f"NBC-{i:07d}",
        f"SN{i:09d}",
        f"NBC-LT-{i:07d}",
        ("Laptop", "Desktop PC", "Thin Client", "iPad", "Mobile Phone")[i % 5],
        "HP",
        "EliteBook 840 G8",
        "Windows 11",
        f"user{i}@northbridge.gov.uk",
        f"Department {i % 25:02d}",
        "Civic Centre",
        f"{1 + i % 28:02d}/{1 + i % 12:02d}/2021",
        "1,299.00",
        "2025-03-04",
    ]


def write_csv(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(device_row(i) for i in range(rows))


def write_xlsx(path: Path, rows: int) -> None:
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Devices")
    sheet.append(HEADER)
    for i in range(rows):
        sheet.append(device_row(i))
    workbook.save(path)


def scanner(path: Path) -> CmdbScanner:
    settings = Settings(config_path=path.parent / "estate.toml")
    options = {"path": path.name, "entity": "device"}
    found = scanner_for(SourceConfig(name="bench", kind="cmdb", options=options), settings)
    assert isinstance(found, CmdbScanner)
    return found


def scan(path: Path) -> None:
    """Every record of the file; fails unless all rows made records and the scope completed."""
    records, end = 0, None
    for event in scanner(path).collect():
        if isinstance(event, DeviceRecord):
            records += 1
        else:
            end = event
    assert end == ScopeEnd(scope=path.name, complete=True), end


def csv_reader(path: Path) -> Iterable[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        yield from csv.reader(handle)


def xlsx_reader(path: Path) -> Iterable[tuple[Any, ...]]:
    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        yield from workbook["Devices"].iter_rows(values_only=True)
    finally:
        workbook.close()


def per_second(rows: int, action: Callable[[], Any]) -> float:
    started = time.perf_counter()
    action()
    return rows / (time.perf_counter() - started)


def peak_mb(action: Callable[[], Any]) -> float:
    tracemalloc.start()
    try:
        action()
        return tracemalloc.get_traced_memory()[1] / MB
    finally:
        tracemalloc.stop()


def measure(
    label: str, path: Path, rows: int, reader: Callable[[Path], Iterable[Any]], rounds: int
) -> list[Result]:
    def drain() -> None:
        for _ in reader(path):
            pass

    # Alternated, and the median of each kept: one run of either swings with the host's load.
    scans, floors = [], []
    for _ in range(rounds):
        scans.append(per_second(rows, lambda: scan(path)))
        floors.append(per_second(rows, drain))
    scanned, floor = statistics.median(scans), statistics.median(floors)
    streaming = peak_mb(lambda: scan(path))
    whole = peak_mb(lambda: list(reader(path)))
    csv_file = label.startswith("csv")
    share = CSV_SHARE if csv_file else XLSX_SHARE
    memory_target = f"<= {TARGET_MB:.0f} MB" if csv_file else None
    return [
        Result(
            f"{label}: scanner rows/s (median of {rounds})",
            round(scanned),
            "rows/s",
            round(floor),
            f">= {share}x the reader's",
            scanned >= share * floor,
        ),
        Result(
            f"{label}: scanner peak memory",
            round(streaming, 1),
            "MB",
            round(whole, 1),
            memory_target,
            streaming <= TARGET_MB if memory_target else None,
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--xlsx-rows", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="estate-bench-cmdb-") as folder:
        csv_path, xlsx_path = Path(folder) / "devices.csv", Path(folder) / "devices.xlsx"
        write_csv(csv_path, args.rows)
        write_xlsx(xlsx_path, args.xlsx_rows)
        csv_label, xlsx_label = f"csv {args.rows:,} rows", f"xlsx {args.xlsx_rows:,} rows"
        results = measure(csv_label, csv_path, args.rows, csv_reader, args.rounds)
        results += measure(xlsx_label, xlsx_path, args.xlsx_rows, xlsx_reader, args.rounds)
    write_results("cmdb", results)


if __name__ == "__main__":
    main()
