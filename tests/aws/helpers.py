"""Small helpers for the AWS scanner tests."""

from __future__ import annotations

from typing import Any

from estate.records import Event, Problem, ScopeEnd, ServerRecord, WorkloadRecord
from estate.settings import Settings, SourceConfig
from scanners.aws import AwsScanner
from scanners.aws.options import AwsOptions
from tests.aws.seed import Key


def scanner(**options: Any) -> AwsScanner:
    source = SourceConfig(name="aws", kind="aws", options=options)
    return AwsScanner(source, AwsOptions(**options), Settings())


def collect(**options: Any) -> list[Event]:
    return list(scanner(**options).collect())


def workload_keys(events: list[Event]) -> set[Key]:
    return {
        (str(e.account_id), str(e.region), e.resource_type, e.resource_id)
        for e in events
        if isinstance(e, WorkloadRecord)
    }


def workloads(events: list[Event]) -> list[WorkloadRecord]:
    return [e for e in events if isinstance(e, WorkloadRecord)]


def servers(events: list[Event]) -> list[ServerRecord]:
    return [e for e in events if isinstance(e, ServerRecord)]


def problems(events: list[Event]) -> list[Problem]:
    return [e for e in events if isinstance(e, Problem)]


def scope_ends(events: list[Event]) -> dict[str, bool]:
    return {e.scope: e.complete for e in events if isinstance(e, ScopeEnd)}
