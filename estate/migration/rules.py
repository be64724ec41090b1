"""The migration status of one server as a pure function of its facts.

`derive` takes a server's facts (its strategy and wave, the AWS MGN lifecycle state, linked
cloud workloads, power and last sight, the decommission review, a person's override) and
returns the status, the fact that set it and a sentence saying so. The first rule that holds
wins, in this order: a status override; removed (decommissioned); approved for decommission;
the decommission rule (unless rejected); a linked workload running (migrated); the MGN stage
(replicating, testing, cutover); strategy retire or retain; a wave (planned); a strategy
(assessed); else not assessed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from pydantic import BaseModel

from estate.config import MigrationSettings
from estate.status import DecommissionDecision, MigrationStatus, Strategy

S = MigrationStatus

# AWS MGN source server lifecycle states and the stage each one means.
MGN_STAGES: dict[str, MigrationStatus] = {
    "NOT_READY": S.REPLICATING,
    "READY_FOR_TEST": S.REPLICATING,
    "TESTING": S.TESTING,
    "READY_FOR_CUTOVER": S.TESTING,
    "CUTTING_OVER": S.CUTOVER,
    "CUTOVER": S.CUTOVER,
    "DISCONNECTED": S.CUTOVER,
}


# --- facts and the pure derivation -----------------------------------------------------------


@dataclass(frozen=True)
class AppPlan:
    name: str
    strategy: Strategy | None
    wave_id: int | None


@dataclass(frozen=True)
class LinkedWorkload:
    name: str
    state: str | None
    since: datetime | None


@dataclass(frozen=True)
class Review:
    decision: DecommissionDecision
    reviewer: str
    reviewed_at: datetime
    note: str | None = None
    removed_on: date | None = None
    disposal_reference: str | None = None


@dataclass(frozen=True)
class ServerFacts:
    strategy_override: Strategy | None = None
    wave_id: int | None = None
    applications: tuple[AppPlan, ...] = ()
    mgn_lifecycle_state: str | None = None
    workloads: tuple[LinkedWorkload, ...] = ()
    power_state: str | None = None
    missing_since: datetime | None = None
    review: Review | None = None
    status_override: MigrationStatus | None = None
    status_override_reason: str | None = None


@dataclass(frozen=True)
class Derived:
    status: MigrationStatus
    fact: str  # which fact set the status
    reason: str
    evidence: tuple[str, ...] = ()  # why it is a decommission candidate; empty if it is not
    strategy: Strategy | None = None
    strategy_from: str | None = None
    wave_id: int | None = None
    wave_from: str | None = None


@dataclass(frozen=True)
class Plan:
    strategy: Strategy | None
    strategy_from: str | None
    wave_id: int | None
    wave_from: str | None


def plan_of(facts: ServerFacts) -> Plan:
    """The server's own choice wins; else the first of its applications (by name) that has one."""
    strategy, strategy_from = facts.strategy_override, "server"
    if strategy is None:
        app = next((a for a in facts.applications if a.strategy), None)
        strategy, strategy_from = (app.strategy, f"application {app.name}") if app else (None, "")
    wave, wave_from = facts.wave_id, "server"
    if wave is None:
        app = next((a for a in facts.applications if a.wave_id), None)
        wave, wave_from = (app.wave_id, f"application {app.name}") if app else (None, "")
    return Plan(strategy, strategy_from or None, wave, wave_from or None)


def _running(facts: ServerFacts, states: Sequence[str]) -> LinkedWorkload | None:
    """The linked workload running longest (an unknown start counts as just now)."""
    wanted = {s.lower() for s in states}
    running = [w for w in facts.workloads if (w.state or "").lower() in wanted]
    return min(running, key=lambda w: (w.since is None, w.since, w.name), default=None)


def _off_premise(facts: ServerFacts, rules: MigrationSettings, now: datetime) -> list[str]:
    found = []
    if facts.power_state == "off":
        found.append("on-premise server powered off")
    if facts.missing_since is not None and now - facts.missing_since >= timedelta(
        days=rules.not_seen_days
    ):
        days = (now - facts.missing_since).days
        found.append(f"not seen by any source since {facts.missing_since:%Y-%m-%d} ({days} days)")
    return found


def candidate_evidence(
    facts: ServerFacts, plan: Plan, rules: MigrationSettings, now: datetime
) -> tuple[str, ...]:
    """The decommission rule, whatever anyone decided: migrated (a linked workload running
    long enough) or retired, and the on-premise side off or long unseen."""
    off = _off_premise(facts, rules, now)
    if not off:
        return ()
    workload = _running(facts, rules.running_states)
    if workload is not None:
        days = (now - workload.since).days if workload.since else 0
        if days >= rules.workload_running_days:
            since = f" since {workload.since:%Y-%m-%d}" if workload.since else ""
            return (f"linked workload {workload.name} {workload.state}{since} ({days} days)", *off)
    if plan.strategy == Strategy.RETIRE:
        return (f"strategy retire (from {plan.strategy_from})", *off)
    return ()


