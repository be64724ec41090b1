"""What every AWS resource module shares: the scope it reads, paging, tags, times, ARNs."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from botocore.exceptions import BotoCoreError, ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as BotoConnectionError

from estate.inventory.records import Problem, Record, WorkloadRecord
from scanners.base import BAD_PAYLOAD, transform_each

T = TypeVar("T")
Item = TypeVar("Item")
Out = TypeVar("Out", bound=Record)

# Families AWS lists as previous generation (EC2 and RDS classes alike); EC2 also asks
# DescribeInstanceTypes, which knows families newer than this list.
PREVIOUS_GENERATION_FAMILIES = frozenset(
    {"a1", "c1", "c3", "cc2", "cg1", "cr1", "g2", "hi1", "hs1", "i2", "m1", "m2", "m3", "r3", "t1"}
)


# Provider states after which a resource is over (EC2 lists a terminated instance for about an
# hour; RDS a deleting database until it is gone): its workload is ended and counts toward no
# migration figure or outcome. A deleted Lambda function or load balancer is not listed at all.
ENDED_STATES: dict[str, frozenset[str]] = {
    "ec2-instance": frozenset({"shutting-down", "terminated"}),
    "rds-db-instance": frozenset({"deleting", "deleted"}),
    "autoscaling-group": frozenset({"delete in progress"}),
    "ecs-service": frozenset({"draining", "inactive"}),
    "eks-cluster": frozenset({"deleting"}),
    "eks-nodegroup": frozenset({"deleting"}),
}


_THROTTLED = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottledException",
        "RequestThrottled",
        "RequestLimitExceeded",
        "TooManyRequestsException",
        "EC2ThrottledException",
        "SlowDown",
        "PriorRequestNotComplete",
    }
)


@dataclass(frozen=True)
class ScopeContext:
    """One (account, region) pair being read, and how its records are named."""

    account_id: str
    region: str
    link_tag: str = "estate:source-server"

    @property
    def scope(self) -> str:
        return f"{self.account_id}/{self.region}"

    @property
    def partition(self) -> str:
        return partition_for(self.region)

    def each(
        self,
        service: str,
        what: str,
        items: Iterable[Item],
        record: Callable[[Item], Out],
        name: Callable[[Item], object],
    ) -> Iterator[Out | Problem]:
        """Each item's record; one its payload cannot make a record of is a problem naming the
        account, region, service and item, and the rest go on (the scope then ends
        incomplete)."""

        def describe(item: Item) -> tuple[str, str | None]:
            try:
                named = repr(name(item))
            except BAD_PAYLOAD:
                named = "(unnamed)"
            where = f"account {self.account_id}, region {self.region}, {service}"
            return f"{where}: {what} {named}", f"{self.scope}/{service}"

        return transform_each(items, record, self.scope, describe)

    def workload(
        self, resource_type: str, arn: str, tags: dict[str, str], **fields: Any
    ) -> WorkloadRecord:
        """A workload of this scope, keyed by its ARN. Its link tag names the on-premise server
        it replaced, unless `fields` give `migrated_from_server` another way."""
        fields.setdefault("migrated_from_server", tags.get(self.link_tag))
        state = str(fields.get("state") or "").lower()
        fields.setdefault("ended", state in ENDED_STATES.get(resource_type, frozenset()))
        return WorkloadRecord(
            external_id=arn,
            scope=self.scope,
            provider="aws",
            account_id=self.account_id,
            region=self.region,
            resource_type=resource_type,
            resource_id=arn,
            tags=tags,
            **fields,
        )


@dataclass(frozen=True)
class WorkloadType:
    """How one AWS resource type becomes workloads: the service and noun its problems name, the
    payload keys of its ARN and name, how its tags are spelled, and `fields(item, lookups)`,
    everything else its workload says (state, size, facts, extra...).

    The name is the Name tag where there is one, else the resource's own name."""

    service: str
    what: str
    resource_type: str
    arn_key: str
    name_key: str
    tags: Callable[[dict], dict[str, str]]
    fields: Callable[[dict, Lookups], dict[str, Any]]

    def transform(
        self, items: Iterable[dict], ctx: ScopeContext, lookups: Lookups
    ) -> Iterator[WorkloadRecord | Problem]:
        return ctx.each(
            self.service,
            self.what,
            items,
            lambda item: self.record(item, ctx, lookups),
            lambda item: item.get(self.name_key),
        )

    def record(self, item: dict, ctx: ScopeContext, lookups: Lookups) -> WorkloadRecord:
        arn = item[self.arn_key]
        tags = self.tags(item)
        name = tags.get("Name") or item[self.name_key]
        return ctx.workload(self.resource_type, arn, tags, name=name, **self.fields(item, lookups))


