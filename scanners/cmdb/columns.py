"""Which column fills which record field: headers matched by name, alias or the config.

"Memory (GB)" normalises to `memory_gb` and fills `memory_gb`; "Server Name" is an alias of
`hostname`; a column that matches nothing keeps its values in the record's `extra` dict under
its normalised header.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from scanners.cmdb.options import DEFAULT_KEY, REQUIRED, CmdbOptions, record_fields
from scanners.cmdb.values import Cell, as_text

_NOT_ALNUM = re.compile(r"[^a-z0-9]+")

# Normalised header -> field, for every entity whose record has that field.
ALIASES: dict[str, str] = {
    "serial_number": "serial",
    "serial_no": "serial",
    "service_tag": "serial",
    "server_name": "hostname",
    "device_name": "hostname",
    "computer_name": "hostname",
    "operating_system": "os_name",
    "os": "os_name",
    "ram_gb": "memory_gb",
    "memory": "memory_gb",
    "cpu": "cpu_cores",
    "cpus": "cpu_cores",
    "vcpu": "cpu_cores",
    "vcpus": "cpu_cores",
    "cores": "cpu_cores",
    "disk_gb": "storage_gb",
    "storage": "storage_gb",
    "make": "manufacturer",
    "vendor": "manufacturer",
    "power_w": "power_watts",
    "watts": "power_watts",
    "application": "applications",
    "service": "applications",
    "location": "site",
    "purchase_date": "purchased_on",
    "purchased": "purchased_on",
    "cost": "purchase_cost",
    "price": "purchase_cost",
    "warranty_end": "warranty_expires_on",
    "warranty_expiry": "warranty_expires_on",
    "warranty_expires": "warranty_expires_on",
    "user": "assigned_to",
    "assigned_user": "assigned_to",
}
# Aliases whose meaning depends on what the file lists.
ENTITY_ALIASES: dict[str, dict[str, str]] = {
    "server": {"name": "hostname", "type": "kind"},
    # A device's "CPU" is its processor; a server's is its core count (above).
    "device": {"name": "hostname", "type": "device_type"}
    | dict.fromkeys(
        (
            "cpu",
            "processor",
            "processor_model",
            "processor_name",
            "processor_type",
            "cpu_name",
            "cpu_type",
        ),
        "cpu_model",
    ),
    "application": {},
}
# How strongly a header claims a field: the config beats an exact name beats an alias.
_CONFIGURED, _EXACT, _ALIAS = 0, 1, 2


def normalise_header(header: str) -> str:
    """'Purchase Cost (£)' -> 'purchase_cost': lower case, non-alphanumeric runs as '_'."""
    return _NOT_ALNUM.sub("_", header.lower()).strip("_")


@dataclass(frozen=True)
class Column:
    index: int
    header: str  # as written in the file, for problems


@dataclass(frozen=True)
class ColumnMap:
    """Where each field, the key and each extra value sit in a row."""

    fields: dict[str, Column]
    extra: dict[str, Column]
    key: Column


@dataclass(frozen=True)
class MissingColumns:
    """Columns the file must have but lacks, by the name the user would look for."""

    names: tuple[str, ...]
    headers: tuple[str, ...]

    @property
    def reason(self) -> str:
        found = ", ".join(h for h in self.headers if h) or "none"
        return f"missing required columns: {', '.join(self.names)} (found: {found})"


def map_columns(header_row: Sequence[Cell], options: CmdbOptions) -> ColumnMap | MissingColumns:
    headers = [(as_text(c) or "").strip() for c in header_row]
    names = [normalise_header(h) for h in headers]
    fields, missing = _claim_fields(headers, names, options)
    key = _key_column(headers, names, fields, options)
    if key is None:
        missing.insert(0, options.key or DEFAULT_KEY[options.entity])
    missing += [f for f in REQUIRED[options.entity] if f not in fields and f not in missing]
    if missing:
        return MissingColumns(tuple(missing), tuple(headers))
    assert key is not None
    used = {c.index for c in fields.values()} | {key.index}
    extra: dict[str, Column] = {}
    for index, (header, name) in enumerate(zip(headers, names, strict=True)):
        if index in used:
            continue
        name = name or f"column_{index + 1}"  # a blank header, or one like "(£)"
        unique, n = name, 2
        while unique in extra:
            unique, n = f"{name}_{n}", n + 1
        extra[unique] = Column(index, header)
    return ColumnMap(fields=fields, extra=extra, key=key)


def _claim_fields(
    headers: list[str], names: list[str], options: CmdbOptions
) -> tuple[dict[str, Column], list[str]]:
    """Each field's column: the strongest claim wins, then the leftmost header."""
    known = set(record_fields(options.entity))
    aliases = ALIASES | ENTITY_ALIASES[options.entity]
    claims: dict[str, tuple[int, int]] = {}
    missing: list[str] = []
    for field, wanted in options.columns.items():
        index = _find(headers, names, wanted)
        if index is None:
            missing.append(wanted)
        else:
            claims[field] = (_CONFIGURED, index)
    configured = {index for _, index in claims.values()}
    for index, name in enumerate(names):
        if index in configured:
            continue
        if name in known:
            field, strength = name, _EXACT
        elif aliases.get(name) in known:
            field, strength = aliases[name], _ALIAS
        else:
            continue
        claims[field] = min(claims.get(field, (strength, index)), (strength, index))
    fields = {f: Column(i, headers[i]) for f, (_, i) in claims.items()}
    return fields, missing


def _key_column(
    headers: list[str], names: list[str], fields: dict[str, Column], options: CmdbOptions
) -> Column | None:
    """The key: a header named by `key` (as written or normalised), else the field it names."""
    if options.key is None:
        return fields.get(DEFAULT_KEY[options.entity])
    index = _find(headers, names, options.key)
    if index is not None:
        return Column(index, headers[index])
    return fields.get(options.key)


def _find(headers: list[str], names: list[str], wanted: str) -> int | None:
    if wanted in headers:
        return headers.index(wanted)
    normalised = normalise_header(wanted)
    return names.index(normalised) if normalised and normalised in names else None
