"""Ingest throughput and memory, beside a plain upsert of the same rows, on SQLite and PostgreSQL.

For each database: 100,000 devices ingested first, then again unchanged, then with 10% changed
and 1% gone; 10,000 and 1,000,000 devices first ingested for memory (`--quick` skips 1,000,000).
Each step runs in its own process so its peak RSS is its own. The baseline is SQLAlchemy Core
`INSERT ... ON CONFLICT DO UPDATE` of `record.model_dump()` rows into one plain table, in batches
of the same size, over the same generator, in a fresh database of the same kind.

    .venv/bin/python bench/ingest.py [--quick] [--db sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
import types
import typing
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from common import DATABASES, Result, fresh_database, run_on_databases
from sqlalchemy.dialects import postgresql, sqlite

from estate.config import DatabaseSettings, Settings, SourceConfig
from estate.db import make_engine
from estate.db.schema import upgrade
from estate.inventory.ingest import run_scan
from estate.inventory.records import DeviceRecord, Event, Record, ScopeEnd

SCOPE = "bench"
STEPS = {
    "first": "first ingest",
    "unchanged": "unchanged re-ingest",
    "changed": "10% changed 1% gone",
}
RSS_LIMIT_MB = 300
# Over this, the lead wants to hear that the full run is slow on this machine.
SLOW_SECONDS = 600

SITES = ("Town Hall", "Civic Centre", "Depot North", "Library Central", "Leisure Park")
DEPARTMENTS = (
    "Adult Social Care",
    "Children's Services",
    "Finance",
    "Highways",
    "Housing",
    "Revenues and Benefits",
)
HARDWARE = (
    ("laptop", "Dell", "Latitude 5440"),
    ("laptop", "Lenovo", "ThinkPad T14 Gen 4"),
    ("desktop", "HP", "EliteDesk 800 G6"),
    ("desktop", "Dell", "OptiPlex 7090"),
    ("thin-client", "HP", "t640"),
    ("tablet", "Microsoft", "Surface Pro 9"),
)
OS_VERSIONS = ("10.0.19045", "10.0.22621", "10.0.22631", "10.0.26100")
EPOCH = date(2017, 4, 1)


# --- the data -------------------------------------------------------------------------------


def device(i: int, changed: bool = False) -> DeviceRecord:
    """Device number i, always the same; `changed` moves its OS version on."""
    kind, manufacturer, model = HARDWARE[i % len(HARDWARE)]
    purchased = EPOCH + timedelta(days=(i * 7) % 2500)
    os_version = OS_VERSIONS[i % len(OS_VERSIONS)]
    return DeviceRecord(
        external_id=f"NBC{i:08d}",
        scope=SCOPE,
        asset_tag=f"NBC{i:08d}",
        serial=f"{manufacturer[:2].upper()}{(i * 2654435761) % 10**10:010d}",
        hostname=f"nbc-{kind[:2]}{i:07d}",
        device_type=kind,
        manufacturer=manufacturer,
        model=model,
        os_name="Windows 11 Enterprise" if i % 3 else "Windows 10 Enterprise",
        os_version=f"{os_version}.{5000 + i % 7}" if changed else os_version,
        department=DEPARTMENTS[i % len(DEPARTMENTS)],
        site=SITES[i % len(SITES)],
        purchased_on=purchased,
        purchase_cost=float(350 + (i * 37) % 1400),
        warranty_expires_on=purchased + timedelta(days=3 * 365),
    )


def events(size: int, step: str) -> Iterator[Event]:
    """The stream a CMDB export would give, generated lazily, ending with a complete scope."""
    later = step == "changed"
    for i in range(size):
        if later and i % 100 == 99:
            continue  # gone
        yield device(i, changed=later and i % 10 == 0)
    yield ScopeEnd(scope=SCOPE, complete=True)


def expected_counts(size: int, step: str) -> dict[str, int]:
    if step == "first":
        return {"added": size, "changed": 0, "unchanged": 0, "missing": 0}
    if step == "unchanged":
        return {"added": 0, "changed": 0, "unchanged": size, "missing": 0}
    changed, missing = len(range(0, size, 10)), len(range(99, size, 100))
    unchanged = size - changed - missing
    return {"added": 0, "changed": changed, "unchanged": unchanged, "missing": missing}


# --- one step, in its own process -----------------------------------------------------------


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def cpu_seconds() -> float:
    """This process's CPU time: printed beside wall time to show how busy the machine was."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


