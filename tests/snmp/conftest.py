"""snmpsim on loopback: one SNMP engine (own UDP port, own engine ID) per recorded walk.

Each engine's data directory holds its walk as `public.snmprec` (v2c community "public"),
as the community in COMMUNITY (a secret one), and as `self.snmprec`, which snmpsim serves to
SNMPv3 requests with the empty context name that real agents use.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from scanners.snmp.fetch import answers
from tests.peers import free_port, missing_peer, stop_process

DATA = Path(__file__).parent / "data"
PEERS = Path(__file__).parent.parent / ".peers"
WALKS = (
    "cisco-catalyst-9300",
    "cisco-isr-4331",
    "aruba-ap-515",
    "cisco-wlc-3504",
    "apc-ups-smart-3000",
)
COMMUNITY = "netops-ro-7731"
# name -> (auth protocol, auth key, priv protocol, priv key), as snmpsim spells them.
USERS = {
    "ops-authpriv": ("SHA", "auth-key-4417", "AES", "priv-key-9083"),
    "ops-authonly": ("SHA256", "auth-key-2210", None, None),
    "ops-cisco-aes256": ("SHA512", "auth-key-6652", "AES256", "priv-key-1175"),
}


@dataclass(frozen=True)
class Agents:
    """Where each recorded walk answers: walk name -> UDP port on 127.0.0.1."""

    ports: dict[str, int]


def _engine_args(walk: str, port: int, root: Path) -> list[str]:
    data = root / walk
    data.mkdir()
    for name in ("public", "self", COMMUNITY):
        shutil.copyfile(DATA / f"{walk}.snmprec", data / f"{name}.snmprec")
    args = ["--v3-engine-id=auto", f"--data-dir={data}", f"--agent-udpv4-endpoint=127.0.0.1:{port}"]
    for user, (auth, auth_key, priv, priv_key) in USERS.items():
        args += [f"--v3-user={user}", f"--v3-auth-key={auth_key}", f"--v3-auth-proto={auth}"]
        if priv is not None:
            args += [f"--v3-priv-key={priv_key}", f"--v3-priv-proto={priv}"]
    return args


def _responder() -> str:
    """snmpsim from its own venv (.ci/peers/snmp.sh makes it), else this venv, else PATH."""
    name = "snmpsim-command-responder"
    own = Path(os.environ.get("SNMPSIM_VENV", PEERS / "snmpsim-venv")) / "bin" / name
    beside = Path(sys.executable).parent / name
    found = next((str(p) for p in (own, beside) if p.exists()), None) or shutil.which(name)
    if found is None:
        missing_peer(f"{name} (bash .ci/peers/snmp.sh installs snmpsim in {own.parent.parent})")
    return str(found)


def _wait(process: subprocess.Popen[bytes], ports: list[int], log: Path) -> None:
    deadline = time.monotonic() + 60
    waiting = list(ports)
    while waiting and time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"snmpsim exited: {log.read_text(errors='replace')[-3000:]}")
        if answers("127.0.0.1", waiting[0]):
            waiting.pop(0)
    if waiting:
        output = log.read_text(errors="replace")[-3000:]
        pytest.fail(f"snmpsim not answering on {waiting}: {output}")


@pytest.fixture(scope="session")
def agents(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Agents]:
    responder = _responder()
    root = tmp_path_factory.mktemp("snmpsim")
    ports = {walk: free_port() for walk in WALKS}
    args = [responder, f"--cache-dir={root / 'cache'}", f"--logging-method=file:{root / 'log'}"]
    for walk, port in ports.items():
        args += _engine_args(walk, port, root)
    # snmpsim refuses to run as root unless told; CI and the dev machines run tests as root.
    env = {**os.environ, "SNMPSIM_ALLOW_ROOT": "true"}
    with (root / "stdout").open("wb") as out:
        process = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, env=env)
    try:
        _wait(process, list(ports.values()), root / "stdout")
        yield Agents(ports)
    finally:
        stop_process(process)


@pytest.fixture
def snmp_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEST_SNMP_COMMUNITY", COMMUNITY)
    for user, (_, auth_key, _, priv_key) in USERS.items():
        variable = user.upper().replace("-", "_")
        monkeypatch.setenv(f"{variable}_AUTH", auth_key)
        if priv_key is not None:
            monkeypatch.setenv(f"{variable}_PRIV", priv_key)
    monkeypatch.setenv("WRONG_KEY", "not-the-key-0000")
