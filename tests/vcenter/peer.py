"""govmomi's vcsim as a test peer: built from tests/vcenter/vcsim/main.go, run on loopback.

The binary is built with Debian's golang-go and golang-github-vmware-govmomi-dev into
tests/.peers/vcsim (`.ci/peers/vcenter.sh` does the same for `make test`).
"""

from __future__ import annotations

import json
import os
import selectors
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from tests.peers import free_port, missing_peer

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "tests" / "vcenter" / "vcsim"
BINARY = ROOT / "tests" / ".peers" / "vcsim"
GOPATH = Path("/usr/share/gocode")
GOVMOMI = GOPATH / "src" / "github.com" / "vmware" / "govmomi" / "simulator"
USER, PASSWORD = "estate", "s3cret"
# A VPX model of 8 hosts (two clusters of 4) and 1,000 VMs (500 per cluster).
LARGE = ("-clusters", "2", "-hosts", "4", "-standalone-hosts", "0", "-vms", "500")


def build_vcsim() -> Path:
    """The vcsim binary, built if absent or older than its source; skips if it cannot be."""
    newest = max(p.stat().st_mtime for p in SOURCE.glob("*.go"))
    if BINARY.exists() and BINARY.stat().st_mtime >= newest:
        return BINARY
    go = shutil.which("go")
    if go is None or not GOVMOMI.is_dir():
        missing_peer("vcsim: needs Debian's golang-go and golang-github-vmware-govmomi-dev")
    assert go is not None  # missing_peer skipped or failed the test
    BINARY.parent.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "GOPATH": str(GOPATH), "GO111MODULE": "off", "GOFLAGS": ""}
    # Built beside the binary and renamed into place: parallel workers may build at once.
    partial = BINARY.with_name(f"vcsim.{os.getpid()}")
    done = subprocess.run(
        [go, "build", "-o", str(partial), "./tests/vcenter/vcsim"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if done.returncode != 0:
        raise RuntimeError(f"building vcsim failed:\n{done.stderr}")
    partial.replace(BINARY)
    return BINARY


@dataclass
class Vcsim:
    """One running vcsim; `url` is its SDK endpoint, `cert` its PEM file when serving TLS."""

    process: subprocess.Popen[str]
    url: str
    cert: str | None = None
    args: tuple[str, ...] = field(default=())

    @property
    def port(self) -> int:
        return int(urlsplit(self.url).port or 0)

    @property
    def protocol(self) -> str:
        return urlsplit(self.url).scheme

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=20)
        if self.process.stdin:
            self.process.stdin.close()
        if self.process.stdout:
            self.process.stdout.close()


def start_vcsim(*args: str, tls_dir: Path | None = None, timeout: float = 120.0) -> Vcsim:
    """Start vcsim on a free loopback port (with TLS when `tls_dir` is given), wait for it."""
    binary = build_vcsim()
    command = [str(binary), "-listen", f"127.0.0.1:{free_port()}"]
    command += ["-username", USER, "-password", PASSWORD, *args]
    if tls_dir is not None:
        command += ["-tls", "-cert-file", str(tls_dir / "vcsim.pem")]
    # stderr goes to a file: a pipe nobody reads could fill and stall the simulator.
    with tempfile.TemporaryFile(mode="w+") as errors:
        process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=errors, text=True
        )
        assert process.stdout is not None
        with selectors.DefaultSelector() as selector:
            selector.register(process.stdout, selectors.EVENT_READ)
            ready = selector.select(timeout)
        line = process.stdout.readline() if ready else ""
        if not line:
            process.kill()
            process.wait(timeout=20)
            errors.seek(0)
            raise RuntimeError(f"vcsim did not start within {timeout}s: {errors.read()}")
    started = json.loads(line)
    return Vcsim(process, started["url"], started["cert"] or None, tuple(args))