def derive(
    facts: ServerFacts, rules: MigrationSettings, now: datetime, waves: Mapping[int, str]
) -> Derived:
    """One server's migration status, the fact that set it and a sentence saying so."""
    plan = plan_of(facts)
    evidence = candidate_evidence(facts, plan, rules, now)
    status, fact, reason = _decide(facts, plan, evidence, rules, waves)
    return Derived(
        status,
        fact,
        reason,
        evidence=evidence,
        strategy=plan.strategy,
        strategy_from=plan.strategy_from,
        wave_id=plan.wave_id,
        wave_from=plan.wave_from,
    )


def _decommission(
    facts: ServerFacts, evidence: tuple[str, ...]
) -> tuple[MigrationStatus, str, str] | None:
    """The way out, once it has begun: removed, approved, or a candidate by rule."""
    review = facts.review
    if review is not None and review.removed_on is not None:
        reference = f" (disposal {review.disposal_reference})" if review.disposal_reference else ""
        return S.DECOMMISSIONED, "decommission", f"removed on {review.removed_on}{reference}"
    if review is not None and review.decision == DecommissionDecision.APPROVE:
        when = f"{review.reviewed_at:%Y-%m-%d}"
        reason = f"approved by {review.reviewer} on {when}"
        return S.DECOMMISSION_APPROVED, "decommission_review", reason
    if evidence and (review is None or review.decision != DecommissionDecision.REJECT):
        deferred = f"; review deferred by {review.reviewer}" if review is not None else ""
        return S.DECOMMISSION_CANDIDATE, "decommission_rules", "; ".join(evidence) + deferred
    return None


def _decide(
    facts: ServerFacts,
    plan: Plan,
    evidence: tuple[str, ...],
    rules: MigrationSettings,
    waves: Mapping[int, str],
) -> tuple[MigrationStatus, str, str]:
    if facts.status_override is not None:
        reason = f"set by hand: {facts.status_override_reason}"
        return facts.status_override, "status_override", reason
    found = _decommission(facts, evidence)
    if found is not None:
        return found
    review = facts.review
    rejected = review is not None and review.decision == DecommissionDecision.REJECT
    note = f"; decommission rejected by {review.reviewer}" if rejected and review else ""
    workload = _running(facts, rules.running_states)
    if workload is not None:
        since = f" since {workload.since:%Y-%m-%d}" if workload.since else ""
        return (
            S.MIGRATED,
            "workload",
            f"linked workload {workload.name} is {workload.state}{since}{note}",
        )
    mgn = (facts.mgn_lifecycle_state or "").upper()
    if mgn in MGN_STAGES:
        return MGN_STAGES[mgn], "mgn_lifecycle_state", f"AWS MGN lifecycle state {mgn}"
    if plan.strategy in (Strategy.RETIRE, Strategy.RETAIN):
        status = S.RETIRED if plan.strategy == Strategy.RETIRE else S.RETAINED
        return status, "strategy", f"strategy {plan.strategy} (from {plan.strategy_from}){note}"
    if plan.wave_id is not None:
        name = waves.get(plan.wave_id, f"#{plan.wave_id}")
        return S.PLANNED, "wave", f"wave {name} (from {plan.wave_from})"
    if plan.strategy is not None:
        return S.ASSESSED, "strategy", f"strategy {plan.strategy} (from {plan.strategy_from})"
    return S.NOT_ASSESSED, "none", "no strategy, wave or migration facts yet"


class WorkloadFact(BaseModel):
    name: str
    state: str | None
    since: datetime | None


class Explanation(BaseModel):
    """Why a server has its migration status: the fact that set it and every fact looked at."""

    status: MigrationStatus
    fact: str
    reason: str
    evidence: list[str]
    strategy: Strategy | None
    strategy_from: str | None
    wave_id: int | None
    wave: str | None
    wave_from: str | None
    mgn_lifecycle_state: str | None
    power_state: str | None
    missing_since: datetime | None
    linked_workloads: list[WorkloadFact]
    decommission_decision: DecommissionDecision | None
    status_override: MigrationStatus | None
    status_override_reason: str | None


def explanation(derived: Derived, facts: ServerFacts, waves: Mapping[int, str]) -> Explanation:
    return Explanation(
        status=derived.status,
        fact=derived.fact,
        reason=derived.reason,
        evidence=list(derived.evidence),
        strategy=derived.strategy,
        strategy_from=derived.strategy_from,
        wave_id=derived.wave_id,
        wave=waves.get(derived.wave_id) if derived.wave_id else None,
        wave_from=derived.wave_from,
        mgn_lifecycle_state=facts.mgn_lifecycle_state,
        power_state=facts.power_state,
        missing_since=facts.missing_since,
        linked_workloads=[
            WorkloadFact(name=w.name, state=w.state, since=w.since) for w in facts.workloads
        ],
        decommission_decision=facts.review.decision if facts.review else None,
        status_override=facts.status_override,
        status_override_reason=facts.status_override_reason,
    )
