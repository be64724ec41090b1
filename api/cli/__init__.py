"""The `estate` command: the Typer app (`app`), its inventory commands (`commands`) and the
service's commands (`service`: scheduler, reports, outbox)."""

from api.cli import commands, service, tokens
from api.cli.app import app, run

__all__ = ["app", "commands", "main", "service", "tokens"]


def main() -> None:
    run()
