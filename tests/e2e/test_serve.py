"""`estate serve --workers N`: worker processes on one port, stopped together."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import httpx

from tests.e2e.conftest import ESTATE, Cli
from tests.peers import free_port, wait_for_port


def wait_for_workers(log_path: Path, workers: int, timeout: float = 90.0) -> None:
    """The parent binds the port before its workers start, so an open port is not enough."""
    deadline = time.monotonic() + timeout
    while log_path.read_text().count("Started server process") < workers:
        if time.monotonic() > deadline:
            raise TimeoutError(f"{workers} workers not started after {timeout}s")
        time.sleep(0.1)


def test_two_workers_answer_on_one_port_and_stop_with_the_server(
    cli: Cli, config: Path, tmp_path: Path
) -> None:
    cli("db", "upgrade")
    token = cli("token", "create", "--name", "workers", "--role", "viewer").stdout.split()[0]
    port = free_port()
    log_path = tmp_path / "serve.log"
    with log_path.open("w") as log:
        command = [ESTATE, "--config", str(config), "serve", "--port", str(port), "--workers", "2"]
        server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_for_port(port, timeout=60)
            wait_for_workers(log_path, 2)
            headers = {"Authorization": f"Bearer {token}"}
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=headers) as client:
                answers = [client.get("/api/v1/progress", timeout=30) for _ in range(6)]
        finally:
            server.terminate()
            exit_code = server.wait(timeout=30)
    output = log_path.read_text()

    assert [answer.status_code for answer in answers] == [200] * 6, output
    assert (output.count("Started server process"), exit_code) == (2, 0), output


def test_serving_says_where_to_sign_in_and_how_to_get_a_token(
    cli: Cli, config: Path, tmp_path: Path
) -> None:
    cli("db", "upgrade")
    port = free_port()
    log_path = tmp_path / "serve.log"
    with log_path.open("w") as log:
        command = [ESTATE, "--config", str(config), "serve", "--port", str(port), "--no-scheduler"]
        server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_for_port(port, timeout=60)
            # The lines follow uvicorn's start-up, a moment after the port answers.
            for _ in range(300):
                if "a token to sign in with" in log_path.read_text():
                    break
                time.sleep(0.1)
        finally:
            server.terminate()
            server.wait(timeout=30)
    output = log_path.read_text()

    base = f"http://127.0.0.1:{port}"
    assert f"sign in at {base}/signin, the API is described at {base}/docs" in output, output
    command = f"estate --config {config} token create --name YOUR-NAME --role viewer"
    assert f"a token to sign in with: {command}" in output, output
