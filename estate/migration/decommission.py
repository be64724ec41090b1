"""Decommission: candidates by rule with their evidence, the capital assets team's review,
and the record of removal and disposal.

A server is a candidate when estate.migration's rule holds (migrated with a linked workload
running for long enough, or retired; and the on-premise side powered off or long unseen); the
rule's evidence is kept on the server (`migration_evidence`). The list shows candidates and
every server someone has reviewed, whatever the decision.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field
from sqlalchemy import Select, insert, or_, select, update
from sqlalchemy.orm import Session

from estate.config import Settings
from estate.db.paging import Page, PageQuery, paged, site_id_filter
from estate.history.changelog import Actor, Cause, ChangeLog
from estate.inventory.servers import server_applications
from estate.migration import statuses
from estate.models import Decommission, Server, Site
from estate.models.base import table_of
from estate.status import DecommissionDecision, MigrationStatus
from estate.writes import Conflict, Day, Invalid, Name, NotFound, Text, WriteBody

S = MigrationStatus
LISTED = (S.DECOMMISSION_CANDIDATE, S.DECOMMISSION_APPROVED, S.DECOMMISSIONED)
SERVERS = table_of(Server)
DECOMMISSIONS = table_of(Decommission)
SITES = table_of(Site)


class Candidate(BaseModel):
    server_id: int
    hostname: str | None
    serial: str | None
    asset_tag: str | None
    kind: str | None
    site: str | None
    room: str | None
    rack: str | None
    rack_unit: int | None
    rack_units: int | None
    power_watts: float | None
    applications: list[str]
    migration_status: MigrationStatus
    evidence: list[str]
    decision: DecommissionDecision | None
    note: str | None
    reviewer: str | None
    reviewed_at: datetime | None
    removed_on: date | None
    disposal_reference: str | None
    data_sanitisation_reference: str | None
    completed_by: str | None
    completed_at: datetime | None


class ReviewIn(WriteBody):
    decision: DecommissionDecision
    note: Annotated[Text, Field(max_length=2000)] | None = None


class CompleteIn(WriteBody):
    removed_on: Day
    disposal_reference: Name
    data_sanitisation_reference: Name


# A candidate's own columns of the servers table, and of the decisions (`decommissions`).
SERVER_COLUMNS = (
    "hostname", "serial", "asset_tag", "kind", "room", "rack", "rack_unit", "rack_units",
    "power_watts", "migration_status",
)  # fmt: skip
DECISION_COLUMNS = (
    "decision", "note", "reviewer", "reviewed_at", "removed_on", "disposal_reference",
    "data_sanitisation_reference", "completed_by", "completed_at",
)  # fmt: skip


class CandidateQuery(PageQuery):
    """`GET /decommission/candidates`."""

    status: MigrationStatus | None = None
    decision: DecommissionDecision | None = None
    site: Annotated[str | None, Field(max_length=200, description="Site id or name.")] = None


def candidate_query(
    session: Session,
    filters: CandidateQuery,
    servers: Any = SERVERS,
    decisions: Any = DECOMMISSIONS,
) -> Select[Any]:
    """The listed servers with their decisions: today's tables, or the same as at a day
    (estate.migration.decommission_at), whose columns have the same names."""
    s, d = servers.c, decisions.c
    query = (
        select(
            s.id.label("server_id"),
            *(s[name] for name in SERVER_COLUMNS),
            SITES.c.name.label("site"),
            s.migration_evidence.label("evidence"),
            *(d[name] for name in DECISION_COLUMNS),
        )
        .select_from(
            servers.outerjoin(decisions, d.server_id == s.id).outerjoin(
                SITES, SITES.c.id == s.site_id
            )
        )
        .where(or_(s.migration_status.in_(LISTED), d.server_id.is_not(None)))
    )
    if filters.status is not None:
        query = query.where(s.migration_status == filters.status)
    if filters.decision is not None:
        query = query.where(d.decision == filters.decision)
    site_id = site_id_filter(session, filters.site)
    if site_id is not None:
        query = query.where(s.site_id == site_id)
    return query.order_by(s.id)


def candidates_of(
    session: Session, rows: list[Any], apps: Mapping[int, list[str]] | None = None
) -> list[Candidate]:
    """Each row as a candidate, with its servers' applications (`apps`; else today's)."""
    if apps is None:
        apps = server_applications(session, [r.server_id for r in rows])
    return [
        Candidate.model_validate(
            {
                **r._mapping,
                "evidence": r.evidence or [],
                "applications": list(apps.get(r.server_id, [])),
            }
        )
        for r in rows
    ]


def list_candidates(session: Session, filters: CandidateQuery) -> Page:
    page = paged(session, candidate_query(session, filters), filters, rows=True)
    return page.with_items(candidates_of(session, page.items))


def get_candidate(
    session: Session, server_id: int, apps: Mapping[int, list[str]] | None = None
) -> Candidate | None:
    query = candidate_query(session, CandidateQuery()).where(SERVERS.c.id == server_id)
    rows = list(session.execute(query))
    return candidates_of(session, rows, apps)[0] if rows else None


def iter_candidates(
    session: Session, filters: CandidateQuery | None = None, batch: int = 900
) -> Iterator[Candidate]:
    """Every listed server, a batch at a time (for exports), in id order. The filters are
    checked now, so a bad one is refused before a streamed response starts."""
    query = candidate_query(session, filters or CandidateQuery())

    def batches() -> Iterator[Candidate]:
        last = 0
        while True:
            rows = list(session.execute(query.where(SERVERS.c.id > last).limit(batch)))
            if not rows:
                return
            yield from candidates_of(session, rows)
            last = rows[-1].server_id

    return batches()


def _under_review(session: Session, server_id: int) -> Any:
    """The server's status and its decision so far (`reviewed` None where it has none), in one
    statement."""
    query = (
        select(
            SERVERS.c.migration_status,
            SERVERS.c.migration_status_reason,
            SERVERS.c.migration_evidence,
            DECOMMISSIONS.c.server_id.label("reviewed"),
            DECOMMISSIONS.c.decision,
            DECOMMISSIONS.c.note,
            DECOMMISSIONS.c.removed_on,
        )
        .select_from(SERVERS.outerjoin(DECOMMISSIONS, DECOMMISSIONS.c.server_id == SERVERS.c.id))
        .where(SERVERS.c.id == server_id)
    )
    found = session.execute(query).first()
    if found is None:
        raise NotFound(f"no server with id {server_id}")
    return found


def review(
    session: Session, settings: Settings, actor: Actor, server_id: int, data: ReviewIn
) -> Candidate:
    """Approve, reject or defer a candidate (again, if need be) until it is decommissioned;
    the server's status and the kept figures follow."""
    log = ChangeLog(Cause.of(actor))
    _record_review(session, log, server_id, data)
    return _derived(session, settings, actor, server_id, log)


