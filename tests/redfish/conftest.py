"""Redfish peers on loopback: sushy-tools' static server over the mockups under data/, its
emulator (fake driver) behind basic auth and TLS, and a socket that accepts but never answers.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.peers import free_port, missing_peer, stop_process, wait_for_port
from tests.tls import TlsFiles, make_tls_files

MOCKUPS = Path(__file__).parent / "data" / "mockups"
USERNAME = "estate"
PASSWORD = "bmc-pass-1"


@dataclass(frozen=True)
class Peer:
    url: str
    process: subprocess.Popen[bytes]


def _tool(name: str) -> str:
    """A sushy-tools command from this interpreter's venv, else from PATH."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    if found is None:
        missing_peer(f"{name} from sushy-tools (pip install sushy-tools)")
    return str(found)


def _start(args: list[str], port: int, log: Path, scheme: str = "http") -> Iterator[Peer]:
    with log.open("wb") as out:
        process = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT)
    try:
        try:
            wait_for_port(port)
        except TimeoutError:
            pytest.fail(f"{args[0]} did not start: {log.read_text(errors='replace')[-2000:]}")
        yield Peer(f"{scheme}://127.0.0.1:{port}", process)
    finally:
        stop_process(process)


@pytest.fixture(scope="session")
def tls(tmp_path_factory: pytest.TempPathFactory) -> TlsFiles:
    return make_tls_files(tmp_path_factory.mktemp("tls"))


def _static(
    tree: str,
    tmp_path_factory: pytest.TempPathFactory,
    tls: TlsFiles | None = None,
    root: Path = MOCKUPS,
) -> Iterator[Peer]:
    port = free_port()
    args = [_tool("sushy-static"), "-i", "127.0.0.1", "-p", str(port), "-m", str(root / tree)]
    if tls is not None:
        args += ["-c", str(tls.cert), "-k", str(tls.key)]
    log = tmp_path_factory.mktemp("sushy-static") / f"{tree}.log"
    yield from _start(args, port, log, "https" if tls else "http")


@pytest.fixture(scope="session")
def dell_bmc(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Peer]:
    """An iDRAC-like BMC: the chassis' Power resource says the watts."""
    yield from _static("dell-r750", tmp_path_factory)


@pytest.fixture(scope="session")
def hpe_bmc(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Peer]:
    """An iLO 6-like BMC: only EnvironmentMetrics says the watts."""
    yield from _static("hpe-dl380-gen11", tmp_path_factory)


@pytest.fixture(scope="session")
def dell_bmc_tls(tmp_path_factory: pytest.TempPathFactory, tls: TlsFiles) -> Iterator[Peer]:
    """The same iDRAC over HTTPS with a certificate from the test CA."""
    yield from _static("dell-r750", tmp_path_factory, tls)


@pytest.fixture(scope="session")
def emulator(tmp_path_factory: pytest.TempPathFactory, tls: TlsFiles) -> Iterator[Peer]:
    """sushy-emulator's fake driver over HTTPS, asking for basic auth (an htpasswd file)."""
    try:
        import bcrypt
    except ImportError:
        missing_peer("bcrypt (installed with sushy-tools)")
    state = tmp_path_factory.mktemp("sushy-emulator")
    digest = bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(rounds=4)).decode()
    (state / "htpasswd").write_text(f"{USERNAME}:{digest}\n")
    (state / "emulator.conf").write_text(
        f"SUSHY_EMULATOR_AUTH_FILE = {str(state / 'htpasswd')!r}\n"
        f"SUSHY_EMULATOR_STATE_DIR = {str(state)!r}\n"
    )
    port = free_port()
    args = [_tool("sushy-emulator"), "--fake", "-i", "127.0.0.1", "-p", str(port)]
    args += ["--config", str(state / "emulator.conf")]
    args += ["--ssl-certificate", str(tls.cert), "--ssl-key", str(tls.key)]
    yield from _start(args, port, state / "emulator.log", "https")


@pytest.fixture
def silent_bmc() -> Iterator[str]:
    """A port whose connections the kernel accepts (a listen backlog) but nobody answers."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"


@pytest.fixture
def bmc_password(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("TEST_BMC_PASSWORD", PASSWORD)
    monkeypatch.setenv("TEST_BMC_WRONG_PASSWORD", "not-the-password")
    return "TEST_BMC_PASSWORD"


@pytest.fixture
def unused_port() -> int:
    """A loopback port with nothing listening: connections are refused."""
    return free_port()
