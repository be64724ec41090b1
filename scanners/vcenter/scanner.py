"""The `vcenter` scanner: one vCenter per source, one scope (its host name).

Hosts come first (from the small inventory stream), then VMs page by page. A vCenter that
cannot be reached, trusted or logged in to, or that fails part-way, yields a Problem naming
host:port and an incomplete scope, so nothing it had reported before is marked missing.
"""

from __future__ import annotations

import http.client
import logging
from collections.abc import Generator, Iterator
from typing import Any, ClassVar
from xml.parsers.expat import ExpatError

from pyVmomi import vmodl

from estate.config import Settings, SourceConfig
from estate.config.loading import secret_from_env
from estate.inventory.records import Event, Problem, ScopeEnd
from scanners.base import ScannerOptions, SourceScanner
from scanners.vcenter.collect import create_view, destroy_view, fetch_inventory, fetch_vms
from scanners.vcenter.connect import (
    Connection,
    NotVsphere,
    connect,
    describe_failure,
    disconnect,
    tls_context,
)
from scanners.vcenter.options import VcenterOptions
from scanners.vcenter.transform import Inventory, Placement, transform_hosts, transform_vms

log = logging.getLogger(__name__)

# What talking to a vCenter can raise: the network, TLS, HTTP, SOAP faults, bad XML.
FAILURES = (OSError, http.client.HTTPException, vmodl.MethodFault, NotVsphere, ExpatError)


class VcenterScanner(SourceScanner[VcenterOptions]):
    kind: ClassVar[str] = "vcenter"
    Options: ClassVar[type[ScannerOptions]] = VcenterOptions

    def __init__(self, source: SourceConfig, options: VcenterOptions, settings: Settings) -> None:
        super().__init__(source, options, settings)
        self.placement = Placement(scope=options.host, sites=options.sites)
        # Requests made by the last collect(): for the benchmark and the logs.
        self.round_trips = 0
        self._recorded = 0

    @property
    def scope(self) -> str:
        return self.placement.scope

    def _problem(self, reason: str, target: str | None = None) -> Problem:
        return Problem(scope=self.scope, reason=reason, target=target or self.options.target)

    def collect(self) -> Iterator[Event]:
        what = f"sources({self.source.name}).options.password_env"
        password = secret_from_env(self.options.password_env, what)
        try:
            context = tls_context(self.options, self.settings.config_dir)
        except OSError as exc:
            yield self._problem(f"ca_bundle cannot be read: {exc}")
            yield ScopeEnd(scope=self.scope, complete=False)
            return
        try:
            connection = connect(self.options, password, context)
        except FAILURES as exc:
            yield self._problem(describe_failure(exc, self.options))
            yield ScopeEnd(scope=self.scope, complete=False)
            return
        try:
            complete = yield from self._read(connection)
        except FAILURES as exc:
            complete = False
            reason = describe_failure(exc, self.options)
            yield self._problem(f"failed after {self._recorded} records: {reason}")
        finally:
            disconnect(connection)
            self.round_trips = connection.round_trips
            log.info("%s: %d round trips", self.scope, self.round_trips)
        yield ScopeEnd(scope=self.scope, complete=complete)

    def _read(self, connection: Connection) -> Generator[Event, None, bool]:
        """Every host and VM; returns whether each one was recorded."""
        self._recorded = 0
        view = create_view(connection)
        try:
            fetched = fetch_inventory(connection, view, self.options.page_size)
            inventory = Inventory.build(fetched)
            # A host or VM that cannot be recorded leaves the scope incomplete: marking it
            # missing would say it had gone.
            tally = yield from transform_hosts(inventory, self.placement)
            self._recorded = tally.recorded
            for page in fetch_vms(connection, view, self.options.page_size):
                tally += yield from transform_vms(page, inventory, self.placement)
                self._recorded = tally.recorded
            return tally.complete
        finally:
            self._destroy(view)

    @staticmethod
    def _destroy(view: Any) -> None:
        try:
            destroy_view(view)
        except FAILURES as exc:
            # The vCenter drops views with the session anyway.
            log.debug("could not destroy the container view: %s", exc)
