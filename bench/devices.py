"""Replacement evaluation and the replacement forecast over 200,000 devices, on SQLite and
PostgreSQL, each beside a baseline measured in the same run on the same rows.

- refresh (first, unchanged, and after 1% of the devices changed): `refresh_replacement`;
  baseline: a plain bulk update of the same rows making the same change, the driver's
  executemany of `UPDATE devices SET <the three replacement columns> WHERE id = ?` with the
  values already known, in one transaction (what writing the results costs without working
  anything out).
  Targets: first <= 2x the baseline, unchanged <= 0.1x it.
- forecast p50 (all devices, and one department): `forecast` in SQL; baseline: the same sums
  got by loading each device's due date, department, type and cost into Python.
  Target: forecast p50 <= 200 ms.

    .venv/bin/python bench/devices.py [--db sqlite|postgresql] [--size N]
"""

from __future__ import annotations

import json
import random
import statistics
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from common import Result, fresh_database, main_on_databases
from sqlalchemy import Engine, insert, select, text, update
from sqlmodel import Session, col

from estate.config import ReplacementSettings
from estate.db import make_engine
from estate.db.schema import upgrade
from estate.devices.forecast import DeviceFilter, forecast
from estate.devices.policy import Policy
from estate.devices.quarters import financial_quarter
from estate.devices.store import refresh_replacement
from estate.models.device import Device

TODAY = date(2026, 11, 25)
TARGET_MS = 200.0
FIRST_TARGET, UNCHANGED_TARGET = 2.0, 0.1
CHANGED_SHARE = 100  # one device in this many changes between the refreshes
FORECAST_RUNS = 21
BASELINE_RUNS = 5
DEPARTMENTS = [f"Department {n:02d}" for n in range(25)]
TYPES = ["laptop"] * 45 + ["desktop"] * 30 + ["thin-client"] * 10 + ["tablet"] * 8 + ["phone"] * 7
COSTS = {"laptop": 950.0, "desktop": 700.0, "thin-client": 320.0, "tablet": 450.0, "phone": 380.0}
OS_BY_TYPE: dict[str, list[tuple[str, str]]] = {
    "laptop": [("Windows", "10.0.19045.5131"), ("Windows", "10.0.22631.4460"),
               ("Windows", "10.0.26100.2314"), ("macOS", "14.5"), ("macOS", "13.6.7")],
    "desktop": [("Windows", "10.0.19045.5131"), ("Windows 11 Enterprise", "10.0 (22631)"),
                ("Windows", "10.0.26100.2314"), ("Windows 10 Pro", "22H2")],
    "thin-client": [("Windows 10 IoT Enterprise LTSC", "10.0 (19044)")],
    "tablet": [("iPadOS", "17.5"), ("ChromeOS", "130.0")],
    "phone": [("iOS", "18.1"), ("Android", "14")],
}  # fmt: skip


def device_row(i: int, rng: random.Random) -> dict[str, Any]:
    kind = rng.choice(TYPES)
    bought = date(2016, 1, 1) + timedelta(days=rng.randrange(3956)) if rng.random() > 0.05 else None
    os_name, os_version = rng.choice(OS_BY_TYPE[kind])
    seen = datetime(2026, 11, 25, tzinfo=UTC) - timedelta(hours=rng.randrange(24 * 200))
    roll = rng.random()
    return {
        "hostname": f"DEV-{i:06d}",
        "name_key": f"dev-{i:06d}",
        "device_type": kind,
        "department": rng.choice(DEPARTMENTS),
        "purchased_on": bought,
        "purchase_cost": round(COSTS[kind] * rng.uniform(0.8, 1.2), 2) if roll > 0.1 else None,
        "warranty_expires_on": bought + timedelta(days=3 * 365) if bought and roll > 0.3 else None,
        "os_name": os_name,
        "os_version": os_version,
        "model": "Google Pixelbook Go" if os_name == "ChromeOS" else None,
        "memory_gb": rng.choice([None, None, 2.0, 4.0, 8.0, 16.0]),
        "last_seen_at": seen if rng.random() > 0.1 else None,
        "replacement_override_on": TODAY + timedelta(days=rng.randrange(900))
        if roll < 0.01
        else None,
        "disposed_on": date(2026, 1, 5) if 0.01 <= roll < 0.02 else None,
        "status": "gone" if 0.02 <= roll < 0.04 else "active",
    }


def seed(engine: Engine, size: int) -> None:
    rng = random.Random(42)
    batch = 10_000
    with engine.begin() as conn:
        for start in range(0, size, batch):
            rows = [device_row(i, rng) for i in range(start, min(start + batch, size))]
            conn.execute(insert(Device), rows)
        conn.execute(text("ANALYZE"))


