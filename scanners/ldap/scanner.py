"""The `ldap` scanner: Active Directory computer objects, one scope per server and base DN.

A server that cannot be reached, trusted or bound to yields a Problem naming its URL and an
incomplete scope; so does a computer entry that cannot be recorded (its earlier observation
must not be marked missing for a bad entry), though the other entries are still read.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import ClassVar

from ldap3.core.exceptions import LDAPException

from estate.config import Settings, SourceConfig
from estate.config.loading import secret_from_env
from estate.inventory.records import Event, Problem, ScopeEnd
from scanners.base import ScannerOptions, SourceScanner, transform_each
from scanners.ldap.fetch import connect, fetch_computers, tls
from scanners.ldap.options import LdapOptions
from scanners.ldap.transform import department_lookup, describe_computer, transform_computer


class LdapScanner(SourceScanner[LdapOptions]):
    kind: ClassVar[str] = "ldap"
    Options: ClassVar[type[ScannerOptions]] = LdapOptions

    def __init__(self, source: SourceConfig, options: LdapOptions, settings: Settings) -> None:
        super().__init__(source, options, settings)
        self.scope = options.scope
        self.departments = department_lookup(options.departments)

    def collect(self) -> Iterator[Event]:
        options = self.options
        password = None
        if options.bind_dn:
            what = f"sources({self.source.name}).options.password_env"
            password = secret_from_env(options.password_env, what)
        transform = partial(transform_computer, scope=self.scope, departments=self.departments)
        complete = True
        try:
            connection = connect(options, password, tls(options, self.settings.config_dir))
            try:
                entries = fetch_computers(connection, options)
                tally = yield from transform_each(entries, transform, self.scope, describe_computer)
                complete = tally.complete
            finally:
                connection.unbind()
        except LDAPException as exc:
            complete = False
            reason = f"{type(exc).__name__}: {exc}"
            yield Problem(scope=self.scope, reason=reason, target=options.url)
        yield ScopeEnd(scope=self.scope, complete=complete)
