"""The `redfish` scanner: each BMC one scope, read in parallel by a bounded pool.

A BMC that refuses the password, presents an untrusted certificate, does not answer in time
or answers nonsense fails its own scope (a `Problem` naming its URL, then an incomplete
`ScopeEnd`, so nothing it reported before is marked missing); the other BMCs go on.
"""

from __future__ import annotations

import logging
import ssl
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import ClassVar

from estate.config import ConfigError
from estate.config.loading import secret_from_env
from estate.inventory.records import Event, Problem, ScopeEnd
from scanners.base import BAD_PAYLOAD, ScannerOptions, SourceScanner, events_as_completed
from scanners.redfish.fetch import Access, RedfishError, fetch_systems, open_client
from scanners.redfish.options import BmcOptions, RedfishOptions
from scanners.redfish.transform import Bmc, transform_system

log = logging.getLogger(__name__)


def scan_bmc(bmc: Bmc, access: Access) -> list[Event]:
    """One BMC's records, then how its scope ended; never raises for the BMC's own faults."""
    events: list[Event] = []
    try:
        with open_client(bmc.url, access) as client:
            for payload in fetch_systems(client):
                try:
                    events.append(transform_system(payload, bmc))
                except BAD_PAYLOAD as exc:
                    where = payload.system.get("@odata.id", "a system")
                    raise RedfishError(f"{where}: unexpected payload: {exc!r}") from exc
    except (RedfishError, KeyError, TypeError) as exc:
        reason = str(exc) if isinstance(exc, RedfishError) else f"unexpected payload: {exc!r}"
        log.warning("redfish %s (%s): %s", bmc.scope, bmc.url, reason)
        events.append(Problem(scope=bmc.scope, target=bmc.url, reason=reason))
        events.append(ScopeEnd(scope=bmc.scope, complete=False))
        return events
    events.append(ScopeEnd(scope=bmc.scope, complete=True))
    return events


class RedfishScanner(SourceScanner[RedfishOptions]):
    kind: ClassVar[str] = "redfish"
    Options: ClassVar[type[ScannerOptions]] = RedfishOptions

    def collect(self) -> Iterator[Event]:
        # Secrets and CA files are read first: a missing one is a configuration error.
        planned = [(self._bmc(options), self._access(options)) for options in self.options.bmcs]
        workers = min(self.options.max_workers, len(planned))
        with ThreadPoolExecutor(workers, thread_name_prefix="redfish") as pool:
            futures = [pool.submit(scan_bmc, bmc, access) for bmc, access in planned]
            yield from events_as_completed(futures)

    def _bmc(self, options: BmcOptions) -> Bmc:
        site = self.options.groups[options.group] if options.group else None
        return Bmc(scope=options.scope, url=options.address, host=options.host, site=site)

    def _access(self, options: BmcOptions) -> Access:
        where = f"sources({self.source.name}).options.bmcs({options.scope})"
        username = options.username or self.options.username
        password_env = options.password_env or self.options.password_env
        if username is None:  # the options' validator makes this unreachable
            raise ConfigError(f"{where}: no username")
        return Access(
            username=username,
            password=secret_from_env(password_env, f"{where}.password_env"),
            verify=self._verify(options, where),
            timeout=self.options.timeout_seconds,
            retries=self.options.retries,
        )

    def _verify(self, options: BmcOptions, where: str) -> bool | ssl.SSLContext:
        verify = options.verify_tls if options.verify_tls is not None else self.options.verify_tls
        ca_bundle = options.ca_bundle or self.options.ca_bundle
        if not verify:
            return False
        if ca_bundle is None:
            return True
        path = self.settings.config_dir / Path(ca_bundle).expanduser()
        try:
            return ssl.create_default_context(cafile=str(path))
        except (OSError, ssl.SSLError) as exc:
            raise ConfigError(f"{where}.ca_bundle: cannot read {path}: {exc}") from None
