"""A user's write in few statements: a review whose server stays among the migrated reads no
other server's application links, a write's change rows go in one INSERT with its status's,
and what a write answers with (the candidate, the server's explanation) is what a read of it
gives afterwards."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, event, select
from sqlmodel import Session

from estate.config import Settings
from estate.history.changelog import Actor
from estate.migration import decommission, plans
from estate.migration.servers import server_detail
from estate.models import Change, Wave
from estate.status import DecommissionDecision, MigrationStatus
from tests.core.helpers import complete, server
from tests.migration.helpers import (
    instance,
    kept_aggregates,
    rebuilt_aggregates,
    scan_and_refresh,
)

ACTOR = Actor("capital-assets", "statements")
LAUNCHED = datetime.now(UTC) - timedelta(days=60)


def load(engine: Engine, settings: Settings) -> None:
    """srv1 and srv2 migrated to the cloud and off (candidates), sharing Payroll with srv3."""
    records = [
        server("1", hostname="srv1", site="Civic Centre", power_state="off",
               applications=("Payroll",)),
        server("2", hostname="srv2", site="Civic Centre", power_state="off",
               applications=("Payroll", "Planning")),
        server("3", hostname="srv3", site="Depot", power_state="on", applications=("Payroll",)),
    ]  # fmt: skip
    scan_and_refresh(engine, settings, "cmdb", complete(records))
    workloads = [instance(f"i-{n}", f"srv{n}", launched_at=LAUNCHED) for n in (1, 2)]
    scan_and_refresh(engine, settings, "aws", complete(workloads, "111122223333/eu-west-2"), "aws")
    with Session(engine) as session:
        plans.create_wave(session, ACTOR, plans.WaveCreate(name="Wave 1"))
        session.commit()


@contextmanager
def statements(engine: Engine) -> Iterator[list[str]]:
    """Every statement the engine runs meanwhile."""
    seen: list[str] = []

    def before(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(" ".join(statement.split()))

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", before)


def _id(session: Session, hostname: str) -> int:
    found = decommission.list_candidates(session, decommission.CandidateQuery()).items
    return next(c.server_id for c in found if c.hostname == hostname)


def test_an_approval_reads_no_other_servers_links_and_answers_as_the_list_then_shows(
    engine: Engine, settings: Settings
) -> None:
    load(engine, settings)
    with Session(engine) as session:
        server_id = _id(session, "srv2")
        body = decommission.ReviewIn(decision=DecommissionDecision.APPROVE, note="ok")
        with statements(engine) as seen:
            answer = decommission.review(session, settings, ACTOR, server_id, body)
        session.commit()
        assert answer.migration_status == MigrationStatus.DECOMMISSION_APPROVED
        assert answer == decommission.get_candidate(session, server_id)
        assert answer.applications == ["Payroll", "Planning"]
        # Candidate to approved: both migrated, so no application's judgement moves.
        assert [s for s in seen if "GROUP BY" in s] == []
        assert len([s for s in seen if s.startswith("INSERT INTO changes")]) == 1
        assert kept_aggregates(session) == rebuilt_aggregates(engine, settings)


def test_a_review_and_its_status_change_are_one_moment_of_the_change_log(
    engine: Engine, settings: Settings
) -> None:
    load(engine, settings)
    with Session(engine) as session:
        server_id = _id(session, "srv1")
        body = decommission.ReviewIn(decision=DecommissionDecision.APPROVE)
        decommission.review(session, settings, ACTOR, server_id, body)
        session.commit()
        rows = session.execute(
            select(Change.field, Change.at, Change.request_id).where(
                Change.entity_kind == "server",
                Change.entity_id == server_id,
                Change.request_id == ACTOR.request_id,
            )
        ).all()
    fields = {field for field, _, _ in rows}
    assert {"decommission_decision", "migration_status"} <= fields
    assert len({at for _, at, _ in rows}) == 1


def test_a_plan_change_answers_with_the_explanation_a_read_gives_after(
    engine: Engine, settings: Settings
) -> None:
    load(engine, settings)
    with Session(engine) as session:
        server_id = _id(session, "srv1")
        wave_id = session.execute(select(Wave.id)).scalar_one()
        body = plans.ServerPlanUpdate(wave_id=wave_id, strategy_override="rehost")
        with statements(engine) as seen:
            answer = plans.update_server(session, settings, ACTOR, server_id, body)
        session.commit()
        session.expire_all()
        read = server_detail(session, settings.migration, server_id)
        assert read is not None and answer.migration is not None
        assert answer.migration == read.migration
        assert answer.migration.wave == "Wave 1"
        # The facts are loaded once, by the refresh (the answer's explanation is its own), and
        # the plan is written with the status derived from it.
        assert len([s for s in seen if s.startswith("SELECT workloads.migrated_from")]) == 1
        assert len([s for s in seen if s.startswith("UPDATE servers")]) == 1
        assert (read.wave_id, read.strategy_override) == (wave_id, "rehost")
        assert kept_aggregates(session) == rebuilt_aggregates(engine, settings)
