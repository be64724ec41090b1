"""Bulk assignment: put many servers in a wave, a strategy or applications at once, from a
list or a CSV file. All or nothing: every row is checked before any is applied, and every
change shares the request's id in the change log.

CSV columns: `server` (id, host name or FQDN; required), then any of `wave` (a wave's name),
`strategy`, `applications` (names separated by ';', added to those the server has) and
`notes`. An empty cell leaves the value as it is; `-` clears it.
"""

from __future__ import annotations

import csv
import io
import itertools
from collections import defaultdict
from collections.abc import Sequence
from typing import Annotated, Any

from pydantic import Field, ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlmodel import col

from estate.config import Settings
from estate.db.bulk import chunked
from estate.files import csv_dict_rows
from estate.history.changelog import Actor, Cause, ChangeLog
from estate.inventory.reconcile import name_key
from estate.migration.plans import add_links, application_names, current_links, resolve_applications
from estate.migration.progress_delta import Touched
from estate.migration.statuses import refresh
from estate.models import Server, Wave
from estate.status import EntityStatus, Strategy
from estate.writes import Invalid, Name, RowId, Text, WriteBody

MAX_ROWS = 5000
COLUMNS = ("server", "wave", "strategy", "applications", "notes")
CLEAR = "-"


class Assignment(WriteBody):
    """One server's new plan; a key left out leaves that value, null clears it."""

    server: RowId | Name
    wave: Name | None = None
    strategy: Strategy | None = None
    applications: Annotated[list[Name], Field(max_length=100)] | None = None
    notes: Annotated[Text, Field(max_length=10_000)] | None = None


class Assignments(WriteBody):
    assignments: Annotated[list[Assignment], Field(min_length=1, max_length=MAX_ROWS)]


def parse_csv(text: str) -> list[Assignment]:
    """Rows of a CSV file as assignments; a bad cell is refused naming its row and column."""
    try:
        return _parse(text)
    except csv.Error as exc:
        raise Invalid(("body", "csv"), f"not a CSV file: {exc}") from None


def _parse(text: str) -> list[Assignment]:
    reader = csv_dict_rows(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip().lower() for h in reader.fieldnames or []]
    if "server" not in header:
        raise Invalid(("body", "csv"), "the first row must name the columns, with 'server'")
    unknown = sorted(set(header) - set(COLUMNS))
    if unknown:
        raise Invalid(("body", "csv"), f"unknown column {unknown[0]!r}; expected {COLUMNS}")
    reader.fieldnames = header
    found = []
    for number in itertools.count(2):
        row = _next_row(reader, number)
        if row is None:
            break
        if number - 1 > MAX_ROWS:
            raise Invalid(("body", "csv"), f"at most {MAX_ROWS} rows at once")
        found.append(_assignment(number, row))
    if not found:
        raise Invalid(("body", "csv"), "no rows")
    return found


def _next_row(reader: csv.DictReader[str], number: int) -> dict[str, Any] | None:
    """The next row, or None at the end; a row csv cannot read refuses the upload naming it."""
    try:
        return next(reader)
    except StopIteration:
        return None
    except csv.Error as exc:
        raise Invalid(("body", "csv", number), f"row {number}: not valid CSV: {exc}") from None


def _assignment(number: int, row: dict[str, Any]) -> Assignment:
    values: dict[str, Any] = {}
    for column in COLUMNS:
        cell = (row.get(column) or "").strip()
        if not cell:
            continue
        if cell == CLEAR and column != "server":
            values[column] = [] if column == "applications" else None
        elif column == "applications":
            values[column] = [name.strip() for name in cell.split(";") if name.strip()]
        elif column == "server" and cell.isdigit():
            values[column] = int(cell)
        else:
            values[column] = cell
    try:
        return Assignment.model_validate(values)
    except ValidationError as exc:
        error = exc.errors()[0]
        column = str(error["loc"][0]) if error["loc"] else "server"
        raise Invalid(("body", "csv", number, column), f"row {number}: {error['msg']}") from None


