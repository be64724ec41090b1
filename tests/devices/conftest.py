"""Peers for the device scanners: a Graph look-alike (pytest-httpserver) and OpenLDAP's slapd
with AD's computer attributes, each on a free loopback port, started and stopped here."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.devices.graph_peer import GraphPeer
from tests.peers import free_port, missing_peer, wait_for_port

DATA = Path(__file__).parent / "data"
BASE_DN = "dc=council,dc=local"
READER_DN = f"cn=reader,{BASE_DN}"
READER_PASSWORD = "reader-secret"


@pytest.fixture
def graph() -> Iterator[GraphPeer]:
    try:
        from pytest_httpserver import HTTPServer
    except ImportError:
        missing_peer("pytest-httpserver (.ci/peers/ldap.sh installs it)")
        raise
    server = HTTPServer(host="127.0.0.1", port=free_port())
    server.start()
    peer = GraphPeer(base_url=server.url_for("").rstrip("/"))
    server.expect_request(re.compile(".*"), method="GET").respond_with_handler(peer.handle)
    server.expect_request(re.compile(".*"), method="POST").respond_with_handler(peer.handle)
    try:
        yield peer
    finally:
        server.clear()
        server.stop()


@dataclass(frozen=True)
class Directory:
    url: str
    ldaps_url: str
    ca_file: Path
    base_dn: str = BASE_DN
    bind_dn: str = READER_DN
    password: str = READER_PASSWORD


def _tool(name: str) -> str | None:
    return shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/bin")


def _certificate(directory: Path) -> tuple[Path, Path]:
    key, cert = directory / "key.pem", directory / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return key, cert


def _config(directory: Path, key: Path, cert: Path) -> Path:
    # The size limit is below the number of computers, so only a paged search reads them all.
    config = directory / "slapd.conf"
    config.write_text(
        f"""include /etc/ldap/schema/core.schema
include {DATA / "ad-computer.schema"}
pidfile {directory / "slapd.pid"}
modulepath /usr/lib/ldap
moduleload back_mdb
sizelimit size.soft=3 size.hard=3 size.prtotal=unlimited
TLSCertificateFile {cert}
TLSCertificateKeyFile {key}
database mdb
maxsize 10485760
suffix "{BASE_DN}"
rootdn "cn=admin,{BASE_DN}"
rootpw admin-secret
directory {directory / "db"}
access to attrs=userPassword by anonymous auth by * none
access to * by * read
"""
    )
    return config


@pytest.fixture(scope="session")
def directory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Directory]:
    slapd, slapadd = _tool("slapd"), _tool("slapadd")
    if not slapd or not slapadd or not shutil.which("openssl"):
        missing_peer("OpenLDAP slapd/slapadd and openssl (.ci/peers/ldap.sh installs them)")
        raise AssertionError("unreachable")
    workdir = tmp_path_factory.mktemp("slapd")
    (workdir / "db").mkdir()
    key, cert = _certificate(workdir)
    config = _config(workdir, key, cert)
    subprocess.run(
        [slapadd, "-f", str(config), "-l", str(DATA / "directory.ldif")],
        check=True, capture_output=True,
    )  # fmt: skip
    port, tls_port = free_port(), free_port()
    urls = f"ldap://127.0.0.1:{port}/ ldaps://127.0.0.1:{tls_port}/"
    log = (workdir / "slapd.log").open("w")
    # -d keeps slapd in the foreground, a child of this process, so the fixture can stop it.
    process = subprocess.Popen(
        [slapd, "-f", str(config), "-h", urls, "-d", "0"], stdout=log, stderr=subprocess.STDOUT
    )
    try:
        wait_for_port(port)
        wait_for_port(tls_port)
        yield Directory(f"ldap://127.0.0.1:{port}", f"ldaps://127.0.0.1:{tls_port}", cert)
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()
