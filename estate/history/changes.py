"""What changed: the change log as the readers see it, filtered and paged, or one thing's.

Who holds a device is personal data (UK GDPR): its recorded values are shown only to readers
granted personal data (`personal`).
"""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlmodel import col

from estate.db.paging import MAX_ID, Page, SortedQuery, equal, sort_by, sorted_page, where_all
from estate.models import Change
from estate.models.change import ChangePublic
from estate.status import EntityKind

# Fields whose values are personal data.
PERSONAL_FIELDS = frozenset({"assigned_to"})
CHANGE_SORTS = ("id", "at", "entity_kind", "entity_id", "field")


class ChangeQuery(SortedQuery):
    """`GET /changes`."""

    sort: str | None = sort_by(CHANGE_SORTS)

    entity_kind: EntityKind | None = None
    entity_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    field: str | None = None
    scan_run: int | None = Field(default=None, ge=1, le=MAX_ID)
    actor: str | None = None
    request_id: str | None = None


def shown(changes: Iterable[Change], personal: bool) -> list[ChangePublic]:
    """The changes as this reader may see them."""
    found = [ChangePublic.model_validate(c) for c in changes]
    if personal:
        return found
    hidden = {"old": None, "new": None}
    return [c.model_copy(update=hidden) if c.field in PERSONAL_FIELDS else c for c in found]


def list_changes(session: Session, query: ChangeQuery, personal: bool) -> Page:
    found = where_all(
        select(Change),
        equal(col(Change.entity_kind), query.entity_kind),
        equal(col(Change.entity_id), query.entity_id),
        equal(col(Change.field), query.field),
        equal(col(Change.scan_run_id), query.scan_run),
        equal(col(Change.actor), query.actor),
        equal(col(Change.request_id), query.request_id),
    )
    page = sorted_page(session, found, Change, query, CHANGE_SORTS, default="-id")
    return page.with_items(shown(page.items, personal))


def history_of(
    session: Session, kind: str, entity_id: int, *, personal: bool = False, limit: int = 200
) -> list[ChangePublic]:
    """One entity's latest changes, newest first; without the grant, changes of personal data
    are left out (the list of all changes shows them, without their values)."""
    query = select(Change).where(
        col(Change.entity_kind) == kind, col(Change.entity_id) == entity_id
    )
    if not personal:
        query = query.where(col(Change.field).not_in(sorted(PERSONAL_FIELDS)))
    newest = session.execute(query.order_by(col(Change.id).desc()).limit(limit)).scalars()
    return [ChangePublic.model_validate(c) for c in newest]
