"""A user's write moves the kept aggregates by the delta of the servers it touched: after any
sequence of writes of every kind, the kept progress counts, application counts, today's
snapshot and today's hosting figures are exactly what a full rebuild gives."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select
from sqlmodel import Session

from estate.config import Settings
from estate.history.changelog import Actor
from estate.migration import assignments, decommission, plans, statuses
from estate.migration.progress_delta import Touched
from estate.models import Application, Decommission, Server, ServerApplication, Wave
from estate.models.base import table_of, utcnow
from estate.status import DecommissionDecision, MigrationStatus, Strategy
from tests.conftest import empty_database
from tests.core.helpers import complete, server
from tests.migration.helpers import (
    instance,
    kept_aggregates,
    rebuilt_aggregates,
    scan_and_refresh,
)

ACTOR = Actor("capital-assets", "delta")
APPS = ("Payroll", "Planning", "Libraries", "Waste", "Parking")
LAUNCHED = datetime.now(UTC) - timedelta(days=60)
S = MigrationStatus
Draw = st.DataObject
Write = Callable[[Session, Settings, Draw], bool]


def seed(engine: Engine, settings: Settings, rng: random.Random) -> None:
    """Hosts and VMs on three sites, linked to applications by the scan, some powered off with
    a long-running cloud workload (decommission candidates); three waves."""
    hosts = [
        server(
            f"h{i}",
            hostname=f"host{i}",
            kind="physical",
            serial=f"H{i}",
            site=f"Site {i % 3}",
            room="A",
            rack=f"R{rng.randint(1, 3)}",
            rack_units=rng.choice([1, 2]),
            power_watts=rng.choice([None, 300.0]),
            power_state=rng.choice(["on", "off"]),
            applications=_apps(rng),
        )
        for i in range(6)
    ]
    vms = [
        server(
            f"v{i}",
            hostname=f"vm{i}",
            kind="virtual",
            host=f"host{rng.randrange(6)}",
            power_state=rng.choice(["on", "off", "off"]),
            applications=_apps(rng),
            mgn_lifecycle_state=rng.choice([None, None, "TESTING"]),
        )
        for i in range(18)
    ]
    scan_and_refresh(engine, settings, "cmdb", complete([*hosts, *vms]))
    migrated = [f"vm{i}" for i in range(18) if rng.random() < 0.6] + ["host0", "host1"]
    workloads = [instance(f"i-{n}", n, launched_at=LAUNCHED) for n in migrated]
    scan_and_refresh(engine, settings, "aws", complete(workloads, "111122223333/eu-west-2"), "aws")
    with Session(engine) as session:
        for n in range(3):
            plans.create_wave(session, ACTOR, plans.WaveCreate(name=f"Wave {n}"))
        session.commit()


def _apps(rng: random.Random) -> tuple[str, ...]:
    return tuple(rng.sample(APPS, rng.choice([0, 1, 1, 2])))


def _named(session: Session) -> list[str]:
    """The applications a plan can name: the seed's scan links only some of APPS (a name
    that is none is refused, which is no write to check)."""
    return sorted(session.execute(select(Application.name)).scalars())


def _ids(session: Session, model: Any, *where: Any) -> list[int]:
    return sorted(i for (i,) in session.execute(select(model.id).where(*where)))


def _plan(data: Draw, waves: list[int]) -> dict[str, Any]:
    """Some of a plan's fields: each left out, set or cleared."""
    fields: dict[str, Any] = {}
    if data.draw(st.booleans()):
        fields["wave_id"] = data.draw(st.sampled_from([None, *waves]))
    if data.draw(st.booleans()):
        fields["strategy"] = data.draw(st.sampled_from([None, *Strategy]))
    return fields


def review(session: Session, settings: Settings, data: Draw) -> bool:
    servers = table_of(Server)
    found = [
        i
        for i, status, evidence in session.execute(
            select(servers.c.id, servers.c.migration_status, servers.c.migration_evidence)
        )
        if status != S.DECOMMISSIONED and (evidence or status == S.DECOMMISSION_APPROVED)
    ]
    if not found:
        return False
    chosen = data.draw(st.lists(st.sampled_from(sorted(found)), min_size=1, max_size=3))
    decisions = [data.draw(st.sampled_from(list(DecommissionDecision))) for _ in chosen]
    if len(chosen) == 1:
        body = decommission.ReviewIn(decision=decisions[0], note="checked")
        decommission.review(session, settings, ACTOR, chosen[0], body)
    else:  # the dashboard's round of reviews
        steps = [
            (s, decommission.ReviewIn(decision=d)) for s, d in zip(chosen, decisions, strict=True)
        ]
        decommission.review_many(session, settings, ACTOR, list(steps), utcnow().date())
    return True


