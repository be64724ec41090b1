"""vcsim peers for the vcenter scanner's tests, each on its own free loopback port."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest

from tests.peers import free_port
from tests.vcenter.helpers import PASSWORD_ENV
from tests.vcenter.peer import LARGE, PASSWORD, Vcsim, start_vcsim


@pytest.fixture(autouse=True)
def vcenter_password(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    return PASSWORD


@pytest.fixture(scope="module")
def vcsim() -> Iterator[Vcsim]:
    """The default vCenter model over plain HTTP, shared by a module's read-only tests."""
    peer = start_vcsim()
    yield peer
    peer.stop()


@pytest.fixture
def fresh_vcsim() -> Iterator[Vcsim]:
    """A default model of the test's own, for tests that change or stop it."""
    peer = start_vcsim()
    yield peer
    peer.stop()


@pytest.fixture(scope="session")
def large_vcsim() -> Iterator[Vcsim]:
    """8 hosts and 1,000 VMs."""
    peer = start_vcsim(*LARGE)
    yield peer
    peer.stop()


@pytest.fixture(scope="module")
def tls_vcsim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Vcsim]:
    """The default model over HTTPS with a fresh self-signed certificate (`cert`)."""
    peer = start_vcsim(tls_dir=tmp_path_factory.mktemp("vcsim-tls"))
    yield peer
    peer.stop()


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A loopback port that accepts connections and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except TimeoutError:
                continue
            except OSError:
                return

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield int(server.getsockname()[1])
    stop.set()
    thread.join(timeout=5)
    for connection in held:
        connection.close()
    server.close()


@pytest.fixture
def refused_port() -> int:
    """A loopback port where nothing listens."""
    return free_port()
