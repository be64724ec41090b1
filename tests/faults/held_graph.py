"""The Graph look-alike of tests/devices, able to hold a page: a scan asking for it waits
until the test lets it go, so a fault can be dealt while the scan is known to be mid-way (every
earlier page read, and with ingest batches of a page, written into the run's transaction)."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from werkzeug import Request, Response

from tests.devices.graph_peer import DEVICES, GraphPeer
from tests.peers import free_port, missing_peer

PAGE = 10


def devices(numbers: range) -> list[dict[str, Any]]:
    """Managed devices PC-nnnn, each with its own serial, from the recorded payload's shape."""
    template = DEVICES[0]
    return [
        {
            **template,
            "id": f"device-{n:04d}",
            "deviceName": f"PC-{n:04d}",
            "serialNumber": f"SN{n:06d}",
            "azureADDeviceId": f"aad-{n:04d}",
        }
        for n in numbers
    ]


@dataclass
class HeldGraph(GraphPeer):
    page_size: int = PAGE
    # The page (from 0) held until `release` is set; None: nothing is held.
    hold_at: int | None = None
    reached: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)

    def _devices(self, request: Request) -> Response:
        page = int(request.args.get("$skiptoken", "0"))
        if page == self.hold_at:
            self.reached.set()
            self.release.wait(60)
        return super()._devices(request)

    def hold(self, page: int) -> None:
        self.hold_at = page
        self.reached.clear()
        self.release.clear()

    def wait_reached(self) -> None:
        assert self.reached.wait(30), "the scan never asked for the held page"


@contextmanager
def held_graph() -> Iterator[HeldGraph]:
    try:
        from pytest_httpserver import HTTPServer
    except ImportError:
        missing_peer("pytest-httpserver (.ci/peers/ldap.sh installs it)")
        raise
    # Threaded: a held page must not stop other requests (a second scan, a token).
    server = HTTPServer(host="127.0.0.1", port=free_port(), threaded=True)
    server.start()
    peer = HeldGraph(base_url=server.url_for("").rstrip("/"), devices=devices(range(50)))
    for method in ("GET", "POST"):
        server.expect_request(re.compile(".*"), method=method).respond_with_handler(peer.handle)
    try:
        yield peer
    finally:
        peer.release.set()
        server.clear()
        server.stop()
