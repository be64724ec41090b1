"""Computer entries, as ldap3 returns them, to device records: pure, tested on literal entries.

Each computer's department comes from the OU it sits in, mapped by the `departments` option:
keys are OU distinguished names (matching the OU and every OU under it) or bare OU names; the
nearest OU with a mapping wins.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from estate.inventory.records import DeviceRecord
from scanners.base import clean_text

# Only these attributes are asked for; each is read below.
ATTRIBUTES = (
    "cn",
    "dNSHostName",
    "operatingSystem",
    "operatingSystemVersion",
    "lastLogonTimestamp",
    "whenCreated",
    "objectGUID",
    "userAccountControl",
)
FILETIME_EPOCH = datetime(1601, 1, 1, tzinfo=UTC)
# AD writes this for "never" in FILETIME attributes, and 0 for "not yet".
FILETIME_NEVER = 0x7FFFFFFFFFFFFFFF
ACCOUNTDISABLE = 0x2
# An entry as ldap3's paged search yields it: `dn` and `raw_attributes` (name -> byte values).
Entry = Mapping[str, Any]


def department_lookup(departments: Mapping[str, str]) -> dict[str, str]:
    """The mapping keyed as `_department` compares: normalised DNs, or "ou=<name>"."""
    keyed = {}
    for key, department in departments.items():
        if "=" in key:
            keyed[",".join(_rdns(key))] = department
        else:
            keyed["ou=" + key.strip().casefold()] = department
    return keyed


_UNESCAPED_COMMA = re.compile(r"(?<!\\),")


def _rdns(dn: str) -> list[str]:
    """A DN's parts as "attr=value", case and spaces around separators ignored (as AD does)."""
    parts = []
    for rdn in _UNESCAPED_COMMA.split(dn):
        attr, _, value = rdn.partition("=")
        parts.append(f"{attr.strip().casefold()}={value.strip().casefold()}")
    return parts


def _department(dn: str, lookup: Mapping[str, str]) -> str | None:
    rdns = _rdns(dn)
    for i in range(1, len(rdns)):
        if not rdns[i].startswith("ou="):
            continue
        found = lookup.get(",".join(rdns[i:])) or lookup.get(rdns[i])
        if found:
            return found
    return None


def transform_computer(entry: Entry, scope: str, departments: Mapping[str, str]) -> DeviceRecord:
    """One computer entry as a record; `departments` as `department_lookup` keys them."""
    raw = {name.casefold(): values for name, values in entry["raw_attributes"].items()}
    dn: str = entry["dn"]
    guid = _first(raw, "objectguid")
    control = clean_text(_first(raw, "useraccountcontrol"))
    extra = {
        "dn": dn,
        "dns_host_name": clean_text(_first(raw, "dnshostname")),
        "when_created": _generalized_time(clean_text(_first(raw, "whencreated"))),
        "object_guid": str(uuid.UUID(bytes_le=guid)) if guid else None,
        "disabled": bool(int(control) & ACCOUNTDISABLE) if control else None,
    }
    return DeviceRecord(
        external_id=f"ldap:{extra['object_guid'] or dn}",
        scope=scope,
        hostname=clean_text(raw["cn"][0]),
        os_name=clean_text(_first(raw, "operatingsystem")),
        os_version=clean_text(_first(raw, "operatingsystemversion")),
        last_seen_at=filetime(clean_text(_first(raw, "lastlogontimestamp"))),
        department=_department(dn, departments),
        extra={key: value for key, value in extra.items() if value is not None},
    )


def describe_computer(entry: Entry) -> tuple[str, str | None]:
    """What a Problem about an entry that could not be recorded calls it, and its target."""
    return "computer", entry.get("dn")


def _first(raw: Mapping[str, list[bytes]], name: str) -> bytes | None:
    values = raw.get(name)
    return values[0] if values else None


def filetime(value: str | None) -> datetime | None:
    """A Windows FILETIME (100 ns ticks since 1601-01-01 UTC) as a datetime; 0/never: None.

    lastLogonTimestamp replicates only when it is 9 to 14 days old, so it may lag that much.
    """
    if value is None:
        return None
    ticks = int(value)
    if ticks <= 0 or ticks >= FILETIME_NEVER:
        return None
    return FILETIME_EPOCH + timedelta(microseconds=ticks // 10)


def _generalized_time(value: str | None) -> str | None:
    """LDAP GeneralizedTime ("20200115103000.0Z") as ISO 8601 UTC."""
    if value is None:
        return None
    return datetime.strptime(value[:14], "%Y%m%d%H%M%S").replace(tzinfo=UTC).isoformat()