def timed(action: Callable[[], Any]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def plain_bulk_update(engine: Engine) -> float:
    """The baseline: the replacement columns the refresh wrote, cleared (not timed), then
    written back by the driver's executemany, one UPDATE per row, in one transaction: the same
    rows changing the same way, with nothing worked out."""
    with engine.begin() as conn:
        rows = conn.exec_driver_sql(
            "SELECT replacement_due_on, replacement_reasons, replacement_explicit, id FROM devices"
        ).all()
        conn.execute(
            update(Device).values(
                replacement_due_on=None, replacement_reasons=None, replacement_explicit=False
            )
        )
    postgres = engine.dialect.name == "postgresql"
    mark = "%s" if postgres else "?"
    sql = (
        f"UPDATE devices SET replacement_due_on = {mark}, replacement_reasons = {mark},"
        f" replacement_explicit = {mark} WHERE id = {mark}"
    )
    params = [(due, json.dumps(r) if postgres else r, x, i) for due, r, x, i in rows]
    raw = engine.raw_connection()
    try:
        started = time.perf_counter()
        cursor = raw.cursor()
        cursor.executemany(sql, params)
        raw.commit()
        return time.perf_counter() - started
    finally:
        raw.close()


def change_some(engine: Engine) -> None:
    """One device in CHANGED_SHARE moves department and one in ten of those gets an override."""
    with engine.begin() as conn:
        conn.execute(
            update(Device)
            .where(col(Device.id) % CHANGED_SHARE == 0)
            .values(department=DEPARTMENTS[0])
        )
        conn.execute(
            update(Device)
            .where(col(Device.id) % (CHANGED_SHARE * 10) == 0)
            .values(replacement_override_on=TODAY + timedelta(days=30))
        )


def refresh(engine: Engine, policy: Policy) -> int:
    with Session(engine) as session:
        changed = refresh_replacement(session, policy, TODAY)
        session.commit()
    return changed


def forecast_in_sql(engine: Engine, filters: DeviceFilter, settings: ReplacementSettings) -> Any:
    with Session(engine) as session:
        return forecast(session, filters, settings)


def forecast_in_python(engine: Engine, filters: DeviceFilter, settings: ReplacementSettings) -> Any:
    """The baseline: every device's due date, department, type and cost summed in Python."""
    query = select(
        col(Device.replacement_due_on), col(Device.department), col(Device.device_type),
        col(Device.purchase_cost), col(Device.status), col(Device.disposed_on),
    )  # fmt: skip
    counts: Counter[tuple[Any, ...]] = Counter()
    costs: defaultdict[tuple[Any, ...], float] = defaultdict(float)
    with Session(engine) as session:
        for due, department, kind, cost, status, disposed in session.execute(query):
            if due is None or status == "gone" or disposed is not None:
                continue
            if filters.department is not None and department != filters.department:
                continue
            key = (*financial_quarter(due), department, kind)
            counts[key] += 1
            costs[key] += settings.unit_costs.get(kind, cost or 0.0)
    return counts, costs


def p50_ms(action: Callable[[], Any], runs: int) -> float:
    action()  # warm: caches and the query plan
    return statistics.median(timed(action) for _ in range(runs)) * 1000


def bench(db: str, workdir: str, size: int) -> list[Result]:
    print(f"== {db}: {size:,} devices", flush=True)
    settings = ReplacementSettings(unit_costs={"laptop": 1000.0, "desktop": 750.0})
    policy = Policy.from_settings(settings)
    with fresh_database(db, workdir) as url:
        engine = make_engine(url)
        upgrade(engine)
        print(f"  seeded in {timed(lambda: seed(engine, size)):.1f} s", flush=True)
        first = timed(lambda: refresh(engine, policy))
        plain = plain_bulk_update(engine)
        again = timed(lambda: refresh(engine, policy))
        change_some(engine)
        some = timed(lambda: refresh(engine, policy))
        everyone, one = DeviceFilter(), DeviceFilter(department=DEPARTMENTS[3])
        sql_all = p50_ms(lambda: forecast_in_sql(engine, everyone, settings), FORECAST_RUNS)
        py_all = p50_ms(lambda: forecast_in_python(engine, everyone, settings), BASELINE_RUNS)
        sql_one = p50_ms(lambda: forecast_in_sql(engine, one, settings), FORECAST_RUNS)
        py_one = p50_ms(lambda: forecast_in_python(engine, one, settings), BASELINE_RUNS)
        check_sums(engine, everyone, settings)
        engine.dispose()
    label = f"{db} {size // 1000}k devices"
    return [
        Result(f"{label}: refresh, first (s)", round(first, 3), "s", round(plain, 3),
               f"<= {FIRST_TARGET:g}x plain bulk update", first <= FIRST_TARGET * plain),
        Result(f"{label}: refresh, unchanged (s)", round(again, 3), "s", round(plain, 3),
               f"<= {UNCHANGED_TARGET:g}x plain bulk update", again <= UNCHANGED_TARGET * plain),
        Result(f"{label}: refresh, {100 / CHANGED_SHARE:g}% changed (s)", round(some, 3), "s",
               round(plain, 3)),
        Result(f"{label}: forecast p50, all (ms)", round(sql_all, 1), "ms", round(py_all, 1),
               f"<= {TARGET_MS:g} ms", sql_all <= TARGET_MS),
        Result(f"{label}: forecast p50, one department (ms)", round(sql_one, 1), "ms",
               round(py_one, 1), f"<= {TARGET_MS:g} ms", sql_one <= TARGET_MS),
    ]  # fmt: skip


def check_sums(engine: Engine, filters: DeviceFilter, settings: ReplacementSettings) -> None:
    """The SQL forecast and the Python baseline must agree, or the timings mean nothing."""
    result = forecast_in_sql(engine, filters, settings)
    counts, costs = forecast_in_python(engine, filters, settings)
    assert result.count == sum(counts.values()), (result.count, sum(counts.values()))
    assert abs(result.cost - sum(costs.values())) < 1.0, (result.cost, sum(costs.values()))


def main() -> None:
    main_on_databases("devices", __doc__, "--size", 200_000, bench)


if __name__ == "__main__":
    main()
