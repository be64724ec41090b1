"""A PostgreSQL cluster of the test's own: Debian's binaries, a folder and a free port of its
own, so a test may stop it (`pg_ctl stop -m immediate`, as a crash would) and start it again.
The shared server on 5432, which the rest of the suite uses, is never touched.

initdb refuses to run as root, so under root every PostgreSQL program runs as the `postgres`
user (runuser), in a folder that user owns. One migrated cluster is made per test session and
copied for each test (a copy takes a tenth of a second, initdb and the migrations seconds).
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text

from estate.db import make_engine
from estate.db.schema import upgrade
from tests.peers import free_port, missing_peer

DATABASE = "estate"


def _bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: p.parts[-3])
    if not found:
        missing_peer("PostgreSQL server binaries under /usr/lib/postgresql/*/bin (postgresql)")
    return found[-1].parent


def _as_owner() -> list[str]:
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        missing_peer("a 'postgres' user to run a PostgreSQL cluster as (not root)")
    return ["runuser", "-u", "postgres", "--"]


def _folder() -> Path:
    """A folder the cluster's user owns (tmp_path is root's alone)."""
    folder = Path(tempfile.mkdtemp(prefix="estate-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    return folder


class OwnCluster:
    """One cluster in `folder`, listening on 127.0.0.1:`port` only (its socket in the folder)."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.data = folder / "data"
        self.port = free_port()
        self.bin = _bin()

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{DATABASE}"

    def _run(self, program: str, *args: str) -> None:
        command = [*_as_owner(), str(self.bin / program), *args]
        done = subprocess.run(command, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, f"{program} failed: {done.stdout}{done.stderr}"

    def initdb(self) -> None:
        self._run(
            "initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
            "--no-sync", "--no-instructions",
        )  # fmt: skip

    def start(self) -> None:
        # fsync off: a stopped (crashed) server loses nothing the kernel holds; only a crash
        # of the machine would, and that is not what these tests do.
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        log = str(self.folder / "server.log")
        self._run("pg_ctl", "-D", str(self.data), "-l", log, "-o", options, "-w", "start")

    def stop_immediately(self) -> None:
        """As a crash would: every server process quits at once, nothing is shut down cleanly."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def restart_immediately(self) -> None:
        self.stop_immediately()
        self.start()


def make_template() -> Path:
    """A stopped cluster holding the migrated `estate` database, to copy for each test."""
    cluster = OwnCluster(_folder())
    cluster.initdb()
    cluster.start()
    try:
        admin = create_engine(
            f"postgresql+psycopg://postgres@127.0.0.1:{cluster.port}/postgres",
            isolation_level="AUTOCOMMIT",
        )
        with admin.connect() as connection:
            connection.execute(text(f"CREATE DATABASE {DATABASE}"))
        admin.dispose()
        engine = make_engine(cluster.url)
        upgrade(engine)
        engine.dispose()
    finally:
        cluster.stop()
    return cluster.folder


@contextmanager
def own_cluster(template: Path) -> Iterator[OwnCluster]:
    """A running copy of the template on a free port, removed afterwards."""
    folder = _folder()
    # cp -a keeps the owner and the data folder's 0700 mode, as the server insists.
    subprocess.run(["cp", "-a", f"{template}/data", str(folder)], check=True, timeout=60)
    cluster = OwnCluster(folder)
    cluster.start()
    try:
        yield cluster
    finally:
        subprocess.run(
            [*_as_owner(), str(cluster.bin / "pg_ctl"), "-D", str(cluster.data),
             "-m", "immediate", "-w", "stop"],
            capture_output=True, timeout=60,
        )  # fmt: skip
        shutil.rmtree(folder, ignore_errors=True)
