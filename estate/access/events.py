"""The access audit: the one writer of `access_events` rows, their list, and their pruning.

Who signed in or out or was refused, which tokens were created, revoked or refused as expired,
whose role their groups changed, and every read or export that included personal data (how
many records), each with the request id it came in. Nothing here commits.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pydantic import Field
from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session
from sqlmodel import col

from estate.db.paging import Page, SortedQuery, equal, sorted_page, where_all
from estate.history.changelog import Actor
from estate.models import AccessEvent
from estate.models.access_event import AccessEventPublic
from estate.models.base import table_of, utcnow
from estate.status import AccessEventKind, Role
from estate.writes import Moment

EVENTS = table_of(AccessEvent)
EVENT_SORTS = ("id", "at", "kind", "actor")
# The longest detail kept: a refusal's reason, a role change's before and after.
MAX_DETAIL = 500


def record(
    session: Session,
    kind: AccessEventKind,
    actor: Actor,
    *,
    role: Role | None = None,
    records: int | None = None,
    detail: str | None = None,
) -> None:
    session.execute(
        insert(EVENTS).values(
            at=utcnow(),
            kind=kind,
            actor=actor.name[:255],
            role=role,
            request_id=actor.request_id[:64],
            records=records,
            detail=detail[:MAX_DETAIL] if detail else None,
        )
    )


def last_role(session: Session, actor: str) -> Role | None:
    """The role this person had at their last sign-in, if they signed in before."""
    role: Role | None = session.execute(
        select(EVENTS.c.role)
        .where(EVENTS.c.kind == AccessEventKind.SIGN_IN, EVENTS.c.actor == actor[:255])
        .order_by(EVENTS.c.id.desc())
        .limit(1)
    ).scalar()
    return role


def expiry_recorded(session: Session, token_name: str) -> bool:
    """An expired token is recorded once, at its first refusal, not at every retry."""
    found = session.execute(
        select(EVENTS.c.id)
        .where(EVENTS.c.kind == AccessEventKind.TOKEN_EXPIRED, EVENTS.c.actor == token_name)
        .limit(1)
    ).first()
    return found is not None


class AccessEventQuery(SortedQuery):
    """`GET /access-events`."""

    kind: AccessEventKind | None = None
    actor: str | None = Field(default=None, max_length=255)
    request_id: str | None = Field(default=None, max_length=64)
    since: Moment | None = Field(default=None, description="At or after (ISO 8601).")
    before: Moment | None = Field(default=None, description="Before (ISO 8601).")


def _filtered(query: AccessEventQuery) -> Any:
    found = where_all(
        select(AccessEvent),
        equal(col(AccessEvent.kind), query.kind),
        equal(col(AccessEvent.actor), query.actor),
        equal(col(AccessEvent.request_id), query.request_id),
        col(AccessEvent.at) >= query.since if query.since else None,
        col(AccessEvent.at) < query.before if query.before else None,
    )
    return found


def list_events(session: Session, query: AccessEventQuery) -> Page:
    page = sorted_page(session, _filtered(query), AccessEvent, query, EVENT_SORTS, default="-id")
    return page.with_items([AccessEventPublic.model_validate(e) for e in page.items])


def export_events(session: Session, query: AccessEventQuery) -> list[dict[str, Any]]:
    """Every matching event, newest first, as rows for a download (read before it is sent,
    while the request's session is open)."""
    ordered = _filtered(query).order_by(col(AccessEvent.id).desc())
    found = session.execute(ordered).scalars()
    return [AccessEventPublic.model_validate(event).model_dump() for event in found]


def prune(session: Session, keep_days: int, now: datetime) -> int:
    """Forget events older than `[access] keep_events_days`; how many went."""
    gone = session.execute(delete(EVENTS).where(EVENTS.c.at < now - timedelta(days=keep_days)))
    return int(getattr(gone, "rowcount", 0) or 0)
