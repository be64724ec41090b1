"""Helpers for tests that need a real peer (a simulator or server on loopback)."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from typing import Any

import pytest

from estate.inventory.records import Event, Problem, ScopeEnd


def missing_peer(what: str) -> None:
    """Skip, naming what is missing; under CI a missing peer is a failure, not a skip."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"test peer missing under CI: {what}")
    pytest.skip(f"test peer missing: {what} (`make test` installs it)")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, timeout: float = 20.0, host: str = "127.0.0.1") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"nothing listening on {host}:{port} after {timeout}s")


def stop_process(process: subprocess.Popen[Any], timeout: float = 10.0) -> None:
    """Ask a peer to stop; kill it if it has not within `timeout` seconds."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def ends(events: list[Event]) -> dict[str, bool]:
    """How each scope a scanner read ended: complete or not."""
    return {e.scope: e.complete for e in events if isinstance(e, ScopeEnd)}


def problems(events: list[Event]) -> list[tuple[str, str | None, str]]:
    """Each problem a scanner reported: (scope, target, reason)."""
    return [(e.scope, e.target, e.reason) for e in events if isinstance(e, Problem)]
