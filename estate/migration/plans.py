"""Migration plans: applications, waves and each server's plan, written by people.

Every write records what changed, before and after, with the actor (estate.history), and
re-derives the statuses and kept figures it touches (estate.migration.statuses.refresh); the
caller commits. Bulk assignment (many servers at once, from a list or a CSV file) lives in
estate.migration.assignments.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Annotated, Any

from pydantic import Field, model_validator
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session
from sqlmodel import col

from estate.config import Settings
from estate.db.bulk import chunked, insert_ignore
from estate.history.changelog import Actor, Cause, ChangeLog
from estate.migration.applications import public_rows, wave_rows
from estate.migration.progress_delta import Touched
from estate.migration.servers import ServerDetail, server_detail
from estate.migration.statuses import Derivations, refresh
from estate.models import Application, Server, ServerApplication, Wave
from estate.models.application import ApplicationPublic
from estate.models.base import table_of
from estate.models.wave import WavePublic
from estate.status import EntityKind, MigrationStatus, Strategy
from estate.writes import Conflict, Day, Invalid, Name, NotFound, RowId, Text, WriteBody

USER = "user"


class ApplicationUpdate(WriteBody):
    name: Name | None = None
    owner: Annotated[Text, Field(max_length=200)] | None = None
    criticality: Annotated[Text, Field(max_length=40)] | None = None
    strategy: Strategy | None = None
    wave_id: RowId | None = None
    target_date: Day | None = None


class ApplicationCreate(ApplicationUpdate):
    name: Name


class WaveUpdate(WriteBody):
    name: Name | None = None
    planned_start: Day | None = None
    planned_end: Day | None = None


class WaveCreate(WaveUpdate):
    name: Name


class ServerPlanUpdate(WriteBody):
    """A server's own plan. `applications` is the whole list it belongs to; links a source
    reports cannot be removed here (change them at the source)."""

    applications: Annotated[list[Name], Field(max_length=100)] | None = None
    strategy_override: Strategy | None = None
    wave_id: RowId | None = None
    notes: Annotated[Text, Field(max_length=10_000)] | None = None
    status_override: MigrationStatus | None = None
    status_override_reason: Annotated[Text, Field(max_length=500)] | None = None

    @model_validator(mode="after")
    def _reason_with_override(self) -> ServerPlanUpdate:
        if self.status_override is not None and not self.status_override_reason:
            raise ValueError("a status override needs a status_override_reason")
        return self


def _check_wave(session: Session, wave_id: int | None, loc: Sequence[str | int]) -> None:
    if wave_id is not None and session.get(Wave, wave_id) is None:
        raise Invalid(loc, f"no wave with id {wave_id}")


def _unique_name(session: Session, model: Any, name: str, own_id: int | None = None) -> None:
    found = session.execute(select(model.id).where(model.name == name)).scalar()
    if found is not None and found != own_id:
        raise Conflict(f"a {model.__tablename__[:-1]} named {name!r} already exists")


# --- applications and waves ----------------------------------------------------------------


def create_application(
    session: Session, actor: Actor, data: ApplicationCreate
) -> ApplicationPublic:
    """A new application; no server follows it yet, so nothing is re-derived."""
    _unique_name(session, Application, data.name)
    _check_wave(session, data.wave_id, ("body", "wave_id"))
    app = Application(**data.model_dump())
    session.add(app)
    session.flush()
    assert app.id is not None
    ChangeLog(Cause.of(actor)).record(
        session, EntityKind.APPLICATION, [(app.id, {}, data.model_dump())]
    )
    return public_rows(session, [app])[0]


def update_application(
    session: Session, settings: Settings, actor: Actor, app_id: int, data: ApplicationUpdate
) -> ApplicationPublic:
    """Apply the fields given; the servers whose plan follows it are re-derived."""
    app = session.get(Application, app_id)
    if app is None:
        raise NotFound(f"no application with id {app_id}")
    changes = data.model_dump(exclude_unset=True)
    if changes.get("name") is None:
        changes.pop("name", None)  # a name is required; null leaves it
    else:
        _unique_name(session, Application, changes["name"], app_id)
    _check_wave(session, changes.get("wave_id"), ("body", "wave_id"))
    before = {name: getattr(app, name) for name in changes}
    for name, value in changes.items():
        setattr(app, name, value)
    session.flush()
    ChangeLog(Cause.of(actor)).record(session, EntityKind.APPLICATION, [(app_id, before, changes)])
    refresh(session, settings, server_ids=servers_of_application(session, app_id), actor=actor)
    return public_rows(session, [app])[0]


def servers_of_application(session: Session, app_id: int) -> list[int]:
    query = select(col(ServerApplication.server_id)).where(
        col(ServerApplication.application_id) == app_id
    )
    return [server_id for (server_id,) in session.execute(query)]


def create_wave(session: Session, actor: Actor, data: WaveCreate) -> WavePublic:
    _unique_name(session, Wave, data.name)
    _check_dates(data.planned_start, data.planned_end)
    wave = Wave(**data.model_dump())
    session.add(wave)
    session.flush()
    assert wave.id is not None
    ChangeLog(Cause.of(actor)).record(session, EntityKind.WAVE, [(wave.id, {}, data.model_dump())])
    return wave_rows(session, [wave])[0]


def update_wave(
    session: Session, settings: Settings, actor: Actor, wave_id: int, data: WaveUpdate
) -> WavePublic:
    """Apply the fields given; the servers planned in it (whose status reasons name it) are
    re-derived."""
    wave = session.get(Wave, wave_id)
    if wave is None:
        raise NotFound(f"no wave with id {wave_id}")
    changes = data.model_dump(exclude_unset=True)
    if changes.get("name") is None:
        changes.pop("name", None)
    else:
        _unique_name(session, Wave, changes["name"], wave_id)
    _check_dates(
        changes.get("planned_start", wave.planned_start),
        changes.get("planned_end", wave.planned_end),
    )
    before = {name: getattr(wave, name) for name in changes}
    for name, value in changes.items():
        setattr(wave, name, value)
    session.flush()
    ChangeLog(Cause.of(actor)).record(session, EntityKind.WAVE, [(wave_id, before, changes)])
    query = select(col(Server.id)).where(col(Server.effective_wave_id) == wave_id)
    planned = [i for (i,) in session.execute(query) if i is not None]
    refresh(session, settings, server_ids=planned, actor=actor)
    return wave_rows(session, [wave])[0]


def _check_dates(start: date | None, end: date | None) -> None:
    if start is not None and end is not None and end < start:
        raise Invalid(("body", "planned_end"), "planned_end is before planned_start")


# --- one server's plan ---------------------------------------------------------------------


def update_server(
    session: Session, settings: Settings, actor: Actor, server_id: int, data: ServerPlanUpdate
) -> ServerDetail:
    """Apply the fields given; the server is re-derived. Returns it as the API shows it."""
    server = session.get(Server, server_id)
    if server is None:
        raise NotFound(f"no server with id {server_id}")
    changes = data.model_dump(exclude_unset=True)
    _check_wave(session, changes.get("wave_id"), ("body", "wave_id"))
    if "status_override" in changes and changes["status_override"] is None:
        changes["status_override_reason"] = None  # the reason goes with the override
    if changes.get("status_override_reason") and not (
        changes.get("status_override") or server.status_override
    ):
        raise Invalid(("body", "status_override"), "a reason is given but no status override")
    names = changes.pop("applications", None)
    touched = Touched.capture(session, [server_id])  # before its links change
    before: dict[str, Any] = {name: getattr(server, name) for name in changes}
    after: dict[str, Any] = dict(changes)
    if names is not None:
        ids = resolve_applications(session, names, ("body", "applications"))
        before["applications"], after["applications"] = set_applications(
            session, server_id, ids, ("body", "applications")
        )
    log = ChangeLog(Cause.of(actor))
    log.diff("server", [(server_id, before, after)])  # written with the status's, by refresh
    derived = Derivations()  # the response's explanation, as the write derived it
    refresh(
        session,
        settings,
        server_ids=[server_id],
        actor=actor,
        touched=touched,
        log=log,
        derivations=derived,
        pending={server_id: changes},  # the plan, written with the status derived from it
    )
    session.expire_all()
    detail = server_detail(session, settings.migration, server_id, derived.explanation(server_id))
    assert detail is not None
    return detail


def resolve_applications(
    session: Session, names: Iterable[str], loc: Sequence[str | int]
) -> dict[str, int]:
    """Application ids by name (matched without regard to case); unknown names are refused."""
    wanted = {n.lower(): n for n in names}
    found: dict[str, int] = {}
    for chunk in chunked(sorted(wanted)):
        query = select(col(Application.id), col(Application.name)).where(
            func.lower(col(Application.name)).in_(chunk)
        )
        for app_id, name in session.execute(query):
            found[name.lower()] = app_id or 0
    unknown = sorted(set(wanted) - set(found))
    if unknown:
        raise Invalid(loc, f"no application named {wanted[unknown[0]]!r}")
    return {wanted[key]: app_id for key, app_id in found.items()}


def current_links(session: Session, server_ids: Sequence[int]) -> dict[int, dict[int, str]]:
    """Each server's application links: application id -> origin (scan or user)."""
    links: dict[int, dict[int, str]] = {s: {} for s in server_ids}
    for chunk in chunked(sorted(server_ids)):
        query = select(
            col(ServerApplication.server_id),
            col(ServerApplication.application_id),
            col(ServerApplication.origin),
        ).where(col(ServerApplication.server_id).in_(chunk))
        for server_id, app_id, origin in session.execute(query):
            links[server_id][app_id] = origin
    return links


