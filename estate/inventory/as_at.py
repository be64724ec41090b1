"""The inventory's lists and details as at a past day: the same filters, sort and page as the
live reads (estate.inventory.servers), run on the entities rebuilt from the change log
(estate.history.as_at)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Sequence
from typing import Any

from sqlalchemy import Subquery, func, select
from sqlalchemy.orm import Session
from sqlmodel import col

from estate.db.bulk import among
from estate.db.paging import Page, SortedQuery, order_by, sorted_page
from estate.history.as_at import (
    CHANGES,
    Moment,
    driver_rows,
    rebuilt,
    rebuilt_rows,
    referenced,
)
from estate.history.changes import history_of
from estate.inventory.reconcile import SPECS
from estate.inventory.servers import (
    SERVER_SORTS,
    ServerInventory,
    ServerQuery,
    public,
    server_applications,
    server_filters,
)
from estate.models import Application, Observation, Server, ServerApplication
from estate.models.base import table_of
from estate.models.change import ChangePublic
from estate.models.observation import ObservationPublic
from estate.models.server import ServerRef
from estate.status import EntityKind

# Lifecycle columns a scan moves, beside the fields its records give.
_LIFECYCLE = ("status", "missing_since")


def scanned_facts(kind: str) -> list[str]:
    """The change fields whose scanned change makes the entity updated (a reading is not one;
    a site is recorded by its name)."""
    spec = SPECS[kind]
    fields = ["site" if column == "site_id" else column for _, column in spec.stored]
    return sorted({*(f for f in fields if f not in spec.readings), *_LIFECYCLE})


def servers_at(session: Session, moment: Moment, only: Collection[str] | None = None) -> Subquery:
    """The servers as they stood (`only`: just those columns rebuilt, see rebuilt)."""
    facts = scanned_facts("server")
    return rebuilt(session, Server, EntityKind.SERVER, moment, facts, only=only)


def list_servers_at(session: Session, query: ServerQuery, moment: Moment) -> Page:
    """`GET /servers?as_at=`: the page the live list would have given at the moment."""

    # An application's servers then: by the links as at the moment, not today's.
    linked = _servers_of_application_at(session, query.application, moment)
    today = query.model_copy(update={"application": None}) if linked is not None else query

    def filters(table: Any) -> list[Any]:
        found = server_filters(session, today, table)
        return found if linked is None else [*found, among(session, table.id, linked)]

    page = page_at(session, Server, EntityKind.SERVER, moment, filters, query, SERVER_SORTS)
    return page.with_items(public_at(session, page.items, moment))


def page_at(
    session: Session,
    model: type[Any],
    kind: str,
    moment: Moment,
    filters: Callable[[Any], list[Any]],
    query: SortedQuery,
    sorts: Sequence[str],
) -> Page:
    """The page of the entities as they stood meeting `filters` (conditions on a table's
    columns), sorted as the live list, as rows with the model's columns (not instances: those
    cost more to build than the rebuild's SQL, and they are not today's rows). Filtering,
    sorting and counting rebuild only the columns they read; the page's rows are then rebuilt
    whole."""
    facts = scanned_facts(kind)
    today = table_of(model).c
    needed = referenced(model, *filters(today), *order_by(today, query.sort, sorts))
    narrow = rebuilt(session, model, kind, moment, facts, only=needed)
    found = select(*narrow.c).where(*filters(narrow.c))
    page = sorted_page(session, found, narrow.c, query, sorts, rows=True)
    ids = [row.id for row in page.items]
    if not ids:
        return page.with_items([])
    by_id = {row.id: row for row in rebuilt_rows(session, model, kind, moment, facts, ids)}
    return page.with_items([by_id[i] for i in ids])


def changes_before(
    session: Session, kind: str, entity_id: int, moment: Moment, *, personal: bool = False
) -> list[ChangePublic]:
    """The entity's changes up to the moment, under the same personal-data rule as today's."""
    found = history_of(session, kind, entity_id, personal=personal)
    return [c for c in found if c.at < moment.cutoff]


def public_at(session: Session, servers: Sequence[Any], moment: Moment) -> list[Any]:
    """As `public` (of rows or entities), with the applications each server had at the
    moment."""
    ids = [s.id for s in servers if s.id is not None]
    return public(session, servers, applications_at(session, ids, moment))


def applications_at(
    session: Session, server_ids: Sequence[int], moment: Moment
) -> dict[int, list[str]]:
    """Each server's applications at the moment: before the first change of them after it,
    else as they are now."""
    now = server_applications(session, server_ids)
    found: dict[int, list[str]] = defaultdict(list, {i: list(now.get(i, [])) for i in server_ids})
    found.update(_applications_then(session, moment, server_ids))
    return found


def links_at(session: Session, moment: Moment) -> list[tuple[int, int]]:
    """Every (server, application id) link as at the moment: today's, but for the servers whose
    applications changed after it, which have those they had before the first such change. An
    application since removed has no id to count by, and is left out."""
    links = table_of(ServerApplication)
    today = driver_rows(session, select(links.c.server_id, links.c.application_id))
    then = _applications_then(session, moment, None)
    if not then:
        return [(server_id, app_id) for server_id, app_id in today]
    apps = table_of(Application).c
    ids = dict(driver_rows(session, select(apps.name, apps.id)))
    found = [(server_id, app_id) for server_id, app_id in today if server_id not in then]
    found += [(s, ids[name]) for s, names in sorted(then.items()) for name in names if name in ids]
    return found


def _servers_of_application_at(
    session: Session, name: str | None, moment: Moment
) -> list[int] | None:
    """The servers linked as at the moment to the application of this name (any case), as the
    live filter matches it; None when no application is asked for."""
    if not name:
        return None
    apps = table_of(Application).c
    wanted = {
        i
        for (i,) in driver_rows(
            session, select(apps.id).where(func.lower(apps.name) == name.lower())
        )
    }
    return sorted(
        {server_id for server_id, app_id in links_at(session, moment) if app_id in wanted}
    )


def _applications_then(
    session: Session, moment: Moment, server_ids: Sequence[int] | None
) -> dict[int, list[str]]:
    """The applications (names) of each server, of those given or all, whose applications
    changed after the moment: those before the first such change (every writer records the
    server's whole set)."""
    later = select(CHANGES.c.entity_id, CHANGES.c.old).where(
        CHANGES.c.entity_kind == EntityKind.SERVER,
        CHANGES.c.field == "applications",
        CHANGES.c.at >= moment.cutoff,
    )
    if server_ids is not None:
        later = later.where(CHANGES.c.entity_id.in_(server_ids))
    then: dict[int, list[str]] = {}
    ordered = later.order_by(CHANGES.c.entity_id, CHANGES.c.at.desc(), CHANGES.c.id.desc())
    for server_id, old in session.execute(ordered):
        then[server_id] = sorted(old or [])  # the earliest, read last, wins
    return then


def server_at(session: Session, server_id: int, moment: Moment) -> ServerInventory | None:
    """`GET /servers/{id}?as_at=`: the server as it stood, its host then, the observations
    made by then and the changes up to then."""
    rebuilt_servers = servers_at(session, moment)
    table = rebuilt_servers.c
    row = session.execute(select(rebuilt_servers).where(table.id == server_id)).first()
    if row is None:
        return None
    server = Server(**row._mapping)
    host = session.execute(select(rebuilt_servers).where(table.id == server.host_id)).first()
    return ServerInventory.model_validate(
        public_at(session, [server], moment)[0].model_dump()
        | {
            "host": ServerRef(id=host.id, hostname=host.hostname) if host else None,
            "observations": observations_at(session, "server", server_id, moment),
            "changes": changes_before(session, "server", server_id, moment),
        }
    )


def observations_at(
    session: Session, kind: str, entity_id: int, moment: Moment
) -> list[ObservationPublic]:
    query = select(Observation).where(
        col(Observation.entity_kind) == kind,
        col(Observation.entity_id) == entity_id,
        col(Observation.first_seen) < moment.cutoff,
    )
    ordered = query.order_by(col(Observation.source), col(Observation.external_id))
    return [ObservationPublic.model_validate(o) for o in session.execute(ordered).scalars()]
