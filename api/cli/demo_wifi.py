"""The demo's Wi-Fi at the Civic Centre: snmpsim serving the recordings of examples/demo/snmp on
free loopback ports, one agent (and SNMP engine) per recording, for the demo's `snmp` source to
read as it would read the council's access points and controller.

snmpsim runs from a virtualenv of its own (`make run` makes one in .demo/, as .ci/peers/snmp.sh
does for the tests): installed beside estate, pysnmp would find its MIB compiler and spend
seconds building one on every scan. Where no snmpsim is found, or it does not start, the demo
goes on without Wi-Fi and says why.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scanners.snmp.fetch import answers

RESPONDER = "snmpsim-command-responder"
SITE = "Civic Centre"
STARTUP_SECONDS = 60.0
# Between probes of an agent not yet answering: each probe builds an SNMP engine (CPU that
# snmpsim, indexing its recordings, needs more).
PROBE_PAUSE_SECONDS = 0.25


class WifiUnavailable(Exception):
    """snmpsim could not serve the recordings; the message says why."""


def find_responder(given: str | None) -> str | None:
    """snmpsim's command responder: the one given, else the one on PATH."""
    if given:
        return given if Path(given).exists() else None
    return shutil.which(RESPONDER)


@dataclass
class Agents:
    """The agents being served: their targets for the `snmp` source, once `ready()`."""

    process: subprocess.Popen[bytes]
    ports: dict[str, int]
    log: Path
    waiting: list[int] = field(default_factory=list)

    @property
    def targets(self) -> list[dict[str, Any]]:
        return [
            {"name": name, "address": "127.0.0.1", "port": port, "site": SITE}
            for name, port in self.ports.items()
        ]

    def ready(self) -> None:
        """Return once every agent answers; WifiUnavailable if snmpsim exits or is too slow.
        snmpsim indexes its recordings first (seconds on a busy host): the demo goes on
        meanwhile and waits only when it first reads them."""
        deadline = time.monotonic() + STARTUP_SECONDS
        while self.waiting and time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise WifiUnavailable(f"snmpsim exited: {_tail(self.log)}")
            if answers("127.0.0.1", self.waiting[0]):
                self.waiting.pop(0)
            else:
                time.sleep(PROBE_PAUSE_SECONDS)
        if self.waiting:
            raise WifiUnavailable(f"snmpsim not answering on UDP {self.waiting}: {_tail(self.log)}")


@contextmanager
def local_wifi(walks: Path, responder: str) -> Iterator[Agents]:
    """The agents, started and served while the block runs."""
    with tempfile.TemporaryDirectory(prefix="estate-demo-snmp-") as work:
        root = Path(work)
        ports = {walk.stem: _free_udp_port() for walk in sorted(walks.glob("*.snmprec"))}
        args = [responder, f"--cache-dir={root / 'cache'}", f"--logging-method=file:{root / 'log'}"]
        for name, port in ports.items():
            (root / name).mkdir()
            # The v2c community names the recording: "public", which the scanner asks by default.
            shutil.copyfile(walks / f"{name}.snmprec", root / name / "public.snmprec")
            # Each option group after --v3-engine-id is an agent of its own.
            args += ["--v3-engine-id=auto", f"--data-dir={root / name}"]
            args += [f"--agent-udpv4-endpoint=127.0.0.1:{port}"]
        # snmpsim refuses root unless told; it only binds loopback ports above 1023 here.
        env = {**os.environ, "SNMPSIM_ALLOW_ROOT": "true"}
        with (root / "stdout").open("wb") as log:
            process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, env=env)
        try:
            yield Agents(process, ports, root / "stdout", list(ports.values()))
        finally:
            process.terminate()
            process.wait(timeout=10)


def _free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _tail(log: Path) -> str:
    lines = log.read_text(errors="replace").strip().splitlines()
    return " / ".join(lines[-3:]) or "no output"
