"""kind = "ldap": Active Directory computer objects over LDAP or LDAPS, with a paged search.

One scope per server and base DN. Each computer's department comes from the OU it sits in,
mapped by the `departments` option: keys are OU distinguished names (matching the OU and every
OU under it) or bare OU names; the nearest OU with a mapping wins.
"""

from __future__ import annotations

import re
import ssl
import uuid
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

import ldap3
from ldap3.core.exceptions import LDAPException
from pydantic import Field, ValidationError, model_validator

import scanners.base
from estate.records import DeviceRecord, Event, Problem, ScopeEnd
from estate.settings import Settings, SourceConfig, secret_from_env

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


class LdapOptions(scanners.base.ScannerOptions):
    url: str = Field(pattern=r"^ldaps?://[^/]+/?$")
    base_dn: str = Field(min_length=1)
    bind_dn: str | None = None
    password_env: str | None = None
    filter: str = "(objectClass=computer)"
    page_size: int = Field(default=500, ge=1, le=1000)
    start_tls: bool = False
    verify_tls: bool = True
    ca_bundle: str | None = None
    timeout_seconds: float = Field(default=30.0, gt=0)
    departments: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _password_with_bind_dn(self) -> LdapOptions:
        if self.bind_dn and not self.password_env:
            raise ValueError("bind_dn needs password_env, the variable holding its password")
        return self


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


def transform_computer(
    entry: Mapping[str, Any], scope: str, departments: Mapping[str, str]
) -> DeviceRecord:
    """One computer entry (`dn` and `raw_attributes`, as ldap3 returns them) as a record."""
    raw = {name.casefold(): values for name, values in entry["raw_attributes"].items()}
    dn: str = entry["dn"]
    guid = _first(raw, "objectguid")
    control = _text(_first(raw, "useraccountcontrol"))
    extra = {
        "dn": dn,
        "dns_host_name": _text(_first(raw, "dnshostname")),
        "when_created": _generalized_time(_text(_first(raw, "whencreated"))),
        "object_guid": str(uuid.UUID(bytes_le=guid)) if guid else None,
        "disabled": bool(int(control) & ACCOUNTDISABLE) if control else None,
    }
    return DeviceRecord(
        external_id=f"ldap:{extra['object_guid'] or dn}",
        scope=scope,
        hostname=_text(raw["cn"][0]),
        os_name=_text(_first(raw, "operatingsystem")),
        os_version=_text(_first(raw, "operatingsystemversion")),
        last_seen_at=filetime(_text(_first(raw, "lastlogontimestamp"))),
        department=_department(dn, departments),
        extra={key: value for key, value in extra.items() if value is not None},
    )


def _first(raw: Mapping[str, list[bytes]], name: str) -> bytes | None:
    values = raw.get(name)
    return values[0] if values else None


def _text(value: bytes | None) -> str | None:
    if value is None:
        return None
    text = value.decode("utf-8").strip()
    return text or None


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


def fetch_computers(connection: ldap3.Connection, options: LdapOptions) -> Iterator[dict[str, Any]]:
    """Every entry the filter finds under the base DN, page by page (RFC 2696)."""
    entries = connection.extend.standard.paged_search(
        search_base=options.base_dn,
        search_filter=options.filter,
        search_scope=ldap3.SUBTREE,
        attributes=list(ATTRIBUTES),
        paged_size=options.page_size,
        generator=True,
    )
    for entry in entries:
        if entry.get("type") == "searchResEntry":
            yield entry


class LdapScanner:
    kind: ClassVar[str] = "ldap"
    Options: ClassVar[type[scanners.base.ScannerOptions]] = LdapOptions

    def __init__(self, source: SourceConfig, options: LdapOptions, settings: Settings) -> None:
        self.source = source
        self.options = options
        self.settings = settings
        self.scope = f"{options.url.rstrip('/')}/{options.base_dn}"
        self.departments = department_lookup(options.departments)

    def connect(self) -> ldap3.Connection:
        options = self.options
        password = None
        if options.bind_dn:
            what = f"sources({self.source.name}).options.password_env"
            password = secret_from_env(options.password_env, what)
        server = ldap3.Server(
            options.url,
            tls=self._tls(),
            get_info=ldap3.NONE,
            connect_timeout=options.timeout_seconds,
        )
        bind = ldap3.AUTO_BIND_TLS_BEFORE_BIND if options.start_tls else ldap3.AUTO_BIND_NO_TLS
        return ldap3.Connection(
            server,
            user=options.bind_dn,
            password=password,
            auto_bind=bind,
            raise_exceptions=True,
            receive_timeout=max(int(options.timeout_seconds), 1),
            read_only=True,
        )

    def _tls(self) -> ldap3.Tls:
        if not self.options.verify_tls:
            return ldap3.Tls(validate=ssl.CERT_NONE)
        bundle = self.options.ca_bundle
        cafile = str(self.settings.config_dir / Path(bundle)) if bundle else None
        return ldap3.Tls(validate=ssl.CERT_REQUIRED, ca_certs_file=cafile)

    def collect(self) -> Iterator[Event]:
        complete = True
        try:
            connection = self.connect()
            try:
                for entry in fetch_computers(connection, self.options):
                    try:
                        yield transform_computer(entry, self.scope, self.departments)
                    except (KeyError, IndexError, ValueError, ValidationError) as exc:
                        complete = False
                        reason = f"computer not recorded: {type(exc).__name__}: {exc}"
                        yield Problem(scope=self.scope, reason=reason, target=entry.get("dn"))
            finally:
                connection.unbind()
        except LDAPException as exc:
            complete = False
            reason = f"{type(exc).__name__}: {exc}"
            yield Problem(scope=self.scope, reason=reason, target=self.options.url)
        yield ScopeEnd(scope=self.scope, complete=complete)