Figures = dict[str, Any]


def figures(size: int, step: str, seconds: float, cpu: float) -> Figures:
    fed = size - (len(range(99, size, 100)) if step == "changed" else 0)
    return {"records": fed, "seconds": seconds, "cpu_seconds": cpu, "rss_mb": peak_rss_mb()}


def ingest_step(url: str, size: int, step: str) -> Figures:
    settings = Settings(database=DatabaseSettings(url=url))
    engine = make_engine(url)
    started, cpu = time.perf_counter(), cpu_seconds()
    run = run_scan(engine, settings, SourceConfig(name="bench", kind="cmdb"), events(size, step))
    seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu
    engine.dispose()
    counts = {"added": run.added, "changed": run.changed}
    counts.update(unchanged=run.unchanged, missing=run.missing)
    done = {"status": str(run.status), "errors": run.errors, "counts": counts}
    return figures(size, step, seconds, cpu) | done


def _column_type(annotation: Any) -> sa.types.TypeEngine[Any]:
    """A plain column type for a record field's annotation (Optional stripped)."""
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType) and len(args) == 1:
        annotation = args[0]
    origin = typing.get_origin(annotation) or annotation
    if origin is typing.Literal or origin is str:
        return sa.String(400)
    for python, column in ((bool, sa.Boolean()), (int, sa.Integer()), (float, sa.Float())):
        if origin is python:
            return column
    if origin is datetime or "datetime" in str(annotation):
        return sa.DateTime(timezone=True)
    if origin is date:
        return sa.Date()
    return sa.JSON()


def baseline_table(metadata: sa.MetaData) -> sa.Table:
    """One plain table with a column per DeviceRecord field, unique on external_id."""
    hints = typing.get_type_hints(DeviceRecord)
    columns = [
        sa.Column(name, _column_type(hints[name]), unique=name == "external_id")
        for name in DeviceRecord.model_fields
    ]
    key = sa.Column("id", sa.Integer, primary_key=True)
    return sa.Table("baseline_devices", metadata, key, *columns)


def baseline_step(url: str, size: int, step: str) -> Figures:
    table = baseline_table(sa.MetaData())
    batch_size = Settings(database=DatabaseSettings(url=url)).ingest.batch_size
    engine = make_engine(url)
    dialect: Any = postgresql if engine.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(table)
    stmt = stmt.on_conflict_do_update(
        index_elements=["external_id"],
        set_={c.name: stmt.excluded[c.name] for c in table.columns if c.name not in ("id",)},
    )
    started, cpu = time.perf_counter(), cpu_seconds()
    with engine.begin() as connection:
        rows: list[dict[str, Any]] = []
        for event in events(size, step):
            if isinstance(event, Record):
                rows.append(event.model_dump())
            if len(rows) >= batch_size:
                connection.execute(stmt, rows)
                rows = []
        if rows:
            connection.execute(stmt, rows)
    seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu
    engine.dispose()
    return figures(size, step, seconds, cpu)


# --- the run --------------------------------------------------------------------------------


def prepare(url: str, baseline: bool) -> None:
    engine = make_engine(url)
    if baseline:
        metadata = sa.MetaData()
        baseline_table(metadata)
        metadata.create_all(engine)
    else:
        upgrade(engine)
    engine.dispose()


def in_subprocess(worker: str, url: str, size: int, step: str) -> Figures:
    command = [sys.executable, __file__, "--worker", worker, "--url", url]
    command += ["--size", str(size), "--step", step]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"{worker} step {step} at {size:,} failed")
    figures: Figures = json.loads(done.stdout.strip().splitlines()[-1])
    if worker == "ingest" and figures["counts"] != expected_counts(size, step):
        raise SystemExit(
            f"ingest step {step} at {size:,} did not do what it should: {figures['counts']} "
            f"(status {figures['status']}, errors {figures['errors']})"
        )
    rate = figures["records"] / figures["seconds"]
    print(
        f"  {worker:8} {STEPS[step]:20} {size:>9,}: {figures['seconds']:7.1f} s "
        f"(CPU {figures['cpu_seconds']:6.1f} s) {rate:>9,.0f} rows/s  "
        f"peak RSS {figures['rss_mb']:6.1f} MB",
        flush=True,
    )
    return figures


