"""Whether a cloud workload is resilient, flexible and efficient, as a pure function of the facts
its scanner recorded, with the evidence for each answer.

- resilient: spread over two or more Availability Zones, and backed up where it holds data (an
  EC2 instance's EBS snapshot or an AWS Backup recovery point no older than
  `backup_max_age_days`; an RDS database's automated backups). Stateless services (Lambda, ECS,
  load balancers, Auto Scaling groups, EKS) need only the spread.
- flexible: it scales or is managed (Auto Scaling with max > min, serverless, containers, RDS
  storage autoscaling, managed services), or it is defined as code (an `iac_tags` tag).
- efficient: a current-generation size, not oversized (p95 CPU over `utilisation_days` below
  `oversized_below_percent`) and not idle (stopped, still holding storage).
An answer is None where the facts do not say (a backup list that could not be read, no CPU
figures yet), never False. Three-valued: a False part makes the whole False, else a None part
makes it None. The evidence keeps every part of every answer, whether it holds and why, so a
shortfall names the parts that fail (`shortfall`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from estate.config import OutcomesSettings

Known = bool | None
# Fewer hourly CPU points than this say too little to call a workload oversized.
MIN_CPU_HOURS = 24
STATELESS = frozenset(
    {"lambda-function", "ecs-service", "elbv2-load-balancer", "autoscaling-group"}
    | {"eks-cluster", "eks-nodegroup"}
)
# Managed by the provider whatever their size: capacity is AWS's to change.
MANAGED = frozenset({"lambda-function", "ecs-service", "elbv2-load-balancer", "eks-cluster"})


@dataclass(frozen=True)
class WorkloadFacts:
    resource_type: str
    state: str | None
    tags: Mapping[str, str]
    facts: Mapping[str, Any]
    cpu_p95: float | None = None
    cpu_hours: int | None = None


@dataclass(frozen=True)
class Part:
    """One condition of an outcome: whether it holds, and why."""

    holds: Known
    why: str


@dataclass(frozen=True)
class Assessment:
    resilient: Known
    flexible: Known
    efficient: Known
    oversized: Known
    idle: Known
    # Per outcome, each part as {"holds": True/False/None, "why": "..."}.
    evidence: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


def all_of(parts: Iterable[Part]) -> Known:
    values = [p.holds for p in parts]
    if False in values:
        return False
    return None if None in values else True


def any_of(parts: Iterable[Part]) -> Known:
    values = [p.holds for p in parts]
    if True in values:
        return True
    return None if None in values else False


def assess(workload: WorkloadFacts, settings: OutcomesSettings, now: datetime) -> Assessment:
    resilience = [_spread(workload), _backed_up(workload, settings, now)]
    flexibility = [_scales(workload), _as_code(workload, settings)]
    oversized = _oversized(workload, settings)
    idle = _idle(workload)
    efficiency = [
        _current_generation(workload),
        Part(None if oversized.holds is None else not oversized.holds, oversized.why),
        Part(None if idle.holds is None else not idle.holds, idle.why),
    ]
    return Assessment(
        resilient=all_of(resilience),
        flexible=any_of(flexibility),
        efficient=all_of(efficiency),
        oversized=oversized.holds,
        idle=idle.holds,
        evidence={
            "resilient": _kept(resilience),
            "flexible": _kept(flexibility),
            "efficient": _kept(efficiency),
        },
    )


def _kept(parts: Iterable[Part]) -> list[dict[str, Any]]:
    return [{"holds": p.holds, "why": p.why} for p in parts]


def shortfall(evidence: Mapping[str, Any], outcome: str) -> list[str]:
    """Why an outcome does not hold: its failing parts, else (not known) its unknown parts."""
    parts = [p for p in evidence.get(outcome) or [] if isinstance(p, Mapping)]
    for wanted in (False, None):
        found = [str(p.get("why", "")) for p in parts if p.get("holds") is wanted]
        if found:
            return found
    return []


def _spread(w: WorkloadFacts) -> Part:
    facts, kind = w.facts, w.resource_type
    zones = _zones(w)
    if zones is not None:
        return Part(zones >= 2, f"spread over {zones} Availability Zone{'s' * (zones != 1)}")
    if kind == "rds-db-instance" and "multi_az" in facts:
        multi = bool(facts["multi_az"])
        return Part(multi, "Multi-AZ database" if multi else "single-AZ database")
    if kind == "ecs-service" and "desired_count" in facts:
        tasks, subnets = int(facts["desired_count"]), facts.get("subnets")
        if tasks < 2:
            return Part(False, f"{tasks} task: one failure stops it")
        if subnets is None:
            return Part(True, f"{tasks} tasks (no subnets named: Fargate places them)")
        return Part(subnets >= 2, f"{tasks} tasks over {subnets} subnets")
    if kind == "lambda-function":
        pinned = facts.get("vpc_subnets") == 1
        return Part(not pinned, "pinned to one subnet" if pinned else "runs across the region")
    if kind == "eks-cluster":
        return Part(True, "EKS runs its control plane over three Availability Zones")
    if kind == "ec2-instance" and "asg_azs" not in facts and not facts.get("in_asg"):
        return Part(False, "a lone instance, in one Availability Zone")
    return Part(None, "Availability Zones not known")


def _zones(w: WorkloadFacts) -> int | None:
    for key in ("asg_azs", "lb_azs"):
        if w.facts.get(key) is not None:
            return int(w.facts[key])
    return None


def _backed_up(w: WorkloadFacts, settings: OutcomesSettings, now: datetime) -> Part:
    if w.resource_type in STATELESS:
        return Part(True, "holds no data of its own to back up")
    oldest = now - timedelta(days=settings.backup_max_age_days)
    found = [
        (name, at)
        for name, key in (("EBS snapshot", "last_snapshot_at"), ("AWS Backup", "last_backup_at"))
        if (at := _moment(w.facts.get(key))) is not None
    ]
    recent = [(name, at) for name, at in found if at >= oldest]
    if recent:
        name, at = max(recent, key=lambda item: item[1])
        return Part(True, f"{name} {at:%Y-%m-%d}")
    retention = w.facts.get("backup_retention_days")
    if retention:
        return Part(True, f"automated backups kept {retention} days")
    read = [w.facts.get(key) for key in ("snapshots_read", "backup_read")]
    limit = f"in the last {settings.backup_max_age_days} days"
    if found:
        name, at = max(found, key=lambda item: item[1])
        return Part(False, f"last backup {at:%Y-%m-%d} ({name}), none {limit}")
    if retention == 0 or any(read):
        return Part(False, f"no backup {limit}")
    return Part(None, "backups not known")


def _scales(w: WorkloadFacts) -> Part:
    facts, kind = w.facts, w.resource_type
    if facts.get("serverless"):
        return Part(True, "serverless")
    if facts.get("containers"):
        return Part(True, "containers")
    if kind in MANAGED:
        return Part(True, "managed by AWS")
    if facts.get("storage_autoscaling"):
        return Part(True, "storage grows by itself")
    if "autoscaled" in facts:
        scales = bool(facts["autoscaled"])
        return Part(scales, "Auto Scaling, max above min" if scales else "a fixed size")
    if kind == "rds-db-instance":
        return Part(False, "a fixed size")
    return Part(None, "scaling not known")


def _as_code(w: WorkloadFacts, settings: OutcomesSettings) -> Part:
    tagged = sorted(tag for tag in settings.iac_tags if tag in w.tags)
    if tagged:
        return Part(True, f"defined as code ({tagged[0]})")
    return Part(False, "no infrastructure-as-code tag")


def _current_generation(w: WorkloadFacts) -> Part:
    old = w.facts.get("previous_generation")
    if w.resource_type in MANAGED or w.facts.get("serverless"):
        return Part(True, "no instance size to age")
    if old is None:
        return Part(None, "instance generation not known")
    return Part(not old, "previous-generation size" if old else "current-generation size")


def _oversized(w: WorkloadFacts, settings: OutcomesSettings) -> Part:
    if w.resource_type not in ("ec2-instance", "rds-db-instance"):
        return Part(False, "sized by AWS")
    hours = w.cpu_hours or 0
    if w.cpu_p95 is None or hours < MIN_CPU_HOURS:
        return Part(None, "CPU utilisation not known yet")
    limit = settings.oversized_below_percent
    verdict = "oversized" if w.cpu_p95 < limit else "sized to its load"
    return Part(w.cpu_p95 < limit, f"p95 CPU {w.cpu_p95:.1f}% over {hours} hours: {verdict}")


def _idle(w: WorkloadFacts) -> Part:
    held = w.facts.get("stopped_with_volumes_gb") or w.facts.get("stopped_with_storage_gb")
    if held:
        return Part(True, f"stopped, still holding {held} GB of storage")
    return Part(False, f"{w.state or 'state not known'}")


def _moment(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    return None
