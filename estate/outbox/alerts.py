"""Alerts to the operations team: one when a source has failed `alerts.failures_in_a_row` runs in a
row, and one recovery notice when it next succeeds (ok or partial: data came in).

Worked out from the source's runs up to the one just finished, so nothing else needs keeping:
the alert goes when the streak of failures reaches exactly N (not at N+1, N+2...), the notice
when a success ends a streak of N or more. Each is enqueued under a key naming the streak, so
however often it is worked out, it is stored and sent once.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from sqlmodel import Session, col, select

from estate.config import Settings
from estate.models import ScanRun
from estate.outbox.mail import Email, enqueue
from estate.outbox.reports.base import local_time, render_parts
from estate.status import RunStatus

log = logging.getLogger(__name__)


def after_run(session: Session, settings: Settings, run: ScanRun) -> str | None:
    """Enqueue an alert or a recovery notice if this run calls for one; returns which."""
    alerts = settings.alerts
    if not alerts.enabled or not alerts.recipients or run.id is None:
        return None
    limit = alerts.failures_in_a_row + 1
    runs = list(
        session.exec(
            select(ScanRun)
            .where(
                col(ScanRun.source) == run.source,
                col(ScanRun.id) <= run.id,
                col(ScanRun.status) != RunStatus.RUNNING,
            )
            .order_by(col(ScanRun.id).desc())
            .limit(limit)
        )
    )
    failed = [r.status == RunStatus.FAILED for r in runs]
    n = alerts.failures_in_a_row
    if failed[:n] == [True] * n and (len(failed) == n or not failed[n]):
        kind, key = "alert", f"alert:{run.source}:{runs[n - 1].id}"
    elif failed and not failed[0] and failed[1:] == [True] * n:
        kind, key = "recovery", f"recovery:{run.source}:{run.id}"
    else:
        return None
    email = _email(settings, kind, run, runs[:n])
    stored = enqueue(session, settings, email, alerts.recipients, kind=kind, dedupe_key=key)
    if stored is not None:
        log.warning("%s for source %s enqueued (message %s)", kind, run.source, stored)
    return kind


def after_latest(session: Session, settings: Settings, source: str) -> str | None:
    """after_run for the source's latest finished run: what to do once a sweep has marked runs
    of it failed (an abandoned run, found later, may not be the source's latest)."""
    latest = session.exec(
        select(ScanRun)
        .where(col(ScanRun.source) == source, col(ScanRun.status) != RunStatus.RUNNING)
        .order_by(col(ScanRun.id).desc())
        .limit(1)
    ).first()
    return after_run(session, settings, latest) if latest is not None else None


def _email(settings: Settings, kind: str, run: ScanRun, recent: list[ScanRun]) -> Email:
    n = settings.alerts.failures_in_a_row
    if kind == "alert":
        subject = f"estate: source {run.source} has failed {n} runs in a row"
    else:
        subject = f"estate: source {run.source} has recovered"
    context = {
        "subject": subject,
        "title": subject,
        "council_day": local_time(datetime.now(UTC), settings),
        "kind": kind,
        "source": run.source,
        "n": n,
        "run": run,
        "finished": local_time(run.finished_at, settings),
        "failures": [
            {
                "id": r.id,
                "started": local_time(r.started_at, settings),
                "reason": str(r.errors[0].get("reason", "")) if r.errors else "",
            }
            for r in recent
            if r.status == RunStatus.FAILED
        ],
    }
    text, html = render_parts("alert", context)
    return Email(subject, text, html)
