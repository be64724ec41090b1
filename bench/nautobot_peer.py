"""A Nautobot of our own for bench/peer_nautobot.py: its own PostgreSQL database, its own
Redis on a free loopback port, a generated nautobot_config.py, migrations, a superuser with an
API token, and Nautobot under uWSGI (`nautobot-server start`, the server its docs recommend).
Everything is torn down on the way out, whatever happened.

Nautobot comes from its own venv (default bench/.peer-venv, made by `make bench-peer`), so its
Django stack never meets estate's dependencies. Not a bench: `make bench` does not run it.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from common import fresh_database, postgres_reachable
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the peers' port helpers live with the tests

from tests.peers import free_port, stop_process, wait_for_port  # noqa: E402

DEFAULT_VENV = ROOT / "bench" / ".peer-venv"
# Migrating an empty database takes minutes on a busy machine.
MIGRATE_TIMEOUT_S = 1800
START_TIMEOUT_S = 180

CONFIG = """\
# Written by bench/nautobot_peer.py for one bench run; deleted with its directory.
from nautobot.core.settings import *  # noqa: F401,F403

ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
SECRET_KEY = {secret!r}
DATABASES = {{
    "default": {{
        "ENGINE": "django.db.backends.postgresql",
        "NAME": {db_name!r},
        "USER": {db_user!r},
        "PASSWORD": {db_password!r},
        "HOST": {db_host!r},
        "PORT": {db_port!r},
        "CONN_MAX_AGE": 300,
    }}
}}
CACHES["default"]["LOCATION"] = "redis://127.0.0.1:{redis_port}/1"  # noqa: F405
CELERY_BROKER_URL = "redis://127.0.0.1:{redis_port}/0"
INSTALLATION_METRICS_ENABLED = False
"""

# Run by the venv's python once migrated: the bench's superuser and its API token.
MAKE_TOKEN = """\
import sys
import nautobot
nautobot.setup(sys.argv[1])
from django.contrib.auth import get_user_model
from nautobot.users.models import Token
user = get_user_model().objects.create_superuser("bench", "bench@example.invalid", None)
Token.objects.create(user=user, key=sys.argv[2])
"""


@dataclass(frozen=True)
class Nautobot:
    """A running Nautobot: where it answers, the token to send, and what setting it up took."""

    url: str
    token: str
    version: str
    migrate_seconds: float

    def client(self) -> httpx.Client:
        headers = {"Authorization": f"Token {self.token}", "Accept": "application/json"}
        return httpx.Client(base_url=self.url, headers=headers, timeout=600)


def missing(why: str) -> SystemExit:
    return SystemExit(f"bench/peer_nautobot.py cannot run Nautobot here: {why}")


def server_command(venv: Path) -> Path:
    command = venv / "bin" / "nautobot-server"
    if not command.exists():
        raise missing(
            f"no {command}; `make bench-peer` makes that venv (pip install nautobot from PyPI)"
        )
    return command


def check_needs(venv: Path) -> Path:
    """Fail at once, naming what is missing: Nautobot's venv, Redis or PostgreSQL."""
    command = server_command(venv)
    if shutil.which("redis-server") is None:
        raise missing("redis-server is not installed (Debian: apt-get install redis-server)")
    if not postgres_reachable():
        raise missing("no PostgreSQL at 127.0.0.1:5432 (set ESTATE_TEST_PG_URL to point at one)")
    return command


def version_of(venv: Path) -> str:
    script = "import nautobot; print(nautobot.__version__)"
    found = subprocess.run(
        [venv / "bin" / "python", "-c", script], capture_output=True, text=True, check=True
    )
    return found.stdout.strip()