def label(size: int) -> str:
    return f"{size // 1_000_000}M" if size >= 1_000_000 else f"{size // 1000}k"


def measure(
    db: str, workdir: str, size: int, steps: list[str], repeat: int = 1
) -> dict[str, tuple[Figures, Figures]]:
    """Each step, baseline then ingest, on two fresh databases of the kind; the sequence
    `repeat` times on fresh databases, keeping each side's fastest run of each step (other
    work on a shared machine only ever slows a run) and its highest peak RSS."""
    measured: dict[str, tuple[Figures, Figures]] = {}
    for _ in range(repeat):
        with fresh_database(db, workdir) as ours, fresh_database(db, workdir) as theirs:
            prepare(ours, baseline=False)
            prepare(theirs, baseline=True)
            for step in steps:
                base = in_subprocess("baseline", theirs, size, step)
                run = (in_subprocess("ingest", ours, size, step), base)
                measured[step] = run if step not in measured else _best(measured[step], run)
    return measured


def _best(before: tuple[Figures, Figures], now: tuple[Figures, Figures]) -> tuple[Figures, Figures]:
    def pick(a: Figures, b: Figures) -> Figures:
        faster = a if a["seconds"] <= b["seconds"] else b
        return {**faster, "rss_mb": max(a["rss_mb"], b["rss_mb"])}

    return pick(before[0], now[0]), pick(before[1], now[1])


def rows_for(db: str, size: int, measured: dict[str, tuple[Figures, Figures]]) -> list[Result]:
    rows = []
    wanted = {"first": 0.4, "unchanged": 1.0}
    for step, (ours, base) in measured.items():
        rate = round(ours["records"] / ours["seconds"])
        base_rate = round(base["records"] / base["seconds"])
        goal = wanted.get(step) if size == 100_000 else None
        rows.append(
            Result(
                f"{db} {STEPS[step]} {label(size)} rows/s",
                rate,
                "rows/s",
                base_rate,
                f">= {goal}x baseline" if goal else None,
                rate >= goal * base_rate if goal else None,
            )
        )
    for step, (ours, base) in measured.items():
        limited = size == 100_000
        rows.append(
            Result(
                f"{db} peak RSS {STEPS[step]} {label(size)}",
                round(ours["rss_mb"], 1),
                "MB",
                round(base["rss_mb"], 1),
                f"<= {RSS_LIMIT_MB} MB" if limited else None,
                ours["rss_mb"] <= RSS_LIMIT_MB if limited else None,
            )
        )
    return rows


def growth_row(db: str, small: tuple[Figures, Figures], large: tuple[Figures, Figures]) -> Result:
    ours = large[0]["rss_mb"] / small[0]["rss_mb"]
    theirs = large[1]["rss_mb"] / small[1]["rss_mb"]
    name = f"{db} peak RSS growth first ingest 100k -> 1M"
    return Result(name, round(ours, 2), "x", round(theirs, 2), "< 3x", ours < 3)


def bench(db: str, workdir: str, quick: bool, repeat: int) -> list[Result]:
    print(f"== {db}", flush=True)
    started = time.perf_counter()
    main = measure(db, workdir, 100_000, ["first", "unchanged", "changed"], repeat)
    small = measure(db, workdir, 10_000, ["first"])
    rows = rows_for(db, 100_000, main) + rows_for(db, 10_000, small)
    if not quick:
        large = measure(db, workdir, 1_000_000, ["first"])
        rows += rows_for(db, 1_000_000, large)
        rows.append(growth_row(db, main["first"], large["first"]))
    took = time.perf_counter() - started
    print(f"  {db}: {took / 60:.1f} minutes in all", flush=True)
    if took > SLOW_SECONDS:
        print(f"  NOTE: {db} took over {SLOW_SECONDS // 60} minutes on this machine", flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip the 1,000,000-device step")
    parser.add_argument(
        "--repeat", type=int, default=2, help="runs of the 100,000 steps; the best counts"
    )
    parser.add_argument("--db", choices=DATABASES, action="append")
    parser.add_argument("--worker", choices=["ingest", "baseline"], help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--step", choices=list(STEPS), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        step = ingest_step if args.worker == "ingest" else baseline_step
        print(json.dumps(step(args.url, args.size, args.step), default=str))
        return
    run_on_databases(
        "ingest", args.db, lambda db, workdir: bench(db, workdir, args.quick, args.repeat)
    )


if __name__ == "__main__":
    main()
