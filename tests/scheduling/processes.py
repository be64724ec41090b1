"""Real `estate scheduler` processes for the tests that need more than one, or a real one."""

from __future__ import annotations

import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.e2e.conftest import ESTATE


@contextmanager
def running_schedulers(config: Path, logs: list[Path]) -> Iterator[list[subprocess.Popen[bytes]]]:
    """One `estate scheduler` per log (its standard error goes there), stopped as `docker stop`
    does (SIGTERM) and waited for when the block ends."""
    processes = [
        subprocess.Popen(
            [ESTATE, "--config", str(config), "scheduler"],
            stdout=subprocess.DEVNULL,
            stderr=log.open("w"),
        )
        for log in logs
    ]
    try:
        yield processes
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            process.wait(timeout=60)