@contextmanager
def own_redis(workdir: Path) -> Iterator[int]:
    """A Redis of our own on a free loopback port, persisting nothing; stopped after."""
    binary = shutil.which("redis-server") or "redis-server"
    port = free_port()
    arguments = ["--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    process = subprocess.Popen(
        [binary, *arguments, "--dir", str(workdir)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, timeout=30)
        yield port
    finally:
        stop_process(process)


def write_config(workdir: Path, database_url: str, redis_port: int) -> Path:
    url = make_url(database_url)
    path = workdir / "nautobot_config.py"
    path.write_text(
        CONFIG.format(
            secret=secrets.token_urlsafe(50),
            db_name=url.database,
            db_user=url.username or "",
            db_password=url.password or "",
            db_host=url.host or "127.0.0.1",
            db_port=str(url.port or 5432),
            redis_port=redis_port,
        )
    )
    return path


def run_logged(command: list[str | Path], env: dict[str, str], log: Path, timeout: float) -> None:
    """Run a setup step with its output in `log`; on failure, stop with the log's tail."""
    with log.open("w") as handle:
        done = subprocess.run(
            command, env=env, stdout=handle, stderr=subprocess.STDOUT, timeout=timeout
        )
    if done.returncode != 0:
        tail = "\n".join(log.read_text().splitlines()[-25:])
        raise missing(
            f"`{' '.join(map(str, command[-2:]))}` failed (exit {done.returncode}):\n{tail}"
        )


@contextmanager
def running_uwsgi(command: Path, env: dict[str, str], workdir: Path, workers: int) -> Iterator[str]:
    port = free_port()
    arguments = [
        f"--http=127.0.0.1:{port}",
        # Keep the client's connection open between requests (uWSGI closes it by default).
        "--http-keepalive",
        "--master",
        f"--processes={workers}",
        "--threads=1",
        "--die-on-term",
        "--disable-logging",
        "--buffer-size=65535",
        # A bulk request of hundreds of devices takes longer than uWSGI's default.
        "--http-timeout=600",
        "--harakiri=600",
    ]
    log = (workdir / "uwsgi.log").open("w")
    process = subprocess.Popen(
        [command, "start", *arguments], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        wait_for_port(port, timeout=START_TIMEOUT_S)
        yield f"http://127.0.0.1:{port}"
    except BaseException:
        print_tail(workdir / "uwsgi.log", "Nautobot's uWSGI log ends")
        raise
    finally:
        stop_process(process, timeout=30)
        log.close()


def print_tail(path: Path, heading: str, lines: int = 40) -> None:
    text = path.read_text(errors="replace").splitlines() if path.exists() else []
    print(f"{heading} ({path.name}):", *text[-lines:], sep="\n", file=sys.stderr)


def wait_until_answering(nautobot: Nautobot) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    with nautobot.client() as client:
        while True:
            try:
                if client.get("/api/status/").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise missing(f"Nautobot at {nautobot.url} did not answer /api/status/ in time")
            time.sleep(1)


@contextmanager
def running_nautobot(venv: Path, workdir: Path, workers: int = 1) -> Iterator[Nautobot]:
    """A migrated, empty Nautobot with a token, on its own database and Redis; all torn down
    (server, Redis, database) on the way out, whatever happened."""
    command = check_needs(venv)
    with ExitStack() as stack:
        redis_port = stack.enter_context(own_redis(workdir))
        database_url = stack.enter_context(fresh_database("postgresql", str(workdir)))
        config = write_config(workdir, database_url, redis_port)
        env = os.environ | {"NAUTOBOT_CONFIG": str(config), "NAUTOBOT_ROOT": str(workdir)}
        started = time.perf_counter()
        print("migrating Nautobot's empty database (minutes)...", flush=True)
        run_logged([command, "migrate"], env, workdir / "migrate.log", MIGRATE_TIMEOUT_S)
        migrate_seconds = time.perf_counter() - started
        token = secrets.token_hex(20)
        python = venv / "bin" / "python"
        run_logged([python, "-c", MAKE_TOKEN, config, token], env, workdir / "token.log", 300)
        url = stack.enter_context(running_uwsgi(command, env, workdir, workers))
        nautobot = Nautobot(url, token, version_of(venv), migrate_seconds)
        wait_until_answering(nautobot)
        yield nautobot