def set_applications(
    session: Session, server_id: int, wanted: Mapping[str, int], loc: Sequence[str | int]
) -> tuple[list[str], list[str]]:
    """Make the server's user links what is wanted; returns the names before and after."""
    current = current_links(session, [server_id])[server_id]
    names = application_names(session, set(current) | set(wanted.values()))
    scanned = {a for a, origin in current.items() if origin != USER}
    kept_by_scan = scanned - set(wanted.values())
    if kept_by_scan:
        name = names[min(kept_by_scan)]
        raise Invalid(loc, f"{name!r} is reported by a scanned source; change it at the source")
    dropped = [a for a, origin in current.items() if origin == USER and a not in wanted.values()]
    if dropped:
        link = table_of(ServerApplication)
        session.execute(
            delete(link).where(link.c.server_id == server_id, link.c.application_id.in_(dropped))
        )
    add_links(session, [(server_id, a) for a in wanted.values()])
    before = sorted(names[a] for a in current)
    return before, sorted(names[a] for a in wanted.values())


def add_links(session: Session, pairs: Iterable[tuple[int, int]]) -> None:
    rows = [{"server_id": s, "application_id": a, "origin": USER} for s, a in pairs]
    insert_ignore(session, table_of(ServerApplication), rows, ["server_id", "application_id"])


def application_names(session: Session, ids: Iterable[int]) -> dict[int, str]:
    found: dict[int, str] = {}
    for chunk in chunked(sorted(ids)):
        query = select(col(Application.id), col(Application.name)).where(
            col(Application.id).in_(chunk)
        )
        found.update({i: name for i, name in session.execute(query) if i is not None})
    return found
