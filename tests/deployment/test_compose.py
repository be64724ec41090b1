"""docker-compose.yml validates with a real Compose; the Dockerfile's and compose's commands are
the README's and are real `estate` commands."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import ESTATE
from tests.peers import missing_peer

ROOT = Path(__file__).resolve().parents[2]
SERVICES = {"db", "migrate", "api", "scheduler", "mail"}


def compose_command() -> list[str]:
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    missing_peer("docker-compose (Debian's docker-compose: .ci/peers/compose.sh)")
    raise AssertionError("unreachable")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    """The file as Compose reads it (`config` resolves anchors, defaults and paths)."""
    try:
        import yaml
    except ImportError:
        missing_peer("PyYAML (.ci/peers/compose.sh)")
    done = subprocess.run(
        [*compose_command(), "-f", "docker-compose.yml", "config"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/local/bin:/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr
    config: dict[str, Any] = yaml.safe_load(done.stdout)
    return config


def deployment_section() -> str:
    readme = (ROOT / "README.md").read_text()
    start = readme.index("\n## Deployment\n")
    end = readme.find("\n## ", start + 1)
    return readme[start : end if end != -1 else None]


def dockerfile_instruction(name: str) -> list[str]:
    [line] = [
        line for line in (ROOT / "Dockerfile").read_text().splitlines() if line.startswith(name)
    ]
    value: list[str] = json.loads(line.removeprefix(name).strip())
    return value


def test_compose_validates_with_every_service(compose: dict[str, Any]) -> None:
    services = compose["services"]

    assert set(services) == SERVICES
    assert services["db"]["image"] == "postgres:16"
    assert "pg_isready" in " ".join(services["db"]["healthcheck"]["test"])
    assert any(v.startswith("pgdata:") for v in services["db"]["volumes"])
    assert services["mail"]["image"].startswith("axllent/mailpit")
    assert "/health" in " ".join(services["api"]["healthcheck"]["test"])
    assert services["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"
    for name in ("api", "scheduler"):
        assert services[name]["depends_on"]["migrate"]["condition"] == (
            "service_completed_successfully"
        )
        environment = services[name]["environment"]
        assert environment["ESTATE_CONFIG"] == "/etc/estate/estate.toml"
        assert environment["ESTATE_DATABASE_URL"].startswith("postgresql://estate:")
        assert any(v.endswith(":/etc/estate/estate.toml:ro") for v in services[name]["volumes"])


def test_the_commands_are_the_readmes(compose: dict[str, Any]) -> None:
    section = deployment_section()
    commands = {
        name: "estate " + " ".join(service["command"])
        for name, service in compose["services"].items()
        if "command" in service
    }

    assert commands == {
        "migrate": "estate db upgrade",
        "api": "estate serve --host 0.0.0.0 --port 8000 --no-scheduler",
        "scheduler": "estate scheduler",
    }
    for name, command in commands.items():
        assert f"| `{name}` | `{command}`" in section
    assert dockerfile_instruction("ENTRYPOINT") == ["estate"]
    default = "estate " + " ".join(dockerfile_instruction("CMD"))
    assert f"`{default}`" in section
    for used in re.findall(r"docker compose (?:run --rm|logs -f) (\w+)", section):
        assert used in compose["services"]


def test_the_image_runs_as_a_user_from_a_slim_base() -> None:
    lines = (ROOT / "Dockerfile").read_text().splitlines()

    assert re.fullmatch(r"FROM python:3\.\d+-slim", next(x for x in lines if x.startswith("FROM")))
    users = [line.split()[1] for line in lines if line.startswith("USER ")]
    assert users and users[-1] not in {"root", "0"}


def test_every_command_is_a_real_estate_command(compose: dict[str, Any]) -> None:
    commands = [s["command"] for s in compose["services"].values() if "command" in s]
    for command in [*commands, dockerfile_instruction("CMD")]:
        done = subprocess.run(
            [ESTATE, *command, "--help"], capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, (command, done.stderr)


def test_the_deployment_config_is_valid() -> None:
    from estate.config.loading import load_settings
    from estate.outbox.reports import check_reports
    from scanners.registry import check_sources

    settings = load_settings(ROOT / "deploy" / "estate.toml")
    check_sources(settings)
    check_reports(settings)

    assert settings.mail.host == "mail"
