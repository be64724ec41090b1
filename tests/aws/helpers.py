"""Small helpers for the AWS scanner tests."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from estate.config import OutcomesSettings, Settings, SourceConfig
from estate.inventory.records import Event, Problem, ScopeEnd, ServerRecord, WorkloadRecord
from estate.migration.outcome_rules import Assessment, Known, WorkloadFacts, assess
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


# A fixed "now" for judging outcomes from recorded payloads.
JUDGED_AT = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def judged(record: WorkloadRecord) -> Assessment:
    """What estate makes of a record's facts: its outcomes, with the default settings."""
    facts = WorkloadFacts(
        record.resource_type,
        record.state,
        record.tags,
        record.facts,
        record.cpu_p95,
        record.cpu_hours,
    )
    return assess(facts, OutcomesSettings(), JUDGED_AT)


def outcomes(record: WorkloadRecord) -> tuple[Known, Known, Known]:
    """Whether estate judges the record (resilient, flexible, efficient); None: cannot say."""
    assessment = judged(record)
    return assessment.resilient, assessment.flexible, assessment.efficient
