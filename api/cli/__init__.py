"""The `estate` command: the Typer app (`app`), its inventory commands (`commands`), the demo
(`demo`) and the service's commands (`service`: scheduler, reports, outbox)."""

from api.cli import commands, demo, service, tokens
from api.cli.app import app, run

__all__ = ["app", "commands", "demo", "main", "service", "tokens"]


def main() -> None:
    run()