def _record_review(session: Session, log: ChangeLog, server_id: int, data: ReviewIn) -> None:
    """The decision, at the log's time, and its change rows in the log (written by the caller,
    with the status's)."""
    found = _under_review(session, server_id)
    status = found.migration_status
    if status == S.DECOMMISSIONED:
        raise Conflict(f"server {server_id} is already decommissioned")
    if not found.migration_evidence and status != S.DECOMMISSION_APPROVED:
        raise Conflict(
            f"server {server_id} is not a decommission candidate "
            f"(status {status}: {found.migration_status_reason})"
        )
    assert log.cause.actor is not None  # a review is a person's
    values = {"decision": data.decision, "note": data.note, "reviewer": log.cause.actor.name,
              "reviewed_at": log.at}  # fmt: skip
    if found.reviewed is None:
        session.execute(insert(DECOMMISSIONS).values(server_id=server_id, **values))
        before = {}
    else:
        where = DECOMMISSIONS.c.server_id == server_id
        session.execute(update(DECOMMISSIONS).where(where).values(**values))
        before = {"decommission_decision": found.decision, "decommission_note": found.note}
    after = {"decommission_decision": data.decision, "decommission_note": data.note}
    # The change's time is the review's: the list as at a day reads reviewed_at from it.
    log.diff("server", [(server_id, before, after)])


def complete(
    session: Session,
    settings: Settings,
    actor: Actor,
    server_id: int,
    data: CompleteIn,
    today: date,
) -> Candidate:
    """Record the removal and disposal of an approved server; its status and the kept figures
    follow."""
    log = ChangeLog(Cause.of(actor))
    _record_removal(session, log, server_id, data, today)
    return _derived(session, settings, actor, server_id, log)


def _record_removal(
    session: Session, log: ChangeLog, server_id: int, data: CompleteIn, today: date
) -> None:
    found = _under_review(session, server_id)
    if found.reviewed is None or found.decision != DecommissionDecision.APPROVE:
        raise Conflict(f"server {server_id} has no approved decommission review")
    if found.removed_on is not None:
        raise Conflict(f"server {server_id} was already recorded as removed on {found.removed_on}")
    if data.removed_on > today:
        raise Invalid(("body", "removed_on"), "removed_on is in the future")
    assert log.cause.actor is not None  # a removal is a person's
    session.execute(
        update(DECOMMISSIONS)
        .where(DECOMMISSIONS.c.server_id == server_id)
        .values(
            removed_on=data.removed_on,
            disposal_reference=data.disposal_reference,
            data_sanitisation_reference=data.data_sanitisation_reference,
            completed_by=log.cause.actor.name,
            completed_at=log.at,
        )
    )
    after = {
        "decommission_removed_on": data.removed_on,
        "decommission_disposal_reference": data.disposal_reference,
        "decommission_data_sanitisation_reference": data.data_sanitisation_reference,
    }
    log.diff("server", [(server_id, {}, after)])


def review_many(
    session: Session,
    settings: Settings,
    actor: Actor,
    steps: Sequence[tuple[int, ReviewIn | CompleteIn]],
    today: date,
) -> int:
    """A round of reviews and removals by one actor, in order, each checked and recorded as
    `review` and `complete` do; the servers' statuses and the kept figures are refreshed once
    at the end, not after each (every refresh rebuilds the whole estate's kept figures).
    Returns how many steps were taken."""
    for server_id, data in steps:
        # Each step at its own time, as it would be one by one: a server reviewed twice in a
        # round has its decisions in order.
        log = ChangeLog(Cause.of(actor))
        if isinstance(data, ReviewIn):
            _record_review(session, log, server_id, data)
        else:
            _record_removal(session, log, server_id, data, today)
        log.flush(session)
    if steps:
        statuses.refresh(session, settings, server_ids=[s for s, _ in steps], actor=actor)
    return len(steps)


def _derived(
    session: Session, settings: Settings, actor: Actor, server_id: int, log: ChangeLog
) -> Candidate:
    """After a review or a removal: the server's status and the kept figures (the step's change
    rows written with the status's), then the candidate as the list now shows it."""
    derived = statuses.Derivations()  # the server's applications, as its facts named them
    statuses.refresh(
        session, settings, server_ids=[server_id], actor=actor, log=log, derivations=derived
    )
    found = get_candidate(session, server_id, derived.applications())
    assert found is not None  # a reviewed server is always listed
    return found
