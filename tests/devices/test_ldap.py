"""kind = "ldap": the pure transform on entries as ldap3 returns them, then a real slapd."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from estate.config import Settings, SourceConfig
from estate.inventory.records import DeviceRecord, Problem, ScopeEnd
from scanners.base import build_scanner
from scanners.ldap import LdapScanner, department_lookup, filetime, transform_computer
from tests.devices.conftest import Directory

PASSWORD_ENV = "ESTATE_TEST_LDAP_PASSWORD"
DEPARTMENTS = {
    "OU=Finance, OU=Computers, DC=council, DC=local": "Finance",
    "Housing": "Housing & Communities",
}
SCOPE = "ldaps://dc1.council.local:636/DC=council,DC=local"
ENTRY = {
    "dn": "CN=LT-0003,OU=Laptops,OU=Finance,OU=Computers,DC=council,DC=local",
    "raw_attributes": {
        "cn": [b"LT-0003"],
        "dNSHostName": [b"lt-0003.council.local"],
        "operatingSystem": [b"Windows 11 Pro"],
        "operatingSystemVersion": [b"10.0 (26100)"],
        "lastLogonTimestamp": [b"134400135000000000"],
        "whenCreated": [b"20250110083000.0Z"],
        "objectGUID": [b"^j.\x0b=\x1cZO\x9b|\x8d\x9e\x0f\x1a+<"],
        "userAccountControl": [b"4096"],
    },
}


def test_transform_maps_a_computer() -> None:
    record = transform_computer(ENTRY, SCOPE, department_lookup(DEPARTMENTS))

    assert record == DeviceRecord(
        external_id="ldap:0b2e6a5e-1c3d-4f5a-9b7c-8d9e0f1a2b3c",
        scope=SCOPE,
        hostname="LT-0003",
        os_name="Windows 11 Pro",
        os_version="10.0 (26100)",
        last_seen_at=datetime(2026, 11, 24, 17, 5, tzinfo=UTC),
        department="Finance",
        extra={
            "dn": ENTRY["dn"],
            "dns_host_name": "lt-0003.council.local",
            "when_created": "2025-01-10T08:30:00+00:00",
            "object_guid": "0b2e6a5e-1c3d-4f5a-9b7c-8d9e0f1a2b3c",
            "disabled": False,
        },
    )


def test_transform_without_guid_or_logon_uses_the_dn() -> None:
    entry = {
        "dn": "CN=PC-0002,OU=Housing,OU=Computers,DC=council,DC=local",
        "raw_attributes": {"cn": [b"PC-0002"], "objectGUID": [], "lastLogonTimestamp": []},
    }

    record = transform_computer(entry, SCOPE, department_lookup(DEPARTMENTS))

    assert record.external_id == "ldap:CN=PC-0002,OU=Housing,OU=Computers,DC=council,DC=local"
    assert (record.last_seen_at, record.department) == (None, "Housing & Communities")


@pytest.mark.parametrize(
    ("dn", "department"),
    [
        ("CN=A,OU=Finance,OU=Computers,DC=council,DC=local", "Finance"),
        ("cn=A,ou=finance,ou=computers,dc=council,dc=local", "Finance"),
        ("CN=A,OU=Laptops,OU=Finance,OU=Computers,DC=council,DC=local", "Finance"),
        ("CN=A,OU=Kiosks,OU=Housing,OU=Computers,DC=council,DC=local", "Housing & Communities"),
        ("CN=A,OU=Finance,OU=Elsewhere,DC=council,DC=local", None),
        ("CN=A,OU=Computers,DC=council,DC=local", None),
        ("CN=A,CN=Computers,DC=council,DC=local", None),
    ],
)
def test_department_from_the_nearest_mapped_ou(dn: str, department: str | None) -> None:
    entry = {"dn": dn, "raw_attributes": {"cn": [b"A"]}}

    assert transform_computer(entry, SCOPE, department_lookup(DEPARTMENTS)).department == department


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("134400135000000000", datetime(2026, 11, 24, 17, 5, tzinfo=UTC)),
        ("116444736000000000", datetime(1970, 1, 1, tzinfo=UTC)),
        ("0", None),
        ("9223372036854775807", None),
        (None, None),
    ],
)
def test_filetime(value: str | None, expected: datetime | None) -> None:
    assert filetime(value) == expected


def scanner(settings: Settings, **options: object) -> LdapScanner:
    source = SourceConfig(name="ad", kind="ldap", options=options)
    built = build_scanner({"ldap": LdapScanner}, source, settings)
    assert isinstance(built, LdapScanner)
    return built


def reader_options(directory: Directory, url: str, **more: object) -> dict[str, object]:
    return {
        "url": url,
        "base_dn": directory.base_dn,
        "bind_dn": directory.bind_dn,
        "password_env": PASSWORD_ENV,
        "page_size": 2,
        "departments": DEPARTMENTS,
        **more,
    }


def test_paged_search_reads_every_computer_past_the_size_limit(
    directory: Directory, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(PASSWORD_ENV, directory.password)

    events = list(scanner(settings, **reader_options(directory, directory.url)).collect())

    records = sorted(
        (e for e in events if isinstance(e, DeviceRecord)), key=lambda r: r.hostname or ""
    )
    scope = f"{directory.url}/{directory.base_dn}"
    assert [(r.hostname, r.department, r.extra.get("disabled")) for r in records] == [
        ("LT-0003", "Finance", False),
        ("PC-0001", "Finance", False),
        ("PC-0002", "Housing & Communities", False),
        ("PC-0004", None, True),
        ("PC-0006", "Finance", False),
        ("PC-0007", "Housing & Communities", False),
        ("TC-0005", "Housing & Communities", False),
    ]
    assert records[1].external_id == "ldap:6f9619ff-8b86-d011-b42d-00c04fc964ff"
    assert records[1].last_seen_at == datetime(2026, 11, 20, 8, 30, tzinfo=UTC)
    assert events[-1] == ScopeEnd(scope=scope, complete=True)
    assert all(r.scope == scope for r in records)


def test_ldaps_with_the_servers_ca(
    directory: Directory, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(PASSWORD_ENV, directory.password)
    options = reader_options(directory, directory.ldaps_url, ca_bundle=str(directory.ca_file))

    events = list(scanner(settings, **options).collect())

    assert sum(isinstance(e, DeviceRecord) for e in events) == 7
    assert events[-1] == ScopeEnd(scope=f"{directory.ldaps_url}/{directory.base_dn}", complete=True)


def test_ldaps_refuses_an_unknown_certificate(
    directory: Directory, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(PASSWORD_ENV, directory.password)

    events = list(scanner(settings, **reader_options(directory, directory.ldaps_url)).collect())

    assert len(events) == 2
    assert isinstance(events[0], Problem)
    assert events[0].target == directory.ldaps_url
    assert events[1] == ScopeEnd(scope=f"{directory.ldaps_url}/{directory.base_dn}", complete=False)


def test_a_wrong_password_fails_the_scope(
    directory: Directory, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(PASSWORD_ENV, "wrong")

    events = list(scanner(settings, **reader_options(directory, directory.url)).collect())

    assert isinstance(events[0], Problem)
    assert "invalidCredentials" in events[0].reason
    assert events[1] == ScopeEnd(scope=f"{directory.url}/{directory.base_dn}", complete=False)


def test_bind_dn_without_a_password_variable_is_a_config_error(settings: Settings) -> None:
    with pytest.raises(Exception, match="password_env"):
        scanner(settings, url="ldap://127.0.0.1:1", base_dn="dc=x", bind_dn="cn=reader,dc=x")
