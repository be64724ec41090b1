"""Read one (account, region) scope: fetch every service, then transform, then end the scope.

A failure is kept to its scope. A refusal (AccessDenied and the like) fails that service and
the others are still read; an unreachable endpoint, 5xx answers or throttling that outlasted
botocore's retries stop the scope, since its other calls would only wait for the same fault.
Either way the scope ends incomplete, so ingest marks nothing in it missing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from estate.inventory.records import EntityRecord, Event, Problem, ScopeEnd
from scanners.aws import (
    autoscaling,
    backups,
    cloudwatch,
    ec2,
    ecs,
    eks,
    elbv2,
    lambda_functions,
    mgn,
    rds,
    workloads,
)
from scanners.aws.common import Lookups, ScopeContext, explain
from scanners.aws.options import ALL_SERVICES, ServiceName
from scanners.aws.session import AwsSession
from scanners.base import BAD_PAYLOAD


@dataclass(frozen=True)
class Service:
    """How one service is read: fetch (I/O), index (facts lent to others), transform (pure).
    A service that `reads_others` is fetched after the rest, given their payloads and the
    utilisation window in days: fetch(clients, page_size, payloads, days)."""

    fetch: Callable[..., Any]
    transform: Callable[[Any, ScopeContext, Lookups], Iterable[EntityRecord | Problem]]
    index: Callable[[Any, Lookups], None] | None = None
    reads_others: bool = False


SERVICES: dict[ServiceName, Service] = {
    "autoscaling": Service(
        autoscaling.fetch_auto_scaling_groups,
        workloads.transform_auto_scaling_groups,
        autoscaling.index_auto_scaling_groups,
    ),
    "ec2": Service(ec2.fetch_instances, ec2.transform_instances),
    "rds": Service(rds.fetch_db_instances, workloads.transform_db_instances),
    "lambda": Service(lambda_functions.fetch_functions, workloads.transform_functions),
    "ecs": Service(ecs.fetch_services, workloads.transform_services),
    "eks": Service(eks.fetch_clusters, workloads.transform_clusters),
    "elbv2": Service(elbv2.fetch_load_balancers, workloads.transform_load_balancers),
    "mgn": Service(
        mgn.fetch_source_servers, mgn.transform_source_servers, mgn.index_source_servers
    ),
    "backup": Service(
        backups.fetch_backups,
        backups.transform_backups,
        backups.index_backups,
        reads_others=True,
    ),
    "cloudwatch": Service(
        cloudwatch.fetch_cpu, cloudwatch.transform_cpu, cloudwatch.index_cpu, reads_others=True
    ),
}


def scan_scope(
    session: AwsSession,
    ctx: ScopeContext,
    services: Sequence[ServiceName],
    page_size: int | None,
    utilisation_days: int = 14,
) -> list[Event]:
    """Every event of one scope, ending with its ScopeEnd; runs in a worker thread."""
    try:
        session.keys_for(ctx.account_id)
    except Exception as exc:
        return [_problem(ctx, "sts", explain(exc)[0]), ScopeEnd(scope=ctx.scope, complete=False)]

    @cache  # a client costs ~10 ms of CPU to make, and services share them (EC2, Backup)
    def clients(name: str) -> Any:
        return session.client(name, ctx.region, ctx.account_id)

    events: list[Event] = []
    payloads: dict[ServiceName, Any] = {}
    for name in sorted(services, key=ALL_SERVICES.index):
        if not session.offered_in(name, ctx.region):
            continue
        service = SERVICES[name]
        try:
            if service.reads_others:
                payloads[name] = service.fetch(clients, page_size, payloads, utilisation_days)
            else:
                payloads[name] = service.fetch(clients, page_size)
        except Exception as exc:
            reason, stop = explain(exc)
            events.append(_problem(ctx, name, reason))
            if stop:
                break
    events.extend(transform_scope(ctx, payloads))
    complete = not any(isinstance(event, Problem) for event in events)
    events.append(ScopeEnd(scope=ctx.scope, complete=complete))
    return events


def transform_scope(ctx: ScopeContext, payloads: dict[ServiceName, Any]) -> list[Event]:
    """Records from every fetched payload (pure); an unreadable payload fails its service."""
    lookups = Lookups()
    events: list[Event] = []
    for name, payload in payloads.items():
        index = SERVICES[name].index
        if index is not None:
            index(payload, lookups)
    for name, payload in payloads.items():
        try:
            events.extend(list(SERVICES[name].transform(payload, ctx, lookups)))
        except BAD_PAYLOAD as exc:
            events.append(_problem(ctx, name, f"unreadable answer: {type(exc).__name__}: {exc}"))
    return events


def _problem(ctx: ScopeContext, service: str, reason: str) -> Problem:
    return Problem(
        scope=ctx.scope,
        target=f"{ctx.scope}/{service}",
        reason=f"account {ctx.account_id}, region {ctx.region}, {service}: {reason}",
    )