def resolve_servers(session: Session, given: Sequence[int | str]) -> dict[int | str, int]:
    """Server ids for ids, host names and FQDNs; unknown or ambiguous names are refused."""
    ids = sorted({g for g in given if isinstance(g, int)})
    keys = {g: name_key(g) for g in given if isinstance(g, str)}
    found: dict[int | str, int] = {}
    for chunk in chunked(ids):
        query = select(col(Server.id)).where(col(Server.id).in_(chunk))
        found.update({i: i for (i,) in session.execute(query) if i is not None})
    matches: dict[str, list[tuple[bool, int]]] = defaultdict(list)
    for names in chunked(sorted({k for k in keys.values() if k})):
        named = select(col(Server.name_key), col(Server.id), col(Server.status)).where(
            col(Server.name_key).in_(names)
        )
        for key, server_id, status in session.execute(named):
            matches[str(key)].append((status == EntityStatus.GONE, server_id or 0))
    for index, value in enumerate(given):
        present = sorted(matches.get(keys.get(value) or "", [])) if isinstance(value, str) else []
        if len(present) > 1 and present[0][0] == present[1][0]:
            loc = ("body", "assignments", index, "server")
            raise Invalid(loc, f"{value!r} names more than one server; use its id")
        if present:
            found[value] = present[0][1]
        if value not in found:
            raise Invalid(("body", "assignments", index, "server"), f"no server {value!r}")
    return found


def _resolve_waves(session: Session, items: Sequence[Assignment]) -> dict[str, int]:
    wanted = {i.wave.lower() for i in items if i.wave}
    found: dict[str, int] = {}
    for chunk in chunked(sorted(wanted)):
        query = select(col(Wave.id), col(Wave.name)).where(func.lower(col(Wave.name)).in_(chunk))
        found.update({n.lower(): i for i, n in session.execute(query) if i is not None})
    for index, item in enumerate(items):
        if item.wave and item.wave.lower() not in found:
            raise Invalid(("body", "assignments", index, "wave"), f"no wave named {item.wave!r}")
    return found


def assign(session: Session, settings: Settings, actor: Actor, items: Sequence[Assignment]) -> int:
    """Apply every assignment, or none, and re-derive the servers; returns how many changed."""
    servers = resolve_servers(session, [i.server for i in items])
    waves = _resolve_waves(session, items)
    apps = resolve_applications(
        session, {n for i in items for n in i.applications or ()}, ("body", "applications")
    )
    ids = sorted(set(servers.values()))
    touched = Touched.capture(session, ids)  # before their links change
    loaded: dict[int, Server] = {}
    for chunk in chunked(ids):
        query = select(Server).where(col(Server.id).in_(chunk))
        loaded.update({s.id: s for s in session.execute(query).scalars() if s.id is not None})
    edits: dict[int, tuple[dict[str, Any], dict[str, Any]]] = {}
    added: dict[int, set[int]] = defaultdict(set)
    for item in items:
        server_id = servers[item.server]
        before, after = edits.setdefault(server_id, ({}, {}))
        values = _values(item, waves)
        for name, value in values.items():
            before.setdefault(name, getattr(loaded[server_id], name))
            setattr(loaded[server_id], name, value)
            after[name] = value
        added[server_id].update(apps[n] for n in item.applications or ())
    session.flush()
    _add_applications(session, added, edits)
    ChangeLog(Cause.of(actor)).record(session, "server", [(i, b, a) for i, (b, a) in edits.items()])
    refresh(session, settings, server_ids=ids, actor=actor, touched=touched)
    return len(ids)


def _values(item: Assignment, waves: dict[str, int]) -> dict[str, Any]:
    given = item.model_fields_set
    values: dict[str, Any] = {}
    if "wave" in given:
        values["wave_id"] = waves[item.wave.lower()] if item.wave else None
    if "strategy" in given:
        values["strategy_override"] = item.strategy
    if "notes" in given:
        values["notes"] = item.notes
    return values


def _add_applications(
    session: Session,
    added: dict[int, set[int]],
    edits: dict[int, tuple[dict[str, Any], dict[str, Any]]],
) -> None:
    wanted = {s: a for s, a in added.items() if a}
    if not wanted:
        return
    current = current_links(session, list(wanted))
    names = application_names(
        session, {a for links in current.values() for a in links} | set().union(*wanted.values())
    )
    add_links(session, [(s, a) for s, apps in wanted.items() for a in apps])
    for server_id, apps in wanted.items():
        before, after = edits[server_id]
        old = sorted(names[a] for a in current[server_id])
        before["applications"] = old
        after["applications"] = sorted({names[a] for a in set(current[server_id]) | apps})
