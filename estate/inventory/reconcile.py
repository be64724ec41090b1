"""Identity and precedence: which entity an observation belongs to, and which source wins a field.

Pure functions over records and rows; `estate.ingest` does the I/O around them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any, NamedTuple

from sqlalchemy import Table

from estate.inventory.records import (
    JUNK_SERIALS,
    ApplicationRecord,
    DeviceRecord,
    NetworkDeviceRecord,
    Record,
    ServerRecord,
    WorkloadRecord,
    serial_form,
)
from estate.models import Application, Device, NetworkDevice, Server, Workload
from estate.models.base import Reading, Reference, table_of

_JUNK_UUIDS = {"0" * 32, "f" * 32, "12345678123456781234567812345678"}
_NOT_HEX = re.compile(r"[^0-9a-f]")

# Record fields that never become entity columns directly.
_NOT_FIELDS = {"external_id", "scope", "extra", "match_only"}
# Record field -> entity column, where they differ.
# Fields kept off the entity's own columns (a link table holds them).
LINKED_FIELDS = {"applications"}
# Fields where the latest value from any source wins, whatever the precedence.
LATEST_FIELDS = {"last_seen_at"}


def serial_key(serial: str | None) -> str | None:
    if serial is None:
        return None
    key = serial_form(serial)
    return None if key in JUNK_SERIALS else key


def uuid_key(value: str | None) -> str | None:
    if value is None:
        return None
    key = _NOT_HEX.sub("", value.lower())
    return None if len(key) != 32 or key in _JUNK_UUIDS else key


def name_key(*names: str | None) -> str | None:
    """The short host name, lower-case: 'NBC-APP01.ad.example.gov.uk' -> 'nbc-app01'."""
    for name in names:
        if name and name.strip():
            return name.strip().split(".")[0].lower() or None
    return None


def text_key(value: str | None) -> str | None:
    if value is None:
        return None
    key = value.strip().upper()
    return key or None


KeyFunction = Callable[[Mapping[str, Any]], str | None]


@dataclass(frozen=True)
class EntitySpec:
    """How one kind of entity is keyed, merged and stored."""

    kind: str
    model: type[Any]
    record: type[Record]
    # (key column, function of merged fields), strongest first.
    keys: tuple[tuple[str, KeyFunction], ...]
    has_lifecycle: bool = True
    fields: tuple[str, ...] = field(default=())

    @property
    def table(self) -> Table:
        return table_of(self.model)

    @cached_property
    def references(self) -> dict[str, Reference]:
        """The record fields that name another row, by field (declared beside the model)."""
        return {ref.field: ref for ref in getattr(self.model, "references", ())}

    @cached_property
    def readings(self) -> dict[str, Reading]:
        """The fields kept as readings, not facts, by field (declared beside the model)."""
        return {reading.field: reading for reading in getattr(self.model, "readings", ())}

    def column_for(self, record_field: str) -> str:
        ref = self.references.get(record_field)
        return ref.column if ref is not None else record_field

    @cached_property
    def key_columns(self) -> tuple[str, ...]:
        return tuple(column for column, _ in self.keys)

    @cached_property
    def stored(self) -> tuple[tuple[str, str], ...]:
        """(record field, entity column) for the fields kept on the entity's own row."""
        return tuple((f, self.column_for(f)) for f in self.fields if f not in LINKED_FIELDS)

    def key_values(self, values: Mapping[str, Any]) -> dict[str, str | None]:
        return {column: fn(values) for column, fn in self.keys}


def _spec(kind: str, model: type[Any], record: type[Record], keys: Any, **kw: Any) -> EntitySpec:
    bare = EntitySpec(kind, model, record, tuple(keys), **kw)
    columns = set(model.__table__.columns.keys())
    fields = tuple(
        name
        for name in record.model_fields
        if name not in _NOT_FIELDS and (name in LINKED_FIELDS or bare.column_for(name) in columns)
    )
    return replace(bare, fields=fields)