def remove(session: Session, settings: Settings, data: Draw) -> bool:
    reviews = table_of(Decommission)
    query = select(reviews.c.server_id).where(
        reviews.c.decision == DecommissionDecision.APPROVE, reviews.c.removed_on.is_(None)
    )
    approved = sorted(session.execute(query).scalars())
    if not approved:
        return False
    today = utcnow().date()
    body = decommission.CompleteIn(removed_on=today, disposal_reference="D-1",
                                   data_sanitisation_reference="W-1")  # fmt: skip
    decommission.complete(
        session, settings, ACTOR, data.draw(st.sampled_from(approved)), body, today
    )
    return True


def plan_server(session: Session, settings: Settings, data: Draw) -> bool:
    servers = _ids(session, Server)
    chosen = data.draw(st.sampled_from(servers))
    fields = _plan(data, _ids(session, Wave))
    if "strategy" in fields:
        fields["strategy_override"] = fields.pop("strategy")
    if data.draw(st.booleans()):  # the whole list: the scan's links stay
        extra = data.draw(st.lists(st.sampled_from(_named(session)), max_size=2))
        fields["applications"] = sorted({*_scanned(session, chosen), *extra})
    if data.draw(st.integers(0, 4)) == 0:
        fields["status_override"] = data.draw(st.sampled_from([None, S.MIGRATED, S.RETAINED]))
        fields["status_override_reason"] = "by hand" if fields["status_override"] else None
    plans.update_server(session, settings, ACTOR, chosen, plans.ServerPlanUpdate(**fields))
    return True


def plan_application(session: Session, settings: Settings, data: Draw) -> bool:
    chosen = data.draw(st.sampled_from(_ids(session, Application)))
    body = plans.ApplicationUpdate(**_plan(data, _ids(session, Wave)))
    plans.update_application(session, settings, ACTOR, chosen, body)
    return True


def plan_wave(session: Session, settings: Settings, data: Draw) -> bool:
    chosen = data.draw(st.sampled_from(_ids(session, Wave)))
    end = date(2027, 1, 1) + timedelta(days=data.draw(st.integers(0, 90)))
    plans.update_wave(session, settings, ACTOR, chosen, plans.WaveUpdate(planned_end=end))
    return True


def assign(session: Session, settings: Settings, data: Draw) -> bool:
    chosen = data.draw(st.lists(st.sampled_from(_ids(session, Server)), min_size=1, max_size=5))
    waves = {i: f"Wave {n}" for n, i in enumerate(_ids(session, Wave))}
    items = []
    for server_id in chosen:
        fields = _plan(data, list(waves))
        if "wave_id" in fields:
            wave = fields.pop("wave_id")
            fields["wave"] = waves[wave] if wave is not None else None
        if data.draw(st.booleans()):
            fields["applications"] = data.draw(
                st.lists(st.sampled_from(_named(session)), max_size=2)
            )
        items.append(assignments.Assignment(server=server_id, **fields))
    assignments.assign(session, settings, ACTOR, items)
    return True


WRITES: tuple[Write, ...] = (review, remove, plan_server, plan_application, plan_wave, assign)


@hypothesis_settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_after_each_write_the_kept_aggregates_equal_a_full_rebuild(
    engine: Engine, settings: Settings, data: Draw
) -> None:
    empty_database(engine)
    seed(engine, settings, random.Random(data.draw(st.integers(0, 2**16), label="estate")))
    for _ in range(8):
        write = data.draw(st.sampled_from(WRITES))
        with Session(engine) as session:
            wrote = write(session, settings, data)
            session.commit()
            after = kept_aggregates(session) if wrote else None
        if after is not None:
            assert after == rebuilt_aggregates(engine, settings), write.__name__


def test_a_capture_the_aggregates_moved_past_is_recounted_in_full(
    engine: Engine, settings: Settings
) -> None:
    """Another write committed between a capture and its apply: the delta of the capture
    would count that write's new links twice, so the figures are recounted instead."""
    seed(engine, settings, random.Random(7))
    with Session(engine) as session:
        server_id = _ids(session, Server)[0]
        stale = Touched.capture(session, [server_id])
        wanted = sorted({"Payroll", "Waste", *_scanned(session, server_id)})
        body = plans.ServerPlanUpdate(applications=wanted)
        plans.update_server(session, settings, ACTOR, server_id, body)
        session.commit()
        statuses.refresh(session, settings, server_ids=[server_id], touched=stale)
        session.commit()
        assert kept_aggregates(session) == rebuilt_aggregates(engine, settings)


def _scanned(session: Session, server_id: int) -> list[str]:
    """The server's applications that a scan reports (a plan cannot remove them)."""
    links = table_of(ServerApplication)
    query = (
        select(Application.name)
        .join(links, links.c.application_id == Application.id)
        .where(links.c.server_id == server_id, links.c.origin == "scan")
    )
    return list(session.execute(query).scalars())