@dataclass
class Lookups:
    """Facts one resource type lends another within a scope, filled as fetches finish."""

    # Auto Scaling: instance id -> group name, group name -> its Availability Zones.
    asg_of_instance: dict[str, str] = field(default_factory=dict)
    asg_azs: dict[str, list[str]] = field(default_factory=dict)
    # Group name -> whether it can scale (MaxSize above MinSize).
    asg_scales: dict[str, bool] = field(default_factory=dict)
    # MGN: launched EC2 instance id -> the on-prem server it replaced (FQDN or hostname).
    mgn_source_of_instance: dict[str, str] = field(default_factory=dict)
    # Backups: whether snapshots / AWS Backup were read, and the newest copy of each volume and
    # of each resource ARN.
    snapshots_read: bool = False
    backup_read: bool = False
    snapshot_of_volume: dict[str, datetime] = field(default_factory=dict)
    backup_of_resource: dict[str, datetime] = field(default_factory=dict)
    # CloudWatch: (namespace, resource id) -> its CPU figures, or why they could not be read.
    cpu: dict[tuple[str, str], CpuFigures] = field(default_factory=dict)
    cpu_unread: dict[tuple[str, str], str] = field(default_factory=dict)


@dataclass(frozen=True)
class CpuFigures:
    """The 95th percentile of a resource's hourly CPU and how many hours it is of (None, 0:
    CloudWatch holds no figures for it in the window)."""

    p95: float | None
    hours: int


def partition_for(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def page_config(page_size: int | None, low: int, high: int) -> dict[str, Any]:
    """A paginator's PaginationConfig asking `page_size` items, kept within the call's limits."""
    if page_size is None:
        return {}
    return {"PaginationConfig": {"PageSize": max(low, min(high, page_size))}}


def paged(
    client: Any, operation: str, key: str, config: dict[str, Any], **kwargs: Any
) -> list[dict[str, Any]]:
    """Every item under `key` across all pages of `operation`, following the service's tokens."""
    items: list[dict[str, Any]] = []
    for page in client.get_paginator(operation).paginate(**kwargs, **config):
        items.extend(page.get(key, []))
    return items


def chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def tag_dict(tags: Iterable[dict[str, Any]] | None, key: str = "Key", value: str = "Value") -> dict:
    """[{"Key": k, "Value": v}, ...] (the casing varies by service) as {k: v}."""
    return {str(tag[key]): str(tag.get(value) or "") for tag in tags or []}


def mapped_tags(tags: dict[str, Any] | None) -> dict[str, str]:
    """{k: v} tags (Lambda's and EKS's spelling) with every key and value a string."""
    return {str(k): str(v) for k, v in (tags or {}).items()}


def utc(value: datetime | str | None) -> datetime | None:
    """An aware UTC datetime from botocore's parsed times or an ISO 8601 string."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def family_of(instance_class: str) -> str:
    """ "m3.large" -> "m3"; "db.m3.large" -> "m3"."""
    parts = instance_class.split(".")
    return parts[1] if parts[0] == "db" and len(parts) > 2 else parts[0]


def previous_generation(instance_class: str) -> bool:
    return family_of(instance_class) in PREVIOUS_GENERATION_FAMILIES


def name_from_arn(arn: str) -> str:
    """The last path part of an ARN: ".../cluster/apps" -> "apps"."""
    return arn.rsplit("/", 1)[-1]


def explain(exc: Exception) -> tuple[str, bool]:
    """A reason naming the call and the error, and whether the rest of the scope should stop."""
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        meta = exc.response.get("ResponseMetadata", {})
        code = str(error.get("Code") or "Unknown")
        status = int(meta.get("HTTPStatusCode") or 0)
        reason = f"{exc.operation_name}: {code} (HTTP {status}): {error.get('Message') or ''}"
        if meta.get("RetryAttempts"):
            reason += f" (after {meta['RetryAttempts']} retries)"
        return reason.strip(), code in _THROTTLED or status >= 500
    if isinstance(exc, BotoConnectionError | HTTPClientError):
        return f"endpoint unreachable: {exc}", True
    if isinstance(exc, BotoCoreError | PermissionError):
        return str(exc), True
    return f"unexpected error: {type(exc).__name__}: {exc}", True