SPECS: dict[str, EntitySpec] = {
    spec.kind: spec
    for spec in (
        _spec(
            "server",
            Server,
            ServerRecord,
            [
                # A VM's instance UUID first: its clones share its BIOS UUID (and the serial
                # VMware makes from it), and are other servers.
                ("instance_uuid_key", lambda v: uuid_key(v.get("instance_uuid"))),
                ("serial_key", lambda v: serial_key(v.get("serial"))),
                ("bios_uuid_key", lambda v: uuid_key(v.get("bios_uuid"))),
                ("name_key", lambda v: name_key(v.get("hostname"), v.get("fqdn"))),
            ],
        ),
        _spec(
            "device",
            Device,
            DeviceRecord,
            [
                ("serial_key", lambda v: serial_key(v.get("serial"))),
                ("asset_tag_key", lambda v: text_key(v.get("asset_tag"))),
                ("name_key", lambda v: name_key(v.get("hostname"))),
            ],
        ),
        _spec("workload", Workload, WorkloadRecord, [("resource_id", lambda v: v["resource_id"])]),
        _spec(
            "network_device",
            NetworkDevice,
            NetworkDeviceRecord,
            [
                ("serial_key", lambda v: serial_key(v.get("serial"))),
                ("name_key", lambda v: name_key(v.get("name"))),
            ],
        ),
        _spec(
            "application",
            Application,
            ApplicationRecord,
            [("name", lambda v: (v.get("name") or "").strip() or None)],
            has_lifecycle=False,
        ),
    )
}


def spec_for(record: Record) -> EntitySpec:
    return SPECS[record.entity]


def find_match(
    spec: EntitySpec,
    keys: Mapping[str, str | None],
    index: Mapping[str, Mapping[str, int]],
    entity_keys: Mapping[int, Mapping[str, str | None]],
) -> int | None:
    """The entity sharing the strongest key, unless a stronger key on both sides disagrees.

    A host name reused by new hardware (different serial) is a different server.
    """
    columns = spec.key_columns
    for rank, column in enumerate(columns):
        value = keys.get(column)
        if value is None or value not in index.get(column, {}):
            continue
        candidate = index[column][value]
        theirs = entity_keys[candidate]
        if all(
            keys.get(stronger) is None
            or theirs.get(stronger) is None
            or keys[stronger] == theirs[stronger]
            for stronger in columns[:rank]
        ):
            return candidate
    return None


class Seen(NamedTuple):
    """An observation as merging needs it: who saw it, whether it is missing, what it says.
    (A tuple: one is made per observation merged, and a frozen dataclass costs five times more.)"""

    source: str
    source_kind: str
    missing: bool
    values: Mapping[str, Any]


def rank_of(precedence: Sequence[str], source: str, source_kind: str) -> int:
    if source in precedence:
        return precedence.index(source)
    if source_kind in precedence:
        return precedence.index(source_kind)
    return len(precedence)


def merge(
    spec: EntitySpec, observations: Iterable[Seen], precedence: Mapping[str, Sequence[str]]
) -> dict[str, Any]:
    """Each field from the best observation that has a value: present before missing, then by
    the field's precedence list (or `default`), then by source name for a stable answer."""
    seen = list(observations)
    if len(seen) == 1:
        # One source sees it (the usual case, and every new entity): its values are the merge.
        values = seen[0].values
        return {
            name: (values.get(name) or None) if name in LATEST_FIELDS else values.get(name)
            for name in spec.fields
        }
    default = precedence.get("default", [])
    merged: dict[str, Any] = {}
    for name in spec.fields:
        if name in LATEST_FIELDS:
            merged[name] = max((s.values[name] for s in seen if s.values.get(name)), default=None)
            continue
        order = precedence.get(name, default)
        best = min(
            (s for s in seen if s.values.get(name) is not None),
            key=lambda s: (s.missing, rank_of(order, s.source, s.source_kind), s.source),
            default=None,
        )
        merged[name] = best.values[name] if best else None
    return merged
