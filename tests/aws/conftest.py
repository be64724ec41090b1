"""Peers for the AWS scanner: moto's server, a local MGN, and fault proxies, all on loopback.

moto runs as its own threaded server (never the in-process decorator) and is reset through
POST /moto-api/reset after every test, as is the MGN peer's data.
"""

from __future__ import annotations

import logging
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from tests.peers import free_port, missing_peer, wait_for_port


@pytest.fixture(autouse=True)
def aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    """Plain test credentials; nothing from the machine's own AWS configuration."""
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.fixture(scope="session")
def moto_server() -> Iterator[str]:
    try:
        from moto.server import ThreadedMotoServer
    except ImportError:
        missing_peer("moto[server] (pip install 'moto[server]')")
    # One log line per request costs more than moto's answer in a thousand-instance test.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    wait_for_port(port)
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def moto(moto_server: str) -> Iterator[str]:
    """moto's URL, emptied after the test."""
    yield moto_server
    request = urllib.request.Request(f"{moto_server}/moto-api/reset", method="POST")
    with urllib.request.urlopen(request, timeout=30):
        pass


@pytest.fixture(scope="session")
def mgn_peer(moto_server: str) -> Iterator[Any]:
    try:
        from tests.aws.mgn_peer import MgnPeer
    except ImportError:
        missing_peer("pytest-httpserver (pip install pytest-httpserver)")
    peer = MgnPeer(moto_server).start()
    yield peer
    peer.stop()


@pytest.fixture
def mgn(mgn_peer: Any, moto: str) -> Iterator[Any]:
    """The MGN peer, its source servers cleared after the test."""
    yield mgn_peer
    mgn_peer.reset()


@pytest.fixture
def refused_url() -> str:
    """A loopback URL where nothing listens: connections to it are refused."""
    return f"http://127.0.0.1:{free_port()}"
