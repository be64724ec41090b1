"""The settings sections of the long-running service: `[scheduler]`, `[mail]`, `[reports.NAME]`,
`[alerts]` and `[logging]`.

A leaf module (pydantic only) so `estate.settings` can import it without a cycle.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


def five_field_cron(value: str | None) -> str | None:
    if value is not None and len(value.split()) != 5:
        raise ValueError("expected a five-field cron expression such as '0 7 * * 1'")
    return value


class SchedulerSettings(_Section):
    # Schedules are read in this time zone: "0 2 * * *" is 2am in the council's local time.
    timezone: str = "Europe/London"
    # A slot missed by no more than this (the scheduler was down or busy) still runs, once.
    misfire_grace_seconds: int = Field(default=3600, ge=1)
    # How often queued scan requests (POST /api/v1/scans) are picked up.
    request_poll_seconds: float = Field(default=5.0, gt=0)
    # How often the outbox is drained (retries fall due on their own backoff).
    outbox_poll_seconds: float = Field(default=30.0, gt=0)
    # Scans running at once in one scheduler; SQLite always runs one at a time.
    scan_workers: int = Field(default=2, ge=1, le=32)
    # The cron seconds field for every schedule. Schedules fire at second 0; tests set "*/2".
    cron_seconds: str = "0"
    # Serve this process's metrics (scan durations) on this port; none: off.
    metrics_port: int | None = Field(default=None, ge=1, le=65535)
    # Schedule claims older than this are pruned.
    keep_claims_days: int = Field(default=30, ge=1)
    # Re-derive every server's migration status (statuses that move with time alone) and keep
    # the day's progress snapshot; none: off.
    daily_refresh: Annotated[str | None, AfterValidator(five_field_cron)] = "5 0 * * *"


class MailSettings(_Section):
    # None: messages wait in the outbox until a server is configured.
    host: str | None = None
    port: int = Field(default=587, ge=1, le=65535)
    # starttls (port 587), tls (implicit, port 465) or none (a local catcher only).
    security: Literal["starttls", "tls", "none"] = "starttls"
    user: str | None = None
    # The environment variable holding the SMTP password; never the password itself.
    password_env: str | None = None
    from_address: str = "estate@localhost"
    # Extra CA bundle to trust for the server's certificate (an internal CA); relative to
    # the config file.
    ca_file: str | None = None
    timeout_seconds: float = Field(default=30.0, gt=0)
    # Wait before each retry of a message the server deferred (4xx) or could not take (down);
    # the last value repeats: nothing is ever dropped for being late.
    retry_seconds: list[int] = Field(default_factory=lambda: [60, 300, 900, 3600], min_length=1)
    # A sender that claimed a message and vanished (crashed) releases it after this.
    lease_seconds: int = Field(default=600, ge=30)
    # Messages sent per drain of the outbox.
    batch_size: int = Field(default=50, ge=1)


class ReportConfig(_Section):
    """`[reports.NAME]`: one scheduled email report."""

    enabled: bool = True
    # Five-field cron; none: sent only by `estate report send NAME`.
    schedule: Annotated[str | None, AfterValidator(five_field_cron)] = None
    recipients: list[str] = Field(default_factory=list)
    options: dict[str, Any] = Field(default_factory=dict)


class AlertSettings(_Section):
    enabled: bool = True
    # A source whose last this-many runs all failed sends one alert; its next success one
    # recovery notice.
    failures_in_a_row: int = Field(default=3, ge=1)
    # The operations team.
    recipients: list[str] = Field(default_factory=list)


class LoggingSettings(_Section):
    # text for a terminal, json (one object per line) for a log collector.
    format: Literal["text", "json"] = "text"
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
