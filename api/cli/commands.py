"""The `estate` command's inventory commands: db, sources, scan, demo and serve."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import Engine
from sqlmodel import Session

from api.cli.app import app, db_app, err, out, ready_engine, state
from estate.config import ConfigError, Settings
from estate.db import session_scope
from estate.db.locks import SourceBusy
from estate.db.schema import upgrade
from estate.inventory.liveness import sweep_abandoned
from estate.inventory.sites import apply_site_config
from estate.models import ScanRun
from estate.operations.logs import configure_logging
from estate.operations.runs import last_runs
from estate.status import RunStatus
from scanners.registry import check_sources
from scanners.runner import run_source

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
# Problems printed per run; the rest are in the scan run (`GET /api/v1/scans/{id}`).
SHOWN_PROBLEMS = 50


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the database schema to the latest version."""
    settings = state.settings()
    engine = state.engine(settings)
    upgrade(engine)
    with session_scope(engine) as session:
        apply_site_config(session, settings)
    out.print(f"database at the latest schema: {engine.url.render_as_string(hide_password=True)}")


@app.command()
def sources() -> None:
    """Each configured source, its schedule and its last run. Exit 2 when none is configured."""
    settings = state.settings()
    need_sources(settings)
    engine = ready_engine(settings)
    table = Table(
        "source", "kind", "schedule", "enabled", "last run", "status", "added", "changed", "missing"
    )
    with Session(engine) as session:
        latest = last_runs(session)
        for source in settings.sources:
            last = latest.get(source.name)
            table.add_row(
                source.name,
                source.kind,
                source.schedule or "on demand",
                "yes" if source.enabled else "no",
                f"{last.started_at:%Y-%m-%d %H:%M}" if last else "never",
                last.status if last else "",
                *(str(getattr(last, f)) if last else "" for f in ("added", "changed", "missing")),
            )
    out.print(table)


@app.command()
def scan(
    names: Annotated[list[str] | None, typer.Argument(help="Source names to run.")] = None,
    all_sources: Annotated[bool, typer.Option("--all", help="Run every enabled source.")] = False,
) -> None:
    """Run sources now. Exit 0 when every run is ok, 1 when one failed or was partial."""
    settings = state.settings()
    if all_sources:
        need_sources(settings)
    if bool(names) == all_sources:
        err.print("name one or more sources, or pass --all")
        raise typer.Exit(2)
    chosen = [s.name for s in settings.sources if s.enabled] if all_sources else list(names or [])
    raise typer.Exit(_run(settings, chosen))


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    with_scheduler: Annotated[
        bool,
        typer.Option(
            "--scheduler/--no-scheduler",
            help="Also run the scheduler in this process (the single-machine setup).",
        ),
    ] = True,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            max=64,
            envvar="ESTATE_SERVE_WORKERS",
            help="API worker processes on the one port; the scheduler still runs once, here.",
        ),
    ] = 1,
) -> None:
    """Serve the HTTP API (OpenAPI at /docs), by default with the scheduler in-process."""
    from api import serving

    settings = state.settings()
    configure_logging(settings.logging)
    engine = ready_engine(settings)
    background = None
    if with_scheduler:
        from api.cli.service import check_schedules
        from scanners.scheduler import build_scheduler

        check_schedules(settings)
        background = build_scheduler(engine, settings)
        background.start()
    try:
        serving.serve(settings, host, port, workers)
    finally:
        if background is not None:
            background.shutdown(wait=False)


def need_sources(settings: Settings) -> None:
    """Exit 2, saying where configuration was looked for, when no source is configured."""
    if settings.sources:
        return
    if settings.config_path is None:
        err.print(
            f"no config file: looked for --config, $ESTATE_CONFIG and {Path.cwd() / 'estate.toml'}"
            " (none given or found); copy examples/estate.example.toml to ./estate.toml",
            markup=False,
            soft_wrap=True,
        )
    else:
        err.print(f"{settings.config_path} configures no [[sources]]", markup=False, soft_wrap=True)
    raise typer.Exit(2)


def prepare(settings: Settings, names: list[str]) -> int:
    """Before runs: the sources checked (2 if one is wrong), the configured sites applied and
    abandoned runs swept; 0 when ready."""
    try:
        check_sources(settings)
        for name in names:
            settings.source(name)
    except ConfigError as exc:
        err.print(f"[red]configuration error:[/red] {exc}", highlight=False, soft_wrap=True)
        return 2
    engine = ready_engine(settings)
    with session_scope(engine) as session:
        apply_site_config(session, settings)
    for swept in sweep_abandoned(engine, settings):
        reason = swept.errors[0]["reason"]
        out.print(f"run {swept.id} of {swept.source} marked failed: {reason}", highlight=False)
    return 0


def _run(settings: Settings, names: list[str]) -> int:
    code = prepare(settings, names)
    if code:
        return code
    engine = ready_engine(settings)
    runs: list[ScanRun] = []
    busy: list[str] = []
    for name in names:
        try:
            runs.append(_run_one(engine, settings, name))
        except SourceBusy as exc:
            err.print(f"[red]{exc}[/red]", highlight=False)
            busy.append(name)
    summarise(runs)
    return 0 if not busy and all(r.status == RunStatus.OK for r in runs) else 1


def _run_one(engine: Engine, settings: Settings, name: str) -> ScanRun:
    if not sys.stderr.isatty():
        return run_source(engine, settings, name)
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed} records"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=err, transient=True) as progress:
        task = progress.add_task(name, total=None)
        return run_source(engine, settings, name, lambda n: progress.advance(task, n))


def summarise(runs: list[ScanRun]) -> None:
    table = Table("run", "source", "status", "added", "changed", "unchanged", "missing", "problems")
    for run in runs:
        colour = {"ok": "green", "partial": "yellow"}.get(run.status, "red")
        table.add_row(
            str(run.id),
            run.source,
            f"[{colour}]{run.status}[/{colour}]",
            str(run.added),
            str(run.changed),
            str(run.unchanged),
            str(run.missing),
            str(len(run.errors)),
        )
    out.print(table)
    for run in runs:
        for problem in run.errors[:SHOWN_PROBLEMS]:
            where = ", ".join(
                f"{label} {problem[key]}"
                for label, key in (("row", "row"), ("column", "column"), ("target", "target"))
                if problem.get(key) is not None
            )
            scope = problem.get("scope") or ""
            out.print(
                f"{run.source}: {scope} {where}: {problem['reason']}",
                highlight=False,
                soft_wrap=True,
            )
        if len(run.errors) > SHOWN_PROBLEMS:
            out.print(
                f"{run.source}: ... {len(run.errors) - SHOWN_PROBLEMS} more in scan run {run.id}"
            )
