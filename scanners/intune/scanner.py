"""The `intune` scanner: Intune managed devices, one scope per tenant.

A Graph or token call that fails for good yields a Problem naming its URL and an incomplete
scope; so does a device that cannot be recorded (its earlier observation must not be marked
missing for a bad payload), though the other devices are still read.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import ClassVar

from estate.config.loading import secret_from_env
from estate.inventory.records import Event, Problem, ScopeEnd
from scanners.base import ScannerOptions, SourceScanner, transform_each
from scanners.intune.fetch import fetch_managed_devices, open_client
from scanners.intune.graph import GraphError
from scanners.intune.options import IntuneOptions
from scanners.intune.transform import describe_managed_device, transform_managed_device


class IntuneScanner(SourceScanner[IntuneOptions]):
    kind: ClassVar[str] = "intune"
    Options: ClassVar[type[ScannerOptions]] = IntuneOptions

    def collect(self) -> Iterator[Event]:
        options = self.options
        scope = options.tenant_id
        what = f"sources({self.source.name}).options.client_secret_env"
        secret = secret_from_env(options.client_secret_env, what)
        transform = partial(transform_managed_device, scope=scope)
        try:
            with open_client(options, secret, self._verify()) as client:
                devices = fetch_managed_devices(client, options)
                tally = yield from transform_each(
                    devices, transform, scope, describe_managed_device
                )
                complete = tally.complete
        except GraphError as exc:
            yield Problem(scope=scope, reason=str(exc), target=exc.target)
            complete = False
        yield ScopeEnd(scope=scope, complete=complete)

    def _verify(self) -> bool | ssl.SSLContext:
        if self.options.ca_bundle:
            path = Path(self.options.ca_bundle)
            return ssl.create_default_context(cafile=self.settings.config_dir / path)
        return self.options.verify_tls
