"""Bulk refresh of replacement dates and the forecast, on SQLite or PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, update
from sqlmodel import Session, col

from estate.config import ReplacementSettings
from estate.devices.forecast import (
    DeviceFilter,
    Forecast,
    device_filter_clauses,
    forecast,
)
from estate.devices.policy import Policy
from estate.devices.quarters import financial_quarter
from estate.devices.store import dispose_devices, refresh_replacement, set_override
from estate.history.changelog import Cause, ChangeLog
from estate.models import Change
from estate.models.device import Device, DeviceReason
from estate.status import EntityStatus

TODAY = date(2026, 11, 25)
POLICY = Policy.from_settings(ReplacementSettings(batch_size=3))


def make_device(session: Session, **overrides: Any) -> Device:
    device = Device(**overrides)
    session.add(device)
    session.flush()
    return device


def seed(session: Session) -> dict[str, int]:
    rows: dict[str, dict[str, Any]] = {
        "finance-laptop": dict(
            hostname="LT-1", device_type="laptop", department="Finance",
            purchased_on=date(2023, 5, 1), purchase_cost=900.0,
        ),  # lifespan 2027-05-01: 2027/28 Q1
        "finance-laptop-2": dict(
            hostname="LT-2", device_type="laptop", department="Finance",
            purchased_on=date(2023, 6, 30), purchase_cost=1100.0,
        ),  # 2027-06-30: 2027/28 Q1
        "finance-desktop-win10": dict(
            hostname="PC-1", device_type="desktop", department="Finance",
            purchased_on=date(2022, 1, 10), os_name="Windows", os_version="10.0.19045.5131",
        ),  # 2025-10-14: 2025/26 Q3, no cost known
        "housing-tablet-leap": dict(
            hostname="TB-1", device_type="tablet", department="Housing",
            purchased_on=date(2024, 2, 29), purchase_cost=400.0,
        ),  # 2027-02-28: 2026/27 Q4
        "housing-thin-client": dict(
            hostname="TC-1", device_type="thin-client", department="Housing",
            purchased_on=date(2020, 1, 15), purchase_cost=300.0,
        ),  # 2027-01-15: 2026/27 Q4
        "undated": dict(hostname="PC-2", device_type="desktop", department="Housing"),
        "gone": dict(
            hostname="PC-3", device_type="desktop", department="Housing",
            purchased_on=date(2020, 1, 1), status=EntityStatus.GONE,
        ),
        "no-department": dict(
            hostname="PH-1", device_type="phone", purchased_on=date(2024, 4, 1),
            purchase_cost=600.0,
        ),  # 2027-04-01: 2027/28 Q1
    }  # fmt: skip
    return {name: make_device(session, **values).id or 0 for name, values in rows.items()}


def due(session: Session, device_id: int) -> tuple[date | None, bool, list[str]]:
    device = session.get(Device, device_id)
    assert device is not None
    session.refresh(device)
    rules = [reason["rule"] for reason in device.replacement_reasons or []]
    return device.replacement_due_on, device.replacement_explicit, rules


def test_refresh_writes_every_device_in_batches_and_only_changes(engine: Engine) -> None:
    with Session(engine) as session:
        ids = seed(session)

        changed = refresh_replacement(session, POLICY, TODAY)
        again = refresh_replacement(session, POLICY, TODAY)

        assert (changed, again) == (8, 0)
        assert due(session, ids["finance-laptop"]) == (date(2027, 5, 1), False, ["lifespan"])
        assert due(session, ids["housing-tablet-leap"]) == (date(2027, 2, 28), False, ["lifespan"])
        assert due(session, ids["finance-desktop-win10"]) == (
            date(2025, 10, 14),
            False,
            ["os-end-of-support", "lifespan"],
        )
        assert due(session, ids["undated"]) == (None, False, [])


def test_override_wins_and_clearing_it_restores_the_policy(engine: Engine) -> None:
    with Session(engine) as session:
        ids = seed(session)
        refresh_replacement(session, POLICY, TODAY)

        set_override(session, [ids["finance-laptop"]], date(2026, 12, 1), POLICY, TODAY)
        overridden = due(session, ids["finance-laptop"])
        set_override(session, [ids["finance-laptop"]], None, POLICY, TODAY)

        assert overridden == (date(2026, 12, 1), True, ["override", "lifespan"])
        assert due(session, ids["finance-laptop"]) == (date(2027, 5, 1), False, ["lifespan"])


def test_disposal_clears_assignee_and_due_date(engine: Engine) -> None:
    with Session(engine) as session:
        device = make_device(
            session, hostname="LT-9", device_type="laptop", purchased_on=date(2020, 1, 1),
            assigned_to="a.person@council.example",
        )  # fmt: skip
        refresh_replacement(session, POLICY, TODAY)

        dispose_devices(session, [device.id], date(2026, 11, 20), POLICY, TODAY)  # type: ignore[list-item]
        session.refresh(device)

        assert (device.disposed_on, device.assigned_to) == (date(2026, 11, 20), None)
        assert (device.replacement_due_on, device.replacement_reasons) == (None, [])


def test_a_source_cannot_bring_back_a_disposed_devices_assignee(engine: Engine) -> None:
    with Session(engine) as session:
        device = make_device(
            session,
            hostname="LT-8",
            disposed_on=date(2026, 1, 1),
            assigned_to="late@council.example",
        )

        refresh_replacement(session, POLICY, TODAY)
        session.refresh(device)

        assert device.assigned_to is None


def test_forecast_groups_by_financial_year_quarter_department_and_type(engine: Engine) -> None:
    settings = ReplacementSettings(unit_costs={"laptop": 1000.0})
    with Session(engine) as session:
        seed(session)
        refresh_replacement(session, POLICY, TODAY)

        result = forecast(session, DeviceFilter(), settings)

    rows = [
        (r.financial_year, r.quarter, r.department, r.device_type, r.count, r.cost, r.uncosted)
        for r in result.rows
    ]
    assert rows == [
        ("2025/26", "Q3", "Finance", "desktop", 1, 0.0, 1),
        ("2026/27", "Q4", "Housing", "tablet", 1, 400.0, 0),
        ("2026/27", "Q4", "Housing", "thin-client", 1, 300.0, 0),
        ("2027/28", "Q1", None, "phone", 1, 600.0, 0),
        ("2027/28", "Q1", "Finance", "laptop", 2, 2000.0, 0),
    ]
    assert [(y.financial_year, y.count, y.cost) for y in result.years] == [
        ("2025/26", 1, 0.0),
        ("2026/27", 2, 700.0),
        ("2027/28", 3, 2600.0),
    ]
    assert (result.count, result.cost, result.uncosted, result.undated) == (6, 3300.0, 1, 1)


FILTERS = [
    DeviceFilter(),
    DeviceFilter(department="Finance"),
    DeviceFilter(device_type="laptop"),
    DeviceFilter(due_from=date(2026, 4, 1), due_to=date(2027, 3, 31)),
    DeviceFilter(due_to=date(2026, 12, 31)),
    DeviceFilter(include_gone=True),
    DeviceFilter(department="Housing", include_gone=True),
    DeviceFilter(explicit=False, include_disposed=True),
]


@pytest.mark.parametrize("from_buckets", [True, False], ids=["buckets", "devices"])
@pytest.mark.parametrize("filters", FILTERS)
def test_forecast_sums_equal_the_device_list_filtered_the_same_way(
    engine: Engine, filters: DeviceFilter, from_buckets: bool
) -> None:
    settings = ReplacementSettings()
    with Session(engine) as session:
        seed(session)
        # Windows 11 readiness of every kind: ready, not ready, and a Mac it does not count.
        for hostname, os_name, cpu in (
            ("PC-4", "Windows 10 Enterprise", "Intel Core i5-8500"),
            ("PC-5", "Windows 10 Enterprise", "Intel Core i5-7500"),
            ("MAC-1", "macOS", None),
        ):
            make_device(
                session, hostname=hostname, device_type="desktop", department="Finance",
                purchased_on=date(2024, 1, 1), os_name=os_name, cpu_model=cpu,
            )  # fmt: skip
        refresh_replacement(session, POLICY, TODAY)

        result = forecast(session, filters, settings, from_buckets=from_buckets)
        listed = session.execute(select(Device).where(*device_filter_clauses(filters))).scalars()
        devices = list(listed)

    assert_matches_list(result, devices)


def assert_matches_list(result: Forecast, devices: list[Device]) -> None:
    dated = [d for d in devices if d.replacement_due_on is not None]
    assert result.count + result.undated == len(devices)
    assert result.count == len(dated)
    assert result.cost == round(sum(d.purchase_cost or 0.0 for d in dated), 2)
    assert result.uncosted == sum(1 for d in dated if d.purchase_cost is None)
    by_quarter: dict[tuple[str, str], int] = {}
    for d in dated:
        key = financial_quarter(d.replacement_due_on)  # type: ignore[arg-type]
        by_quarter[key] = by_quarter.get(key, 0) + 1
    forecast_quarters: dict[tuple[str, str], int] = {}
    for r in result.rows:
        key = (r.financial_year, r.quarter)
        forecast_quarters[key] = forecast_quarters.get(key, 0) + r.count
    assert forecast_quarters == by_quarter
    counted = [
        d.windows11_ready
        for d in devices
        if d.windows11_ready is not None or d.os_name is None or "windows" in d.os_name.lower()
    ]
    assert result.windows11 is not None
    assert (result.windows11.ready, result.windows11.not_ready, result.windows11.unknown) == (
        counted.count(True),
        counted.count(False),
        counted.count(None),
    )


def test_a_due_date_bound_inside_a_quarter_is_answered_from_the_devices(engine: Engine) -> None:
    filters = DeviceFilter(due_from=date(2027, 2, 1), due_to=date(2027, 5, 15))
    with Session(engine) as session:
        seed(session)
        refresh_replacement(session, POLICY, TODAY)

        result = forecast(session, filters, ReplacementSettings())
        devices = list(
            session.execute(select(Device).where(*device_filter_clauses(filters))).scalars()
        )
        with pytest.raises(ValueError, match="quarter boundaries"):
            forecast(session, filters, ReplacementSettings(), from_buckets=True)

    assert sorted(d.hostname or "" for d in devices) == ["LT-1", "PH-1", "TB-1"]
    assert_matches_list(result, devices)


def test_buckets_follow_a_department_move_at_the_next_refresh(engine: Engine) -> None:
    with Session(engine) as session:
        ids = seed(session)
        refresh_replacement(session, POLICY, TODAY)
        session.execute(
            update(Device).where(col(Device.id) == ids["finance-laptop"]).values(department="IT")
        )

        refresh_replacement(session, POLICY, TODAY)
        result = forecast(session, DeviceFilter(department="IT"), ReplacementSettings())

    assert [(r.financial_year, r.quarter, r.count) for r in result.rows] == [("2027/28", "Q1", 1)]


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (date(2026, 4, 1), ("2026/27", "Q1")),
        (date(2026, 6, 30), ("2026/27", "Q1")),
        (date(2026, 7, 1), ("2026/27", "Q2")),
        (date(2026, 12, 31), ("2026/27", "Q3")),
        (date(2027, 1, 1), ("2026/27", "Q4")),
        (date(2027, 3, 31), ("2026/27", "Q4")),
        (date(1999, 4, 1), ("1999/00", "Q1")),
    ],
)
def test_financial_quarter(on: date, expected: tuple[str, str]) -> None:
    assert financial_quarter(on) == expected


def test_refresh_of_named_devices_leaves_others_alone(engine: Engine) -> None:
    with Session(engine) as session:
        ids = seed(session)

        changed = refresh_replacement(session, POLICY, TODAY, [ids["finance-laptop"]])
        evaluated = session.scalar(
            select(func.count()).where(col(Device.replacement_reasons).is_not(None))
        )

        assert (changed, evaluated) == (1, 1)


def evaluated_now(session: Session, policy: Policy, today: date) -> int:
    return refresh_replacement(session, policy, today)


def test_a_refresh_evaluates_only_devices_whose_inputs_changed(engine: Engine) -> None:
    with Session(engine) as session:
        ids = seed(session)
        first = evaluated_now(session, POLICY, TODAY)
        unchanged = evaluated_now(session, POLICY, TODAY)
        # Plain UPDATEs, as any writer makes them: the table itself notices what changed.
        laptop = col(Device.id) == ids["finance-laptop"]
        session.execute(update(Device).where(laptop).values(hostname="LT-1-RENAMED"))
        renamed = evaluated_now(session, POLICY, TODAY)
        session.execute(update(Device).where(laptop).values(warranty_expires_on=date(2026, 12, 1)))
        session.execute(update(Device).where(laptop).values(department="Finance"))
        changed = evaluated_now(session, POLICY, TODAY)

        assert (first, unchanged, renamed, changed) == (8, 0, 0, 1)
        assert due(session, ids["finance-laptop"]) == (
            date(2026, 12, 1),
            False,
            ["warranty", "lifespan"],
        )


def test_stale_follows_the_date_and_a_new_sighting(engine: Engine) -> None:
    stale_policy = Policy.from_settings(ReplacementSettings(stale_days=90))
    with Session(engine) as session:
        long_gone = make_device(
            session, hostname="LT-20", device_type="laptop",
            last_seen_at=datetime(2026, 8, 1, 15, 0, tzinfo=UTC),
        )  # fmt: skip  # stale since 2026-10-30
        lately = make_device(
            session, hostname="LT-21", device_type="laptop",
            last_seen_at=datetime(2026, 9, 1, 23, 30, tzinfo=UTC),
        )  # fmt: skip  # stale from 2026-11-30
        first = evaluated_now(session, stale_policy, TODAY)
        days_later = evaluated_now(session, stale_policy, date(2026, 11, 29))
        gone_stale = evaluated_now(session, stale_policy, date(2026, 11, 30))
        both_stale = (due(session, long_gone.id or 0), due(session, lately.id or 0))
        session.execute(
            update(Device)
            .where(col(Device.id) == long_gone.id)
            .values(last_seen_at=datetime(2026, 11, 30, 8, 0, tzinfo=UTC))
        )
        seen_again = evaluated_now(session, stale_policy, date(2026, 11, 30))
        back_in_time = evaluated_now(session, stale_policy, TODAY)

        assert (first, days_later, gone_stale, seen_again, back_in_time) == (2, 0, 1, 1, 1)
        assert both_stale == (
            (date(2026, 10, 30), False, ["stale"]),
            (date(2026, 11, 30), False, ["stale"]),
        )
        assert due(session, long_gone.id or 0) == (None, False, [])
        assert due(session, lately.id or 0) == (None, False, [])


def test_a_changed_policy_re_evaluates_every_device(engine: Engine) -> None:
    longer = Policy.from_settings(ReplacementSettings(lifespan_years={"laptop": 6}, batch_size=3))
    with Session(engine) as session:
        ids = seed(session)
        evaluated_now(session, POLICY, TODAY)

        after_change = refresh_replacement(session, longer, TODAY, [ids["finance-laptop"]])
        again = evaluated_now(session, longer, TODAY)

        assert (after_change, again) == (8, 0)
        assert due(session, ids["finance-laptop"]) == (date(2029, 5, 1), False, ["lifespan"])


def test_a_processor_set_by_any_writer_is_evaluated_at_the_next_refresh(engine: Engine) -> None:
    with Session(engine) as session:
        ids = seed(session)
        refresh_replacement(session, POLICY, TODAY)
        pc = ids["finance-desktop-win10"]
        session.execute(
            update(Device).where(col(Device.id) == pc).values(cpu_model="Intel Core i5-7500")
        )

        evaluated = refresh_replacement(session, POLICY, TODAY)
        device = session.get(Device, pc)
        assert device is not None
        session.refresh(device)

    assert evaluated == 1
    assert device.windows11_ready is False
    assert [r["rule"] for r in device.replacement_reasons or []] == [
        "os-end-of-support",
        "windows-11-hardware",
        "lifespan",
    ]
    assert device.replacement_due_on == date(2025, 10, 14)


RECORDED = ("replacement_due_on", "replacement_reasons", "replacement_explicit", "windows11_ready")


def _decisions(session: Session) -> dict[int, dict[str, Any]]:
    session.expire_all()
    rows = session.execute(select(col(Device.id), *(getattr(Device, n) for n in RECORDED)))
    return {row[0]: dict(zip(RECORDED, row[1:], strict=True)) for row in rows}


def _recorded(session: Session, since: int) -> list[tuple[int, str, Any, Any]]:
    query = select(Change).where(col(Change.id) > since).order_by(col(Change.id))
    return [(c.entity_id, c.field, c.old, c.new) for c in session.execute(query).scalars()]


def _listed_rules(session: Session) -> list[tuple[int, str]]:
    query = select(col(DeviceReason.device_id), col(DeviceReason.rule))
    return sorted((row[0], row[1]) for row in session.execute(query))


def _last_change(session: Session) -> int:
    return session.execute(select(func.coalesce(func.max(col(Change.id)), 0))).scalar_one()


def test_a_refresh_records_what_moved_as_the_generic_diff_would(engine: Engine) -> None:
    """The refresh's own change rows (estate.devices.batch) against ChangeLog.diff of each
    device's decision as read before and after: every moved field, old and new, and nothing
    else, for a first refresh, and for moved dates, reasons, overrides and readiness; and the
    listed rules (device_reasons) those of the reasons after each."""
    with Session(engine) as session:
        ids = seed(session)
        make_device(session, hostname="W11", device_type="laptop", purchased_on=date(2024, 1, 1),
                    os_name="Windows", os_version="10.0.19045.5131", memory_gb=2.0,
                    storage_gb=256.0, tpm_version="2.0")  # fmt: skip
        steps = [
            lambda: None,
            lambda: session.execute(update(Device).where(col(Device.id) == ids["finance-laptop"])
                                    .values(purchased_on=date(2021, 1, 1))),
            lambda: session.execute(update(Device).where(col(Device.hostname) == "W11")
                                    .values(memory_gb=16.0)),
            lambda: set_override(session, [ids["undated"]], date(2027, 1, 1), POLICY, TODAY),
            lambda: set_override(session, [ids["undated"]], None, POLICY, TODAY),
        ]  # fmt: skip
        for step in steps:
            before, since = _decisions(session), _last_change(session)
            step()
            refresh_replacement(session, POLICY, TODAY)
            after = _decisions(session)
            log = ChangeLog(Cause())
            log.diff("device", [(i, before[i], after[i]) for i in sorted(after)])
            expected = [(r["entity_id"], r["field"], json.loads(r["old"]), json.loads(r["new"]))
                        for r in log.rows]  # fmt: skip

            assert _recorded(session, since) == expected
            assert expected
            assert _listed_rules(session) == sorted(
                (i, rule) for i, d in after.items()
                for rule in {r["rule"] for r in d["replacement_reasons"] or []}
            )  # fmt: skip
