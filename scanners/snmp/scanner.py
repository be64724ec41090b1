"""The `snmp` scanner: switches, routers and Wi-Fi kit, each agent one scope.

All agents are polled at once (bounded) on one asyncio loop inside `collect()`; the records are
yielded after. An agent that does not answer, or refuses the credentials, fails its own scope
only: a `Problem` naming it and an incomplete `ScopeEnd`, so nothing is marked missing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import ClassVar

from pydantic import ValidationError

from estate.config import Settings, SourceConfig
from estate.config.loading import secret_from_env
from estate.inventory.records import Event, Problem, ScopeEnd
from scanners.base import ScannerOptions, SourceScanner
from scanners.snmp.fetch import Auth, Outcome, Polling, fetch_all
from scanners.snmp.options import ClassRule, SnmpOptions, TargetOptions
from scanners.snmp.transform import DEFAULT_CLASSES, Device, transform_device


class SnmpScanner(SourceScanner[SnmpOptions]):
    kind: ClassVar[str] = "snmp"
    Options: ClassVar[type[ScannerOptions]] = SnmpOptions

    def __init__(self, source: SourceConfig, options: SnmpOptions, settings: Settings) -> None:
        super().__init__(source, options, settings)
        self.rules: tuple[ClassRule, ...] = (*options.classes, *DEFAULT_CLASSES)

    def collect(self) -> Iterator[Event]:
        # Secrets are read first: an unset variable is a configuration error.
        planned = [(self._device(target), self._auth(target)) for target in self.options.targets]
        polling = Polling(
            timeout=self.options.timeout_seconds,
            retries=self.options.retries,
            concurrency=self.options.max_concurrency,
        )
        for outcome in asyncio.run(fetch_all(planned, polling)):
            yield from self._events(outcome)

    def _events(self, outcome: Outcome) -> Iterator[Event]:
        device = outcome.device
        error = outcome.error
        if outcome.values is not None:
            try:
                yield transform_device(outcome.values, device, self.rules)
            except ValidationError as exc:
                error = f"unexpected values: {exc}"
        if error is not None:
            yield Problem(scope=device.scope, target=device.endpoint, reason=error)
        yield ScopeEnd(scope=device.scope, complete=error is None)

    def _device(self, target: TargetOptions) -> Device:
        return Device(target.scope, target.address, port=target.port, site=target.site)

    def _auth(self, target: TargetOptions) -> Auth:
        where = f"sources({self.source.name}).options.targets({target.scope})"
        creds = target.over(self.options)
        if creds.version != "3":
            community: str = creds.community or "public"
            if creds.community_env:
                community = secret_from_env(creds.community_env, f"{where}.community_env")
            return Auth(community=community)
        return Auth(
            user=creds.user,
            auth_protocol=creds.auth_protocol,
            auth_key=self._secret(creds.auth_key_env, f"{where}.auth_key_env"),
            priv_protocol=creds.priv_protocol,
            priv_key=self._secret(creds.priv_key_env, f"{where}.priv_key_env"),
        )

    @staticmethod
    def _secret(variable: str | None, what: str) -> str | None:
        return secret_from_env(variable, what) if variable else None
