"""The `estate` Typer app, its shared options and consoles; the commands register on it from
api.cli.commands and api.cli.service."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from sqlalchemy import Engine

from estate.config import ConfigError, Settings
from estate.config.loading import load_settings
from estate.db import make_engine
from estate.db.outages import cause, describe, is_busy, is_outage, unavailable
from estate.db.schema import at_head

app = typer.Typer(help="estate: IT estate and cloud migration inventory.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")
token_app = typer.Typer(help="API tokens.", no_args_is_help=True)
app.add_typer(token_app, name="token")
# Wide when piped, so tables in logs and CI output keep whole source names.
out = Console(width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True)


class State:
    config: Path | None = None
    # The database of the last engine made, for the one line an outage is reported in.
    database: Engine | None = None

    def settings(self) -> Settings:
        try:
            return load_settings(self.config)
        except ConfigError as exc:
            err.print(f"[red]configuration error:[/red] {exc}", highlight=False, soft_wrap=True)
            raise typer.Exit(2) from None

    def engine(self, settings: Settings) -> Engine:
        self.database = make_engine(
            settings.database.url,
            busy_timeout_seconds=settings.database.lock_timeout_seconds,
            sqlite_writer=True,
        )
        return self.database


state = State()


@app.callback()
def main_options(
    config: Annotated[
        Path | None,
        typer.Option(
            "--config", "-c", help="Config file (else $ESTATE_CONFIG, else ./estate.toml)."
        ),
    ] = None,
) -> None:
    state.config = config


def ready_engine(settings: Settings) -> Engine:
    engine = state.engine(settings)
    if not at_head(engine):
        err.print("the database schema is not up to date: run `estate db upgrade` first")
        raise typer.Exit(1)
    return engine


def run() -> None:
    """The `estate` command. A database outage, or a database another writer kept busy past
    `database.lock_timeout_seconds`, wherever it is met, ends it with one line that says which
    database, what was being done and that nothing was written, and exit code 1: nothing is
    wrong with estate, so no traceback."""
    try:
        app()
    except Exception as exc:
        if state.database is None or not (is_outage(exc) or is_busy(exc)):
            raise
        doing = f"running `estate {_command()}`"
        if is_outage(exc):
            report = str(unavailable(state.database, doing, exc))
        else:
            report = (
                f"the database ({describe(state.database)}) is busy with another writer while"
                f" {doing}: nothing was written ({cause(exc)}); try again"
            )
        err.print(report, markup=False, highlight=False, soft_wrap=True)
        raise SystemExit(1) from None


def _command() -> str:
    """The command line as typed, less the config file's path."""
    words, skip = [], False
    for word in sys.argv[1:]:
        if not skip and word not in ("--config", "-c") and not word.startswith("--config="):
            words.append(word)
        skip = word in ("--config", "-c")
    return " ".join(words)
