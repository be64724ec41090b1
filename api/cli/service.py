"""The service's commands: `estate scheduler`, `estate report preview|send` and `estate outbox`.

Registered on the `estate` Typer app of api.cli.app.
"""

from __future__ import annotations

import signal
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from api.cli.app import app, err, out, ready_engine, state
from estate.config import ConfigError, Settings
from estate.db import session_scope
from estate.models import OutboxMessage
from estate.models.outbox import MessageStatus
from estate.operations.logs import configure_logging
from estate.outbox.mail import deliver_due, list_outbox, retry_failed
from estate.outbox.reports import check_reports, report_for
from estate.outbox.reports.send import queue_report
from scanners.registry import check_sources

report_app = typer.Typer(help="Email reports.", no_args_is_help=True)
app.add_typer(report_app, name="report")


@app.command()
def scheduler() -> None:
    """Run sources and reports on their schedules, queued scan requests and the outbox."""
    from prometheus_client import start_http_server

    from scanners.scheduler import build_scheduler

    settings = state.settings()
    configure_logging(settings.logging)
    check_schedules(settings)
    engine = ready_engine(settings)
    if settings.scheduler.metrics_port:
        start_http_server(settings.scheduler.metrics_port)
    blocking = build_scheduler(engine, settings, blocking=True)

    def stop(_signum: int, _frame: object) -> None:
        raise SystemExit(0)

    # docker stop sends SIGTERM: finish the running jobs' transactions, then exit.
    signal.signal(signal.SIGTERM, stop)
    err.print("scheduler started", highlight=False)
    try:
        blocking.start()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        if blocking.running:
            blocking.shutdown(wait=True)


@report_app.command("preview")
def report_preview(
    name: Annotated[str, typer.Argument(help="The report, e.g. scan-health.")],
    out_file: Annotated[
        Path | None, typer.Option("--out", help="The HTML file to write (default NAME.html).")
    ] = None,
    on: Annotated[
        str | None, typer.Option("--on", help="Render as of this day (YYYY-MM-DD).")
    ] = None,
) -> None:
    """Render a report and write its HTML to a file, and its attachments beside it; nothing is
    sent."""
    settings = state.settings()
    try:
        report = report_for(name)
        today = date.fromisoformat(on) if on else date.today()
        with session_scope(ready_engine(settings)) as session:
            email = report.render(session, settings, today)
    except (ConfigError, ValueError) as exc:
        err.print(f"[red]error:[/red] {exc}", highlight=False)
        raise typer.Exit(2) from None
    path = out_file or Path(f"{name}.html")
    path.write_text(email.html, encoding="utf-8")
    out.print(f"{email.subject}", highlight=False)
    out.print(f"HTML written to {path}", highlight=False)
    for attachment in email.attachments:
        written = path.parent / attachment.filename
        written.write_bytes(attachment.data)
        out.print(f"attachment written to {written} ({len(attachment.data)} bytes)")


@report_app.command("send")
def report_send(name: Annotated[str, typer.Argument(help="The report, e.g. scan-health.")]) -> None:
    """Render a report, store it in the outbox and send it now. Exit 1 if it is still waiting."""
    settings = state.settings()
    engine = ready_engine(settings)
    try:
        report_for(name)
        with session_scope(engine) as session:
            message_id = queue_report(session, settings, name, date.today())
    except ConfigError as exc:
        err.print(f"[red]configuration error:[/red] {exc}", highlight=False)
        raise typer.Exit(2) from None
    deliver_due(engine, settings)
    with session_scope(engine) as session:
        message = session.get(OutboxMessage, message_id)
    assert message is not None
    out.print(f"message {message.id}: {message.status}", highlight=False)
    if message.status != MessageStatus.SENT:
        err.print(message.last_error or "mail.host is not set: it waits in the outbox")
        raise typer.Exit(1)


@app.command()
def outbox(
    status: Annotated[
        MessageStatus | None, typer.Option(help="Only messages in this state.")
    ] = None,
    limit: Annotated[int, typer.Option(help="How many, newest first.")] = 50,
    retry: Annotated[
        int | None, typer.Option("--retry", help="Send this failed message again.")
    ] = None,
) -> None:
    """Messages in the outbox: pending, sending, sent or failed, with attempts and errors."""
    settings = state.settings()
    engine = ready_engine(settings)
    if retry is not None:
        with session_scope(engine) as session:
            if not retry_failed(session, retry):
                err.print(f"no failed message with id {retry}")
                raise typer.Exit(2)
        out.print(f"message {retry} queued again")
        return
    table = Table()
    for title in ("id", "status", "kind"):
        table.add_column(title, no_wrap=True)
    table.add_column("tries", justify="right")
    table.add_column("sent / next try", no_wrap=True)
    table.add_column("to")
    table.add_column("error", overflow="fold")
    with session_scope(engine) as session:
        for message in list_outbox(session, status, limit):
            when = message.sent_at or (
                message.next_attempt_at if message.status == MessageStatus.PENDING else None
            )
            table.add_row(
                str(message.id),
                message.status,
                message.kind,
                str(message.attempts),
                f"{when:%Y-%m-%d %H:%M}" if when else "",
                ", ".join(message.recipients),
                message.last_error or "",
            )
    out.print(table)


def check_schedules(settings: Settings) -> None:
    try:
        check_sources(settings)
        check_reports(settings)
    except ConfigError as exc:
        err.print(f"[red]configuration error:[/red] {exc}", highlight=False)
        raise typer.Exit(2) from None
