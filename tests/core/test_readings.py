"""Readings (a device's last sync, a server's power draw) move on every scan without the thing
changing: the latest is kept on the entity, no change row is written, and a run's counts
say so (a run that reports nothing changed has written no change rows)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, func, select
from sqlmodel import Session, col

from estate.config import Settings
from estate.inventory.records import DeviceRecord, ServerRecord
from estate.models import Change, Device, ReadingDay, Server
from tests.core.helpers import complete, scan


def device(last_seen: datetime, **fields: object) -> DeviceRecord:
    return DeviceRecord(
        external_id="LT-1", scope="tenant", asset_tag="LT-1", last_seen_at=last_seen, **fields
    )  # type: ignore[arg-type]


def change_rows(engine: Engine, run_id: int | None) -> int:
    with Session(engine) as session:
        query = select(func.count()).where(col(Change.scan_run_id) == run_id)
        return session.execute(query).scalar_one()


def test_a_later_sync_is_shown_on_the_device_and_is_no_change(
    engine: Engine, settings: Settings
) -> None:
    seen = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    scan(engine, settings, "intune", complete([device(seen)], "tenant"), kind="intune")

    synced = seen.replace(hour=17)
    later = scan(engine, settings, "intune", complete([device(synced)], "tenant"), kind="intune")
    same = scan(engine, settings, "intune", complete([device(synced)], "tenant"), kind="intune")

    assert (later.changed, later.unchanged, later.readings) == (0, 1, 1)
    assert (same.changed, same.unchanged, same.readings) == (0, 1, 0)
    assert change_rows(engine, later.id) == change_rows(engine, same.id) == 0
    with Session(engine) as session:
        [found] = session.execute(select(Device)).scalars().all()
        assert found.last_seen_at == synced
        assert session.execute(select(func.count()).select_from(ReadingDay)).scalar_one() == 0


def test_a_reading_and_a_real_change_together_write_only_the_change(
    engine: Engine, settings: Settings
) -> None:
    def bmc(watts: float, rack: str) -> ServerRecord:
        return ServerRecord(
            external_id="bmc-1", scope="bmc", hostname="nbc-db01", power_watts=watts, rack=rack
        )

    scan(engine, settings, "bmcs", complete([bmc(410.0, "A1")], "bmc"), kind="redfish")

    moved = scan(engine, settings, "bmcs", complete([bmc(415.0, "B2")], "bmc"), kind="redfish")

    with Session(engine) as session:
        rows = session.execute(
            select(col(Change.field), col(Change.old), col(Change.new)).where(
                col(Change.scan_run_id) == moved.id
            )
        ).all()
        [server] = session.execute(select(Server)).scalars().all()
    assert (moved.changed, moved.readings) == (1, 0)
    assert [tuple(r) for r in rows] == [("rack", "A1", "B2")]
    assert (server.rack, server.power_watts) == ("B2", 415.0)


def test_readings_a_source_could_not_read_keep_their_last_values(
    engine: Engine, settings: Settings
) -> None:
    def vm(watts: float | None, cpu: float | None, **fields: Any) -> ServerRecord:
        return ServerRecord(
            external_id="vm-1",
            scope="vc",
            hostname="app01",
            power_watts=watts,
            cpu_usage_percent=cpu,
            **fields,
        )

    scan(engine, settings, "vc", complete([vm(120.0, 35.0)], "vc"), kind="vcenter")

    def kept() -> tuple[float | None, float | None]:
        with Session(engine) as session:
            query = select(col(Server.power_watts), col(Server.cpu_usage_percent))
            power, cpu = session.execute(query).one()
        return power, cpu

    unread = vm(None, None, readings_unread=("cpu_usage_percent",))
    partial = scan(engine, settings, "vc", complete([unread], "vc"), kind="vcenter")
    # What was read again (no power draw) replaces; what could not be read keeps its value...
    assert kept() == (None, 35.0)
    cleared = scan(engine, settings, "vc", complete([vm(None, None)], "vc"), kind="vcenter")
    # ...until a scan that read it says it has none.
    assert kept() == (None, None)
    assert (partial.readings, cleared.readings) == (1, 1)
    assert change_rows(engine, partial.id) == change_rows(engine, cleared.id) == 0
