"""The decommission list as at a past day: the servers as they stood (estate.inventory.as_at)
with the capital assets team's decisions and removals as the change log held them then.

A review writes `decommission_decision` and `decommission_note` change rows, a removal the
`decommission_removed_on` and disposal references (estate.migration.decommission), each with
its actor and time: so a day's decision is the latest such row before the day's end, its
reviewer that row's actor and `reviewed_at` its time, and likewise the removal. A review that
changed neither decision nor note wrote no row, so the reviewer shown is the one who last
changed them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Subquery, case, func, select, type_coerce
from sqlalchemy.orm import Session

from estate.db.paging import Page, paged
from estate.history.as_at import CHANGES, Moment, ScalarText
from estate.inventory.as_at import applications_at, servers_at
from estate.migration.decommission import (
    SERVER_COLUMNS,
    CandidateQuery,
    candidate_query,
    candidates_of,
)
from estate.models.base import UTCDateTime
from estate.status import EntityKind

PREFIX = "decommission_"
# Each decision column and the change field it is read from.
RECORDED = ("decision", "note", "removed_on", "disposal_reference", "data_sanitisation_reference")
# Who and when: the actor and time of the change of this field.
BY = {"reviewer": "decision", "completed_by": "removed_on"}
AT = {"reviewed_at": "decision", "completed_at": "removed_on"}


def decisions_at(moment: Moment) -> Subquery:
    """One row per server reviewed by the moment, with the `decommissions` columns."""
    fields = [PREFIX + name for name in RECORDED]
    ranked = (
        select(
            CHANGES.c.entity_id,
            CHANGES.c.field,
            ScalarText(CHANGES.c.new).label("new"),
            CHANGES.c.actor,
            CHANGES.c.at,
            func.row_number()
            .over(
                partition_by=(CHANGES.c.entity_id, CHANGES.c.field),
                order_by=(CHANGES.c.at.desc(), CHANGES.c.id.desc()),
            )
            .label("rank"),
        )
        .where(
            CHANGES.c.entity_kind == EntityKind.SERVER,
            CHANGES.c.field.in_(fields),
            CHANGES.c.at < moment.cutoff,
        )
        .subquery("steps")
    )

    def of(field: str, value: Any) -> Any:
        return func.max(case((ranked.c.field == PREFIX + field, value)))

    columns = [ranked.c.entity_id.label("server_id")]
    columns += [of(name, ranked.c.new).label(name) for name in RECORDED]
    columns += [of(field, ranked.c.actor).label(name) for name, field in BY.items()]
    columns += [
        type_coerce(of(field, ranked.c.at), UTCDateTime()).label(name) for name, field in AT.items()
    ]
    decided = select(*columns).where(ranked.c.rank == 1).group_by(ranked.c.entity_id)
    return decided.subquery("decommissions")


def list_candidates_at(session: Session, filters: CandidateQuery, moment: Moment) -> Page:
    """`GET /decommission/candidates?as_at=`: the list as it stood at the moment."""
    servers = servers_at(session, moment, only=(*SERVER_COLUMNS, "site_id", "migration_evidence"))
    query = candidate_query(session, filters, servers, decisions_at(moment))
    page = paged(session, query, filters, rows=True)
    apps = applications_at(session, [r.server_id for r in page.items], moment)
    return page.with_items(candidates_of(session, page.items, apps))
