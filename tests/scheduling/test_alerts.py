"""One alert when a source fails N runs in a row, one recovery notice when it next succeeds."""

from __future__ import annotations

from sqlalchemy import Engine, select
from sqlmodel import Session, col

from estate.config import AlertSettings, Settings
from estate.models import OutboxMessage
from estate.outbox.alerts import after_run
from estate.status import RunStatus
from tests.scheduling.seed import add_run

FAILED, OK, PARTIAL = RunStatus.FAILED, RunStatus.OK, RunStatus.PARTIAL


def play(engine: Engine, settings: Settings, statuses: list[RunStatus]) -> list[str | None]:
    """Record runs of one source in turn, working out alerts after each as the scheduler does."""
    outcomes = []
    for status in statuses:
        with Session(engine) as session:
            run = add_run(
                session, "vcenter", status, reason="timed out" if status == FAILED else None
            )
            outcomes.append(after_run(session, settings, run))
            session.commit()
    return outcomes


def messages(engine: Engine) -> list[tuple[str, str]]:
    with Session(engine) as session:
        rows = session.execute(select(OutboxMessage).order_by(col(OutboxMessage.id))).scalars()
        return [(m.kind, m.subject) for m in rows]


def ops(settings: Settings) -> Settings:
    settings.alerts = AlertSettings(failures_in_a_row=3, recipients=["ops@northbridge.example"])
    return settings


def test_the_nth_failure_alerts_once_and_the_next_success_recovers_once(
    engine: Engine, settings: Settings
) -> None:
    outcomes = play(engine, ops(settings), [FAILED, FAILED, FAILED, FAILED, OK, FAILED, OK])

    assert outcomes == [None, None, "alert", None, "recovery", None, None]
    assert messages(engine) == [
        ("alert", "estate: source vcenter has failed 3 runs in a row"),
        ("recovery", "estate: source vcenter has recovered"),
    ]


def test_a_partial_run_counts_as_a_success(engine: Engine, settings: Settings) -> None:
    outcomes = play(
        engine, ops(settings), [FAILED, FAILED, PARTIAL, FAILED, FAILED, FAILED, PARTIAL]
    )

    assert outcomes == [None, None, None, None, None, "alert", "recovery"]


def test_working_it_out_again_stores_nothing_new(engine: Engine, settings: Settings) -> None:
    with Session(engine) as session:
        runs = [add_run(session, "vcenter", FAILED) for _ in range(3)]
        first = after_run(session, ops(settings), runs[-1])
        second = after_run(session, settings, runs[-1])
        session.commit()

    assert (first, second) == ("alert", "alert")
    assert [kind for kind, _ in messages(engine)] == ["alert"]


def test_no_recipients_no_alerts(engine: Engine, settings: Settings) -> None:
    assert play(engine, settings, [FAILED] * 4) == [None] * 4
    assert messages(engine) == []
