"""The migration status as a pure function of one server's facts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from estate.config import MigrationSettings
from estate.migration.rules import AppPlan, LinkedWorkload, Review, ServerFacts, derive
from estate.status import DecommissionDecision, Strategy

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
RULES = MigrationSettings(workload_running_days=14, not_seen_days=30)
WAVES = {7: "Wave 7"}
PAYROLL = AppPlan("Payroll", Strategy.REHOST, 7)
ARCHIVE = AppPlan("Archive", Strategy.RETIRE, None)


def days_ago(days: int) -> datetime:
    return NOW - timedelta(days=days)


def running(days: int, state: str = "running") -> tuple[LinkedWorkload, ...]:
    return (LinkedWorkload("i-0abc", state, days_ago(days)),)


def review(decision: DecommissionDecision, removed: date | None = None) -> Review:
    return Review(
        decision, "assets-team", days_ago(1), None, removed, "WEEE-1" if removed else None
    )


CASES = [
    ("nothing known", ServerFacts(), "not-assessed", "none",
     "no strategy, wave or migration facts yet"),
    ("the server's own strategy", ServerFacts(strategy_override=Strategy.REPLATFORM),
     "assessed", "strategy", "strategy replatform (from server)"),
    ("the first application with one", ServerFacts(applications=(
        AppPlan("Archive", None, None), AppPlan("Payroll", Strategy.REHOST, None))),
     "assessed", "strategy", "strategy rehost (from application Payroll)"),
    ("a wave", ServerFacts(applications=(PAYROLL,)), "planned", "wave",
     "wave Wave 7 (from application Payroll)"),
    ("retain", ServerFacts(strategy_override=Strategy.RETAIN), "retained", "strategy",
     "strategy retain (from server)"),
    ("retire, still on", ServerFacts(applications=(ARCHIVE,), power_state="on"), "retired",
     "strategy", "strategy retire (from application Archive)"),
    ("MGN replicating", ServerFacts(applications=(PAYROLL,), mgn_lifecycle_state="READY_FOR_TEST"),
     "replicating", "mgn_lifecycle_state", "AWS MGN lifecycle state READY_FOR_TEST"),
    ("MGN testing", ServerFacts(mgn_lifecycle_state="ready_for_cutover"), "testing",
     "mgn_lifecycle_state", "AWS MGN lifecycle state READY_FOR_CUTOVER"),
    ("MGN cut over", ServerFacts(mgn_lifecycle_state="DISCONNECTED"), "cutover",
     "mgn_lifecycle_state", "AWS MGN lifecycle state DISCONNECTED"),
    ("MGN only discovered", ServerFacts(applications=(PAYROLL,), mgn_lifecycle_state="DISCOVERED"),
     "planned", "wave", "wave Wave 7 (from application Payroll)"),
    ("a linked workload stopped", ServerFacts(workloads=running(3, "stopped"),
     mgn_lifecycle_state="CUTOVER"), "cutover", "mgn_lifecycle_state",
     "AWS MGN lifecycle state CUTOVER"),
    ("a linked workload running", ServerFacts(workloads=running(3), power_state="on"),
     "migrated", "workload", "linked workload i-0abc is running since 2026-11-22"),
    ("running briefly, source off", ServerFacts(workloads=running(5), power_state="off"),
     "migrated", "workload", "linked workload i-0abc is running since 2026-11-20"),
    ("running long, source off", ServerFacts(workloads=running(20), power_state="off"),
     "decommission-candidate", "decommission_rules",
     "linked workload i-0abc running since 2026-11-05 (20 days); on-premise server powered off"),
    ("running long, source unseen", ServerFacts(workloads=running(40), missing_since=days_ago(31)),
     "decommission-candidate", "decommission_rules",
     "linked workload i-0abc running since 2026-10-16 (40 days); "
     "not seen by any source since 2026-10-25 (31 days)"),
    ("running long, source unseen briefly", ServerFacts(workloads=running(40),
     missing_since=days_ago(10)), "migrated", "workload",
     "linked workload i-0abc is running since 2026-10-16"),
    ("retired and off", ServerFacts(strategy_override=Strategy.RETIRE, power_state="off"),
     "decommission-candidate", "decommission_rules",
     "strategy retire (from server); on-premise server powered off"),
    ("rejected", ServerFacts(workloads=running(20), power_state="off",
     review=review(DecommissionDecision.REJECT)), "migrated", "workload",
     "linked workload i-0abc is running since 2026-11-05; decommission rejected by assets-team"),
    ("deferred", ServerFacts(strategy_override=Strategy.RETIRE, power_state="off",
     review=review(DecommissionDecision.DEFER)), "decommission-candidate", "decommission_rules",
     "strategy retire (from server); on-premise server powered off; "
     "review deferred by assets-team"),
    ("approved", ServerFacts(workloads=running(20), power_state="off",
     review=review(DecommissionDecision.APPROVE)), "decommission-approved",
     "decommission_review", "approved by assets-team on 2026-11-24"),
    ("removed", ServerFacts(review=review(DecommissionDecision.APPROVE, date(2026, 11, 20))),
     "decommissioned", "decommission", "removed on 2026-11-20 (disposal WEEE-1)"),
    ("overridden", ServerFacts(workloads=running(20), power_state="off",
     status_override="retained", status_override_reason="legal hold until 2027"),  # type: ignore[arg-type]
     "retained", "status_override", "set by hand: legal hold until 2027"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("facts", "status", "fact", "reason"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_the_status_and_the_fact_that_set_it(
    facts: ServerFacts, status: str, fact: str, reason: str
) -> None:
    derived = derive(facts, RULES, NOW, WAVES)

    assert (derived.status, derived.fact, derived.reason) == (status, fact, reason)


def test_evidence_is_kept_whatever_was_decided() -> None:
    facts = ServerFacts(
        workloads=running(20), power_state="off", review=review(DecommissionDecision.REJECT)
    )

    derived = derive(facts, RULES, NOW, WAVES)

    assert derived.evidence == (
        "linked workload i-0abc running since 2026-11-05 (20 days)",
        "on-premise server powered off",
    )


def test_the_server_wave_beats_its_applications() -> None:
    facts = ServerFacts(wave_id=9, applications=(PAYROLL,))

    derived = derive(facts, RULES, NOW, {9: "Wave 9", **WAVES})

    assert (derived.wave_id, derived.wave_from, derived.strategy, derived.strategy_from) == (
        9,
        "server",
        Strategy.REHOST,
        "application Payroll",
    )
    assert derived.reason == "wave Wave 9 (from server)"
