"""Reading Active Directory over LDAP or LDAPS: bind, then a paged search (RFC 2696)."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from pathlib import Path

import ldap3

from scanners.ldap.options import LdapOptions
from scanners.ldap.transform import ATTRIBUTES, Entry


def tls(options: LdapOptions, config_dir: Path) -> ldap3.Tls:
    """How to trust the server: the system's CAs, a CA bundle (relative to estate.toml), or not."""
    if not options.verify_tls:
        return ldap3.Tls(validate=ssl.CERT_NONE)
    bundle = options.ca_bundle
    cafile = str(config_dir / Path(bundle)) if bundle else None
    return ldap3.Tls(validate=ssl.CERT_REQUIRED, ca_certs_file=cafile)


def connect(options: LdapOptions, password: str | None, trust: ldap3.Tls) -> ldap3.Connection:
    """A bound, read-only connection; raises an LDAPException when it cannot be had."""
    server = ldap3.Server(
        options.url,
        tls=trust,
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


def fetch_computers(connection: ldap3.Connection, options: LdapOptions) -> Iterator[Entry]:
    """Every entry the filter finds under the base DN, page by page."""
    entries = connection.extend.standard.paged_search(
        search_base=options.base_dn,
        search_filter=options.filter,
        search_scope=ldap3.SUBTREE,
        attributes=list(ATTRIBUTES),
        paged_size=options.page_size,
        generator=True,
    )
    for entry in entries:
        # Referrals and the search's own result come through the generator too.
        if entry.get("type") == "searchResEntry":
            yield entry
