"""The settings of `estate.toml` and `ESTATE_*`: every section's model, in one place.

A leaf: it imports nothing of estate but the choice sets (`estate.status`), so a scanner or a
command that only reads its settings never loads the storage layer. Finding and reading the
file, and the text of its errors, is `estate.config.loading`. Secrets never live in the file:
options name the environment variable that holds them (`password_env = "VCENTER_PASSWORD"`).
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from estate.config.auth import AuthSettings
from estate.config.http import HttpSettings, WebSettings
from estate.status import DeviceType, ServerKind, SiteKind


class ConfigError(Exception):
    """The configuration cannot be used; the message names the file, the key and the fix."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


def five_field_cron(value: str | None) -> str | None:
    """A crontab schedule; an empty one is none (off)."""
    if value is not None and not value.strip():
        return None
    if value is not None and len(value.split()) != 5:
        raise ValueError("expected a five-field cron expression such as '0 2 * * *'")
    return value


Cron = Annotated[str | None, AfterValidator(five_field_cron)]


# --- storage and ingest ----------------------------------------------------------------------


class DatabaseSettings(_Section):
    url: str = "sqlite:///estate.db"
    # How long a run waits for another run of the same source before failing as busy.
    lock_timeout_seconds: float = Field(default=30.0, gt=0)


class IngestSettings(_Section):
    batch_size: int = Field(default=2000, ge=1, le=50_000)
    # An entity is gone once every observation of it has been missing this long.
    grace_days: int = Field(default=14, ge=0)
    # A completed scope that would lose more than this share of what it held (and at least
    # `missing_guard_min` things) is taken for a truncated export or a broken source: nothing
    # is marked and the run is partial. 1.0 turns the guard off.
    max_missing_share: float = Field(default=0.5, gt=0, le=1)
    missing_guard_min: int = Field(default=20, ge=1)
    # A running run says it is alive this often (PostgreSQL), in a short transaction of its
    # own; one silent for HEARTBEATS_MISSED beats is taken for abandoned.
    heartbeat_seconds: float = Field(default=30.0, gt=0, le=3600)

    @property
    def abandoned_after_seconds(self) -> float:
        return self.heartbeat_seconds * HEARTBEATS_MISSED


# Beats a run may miss before it is taken for abandoned: one late beat (a busy machine, a slow
# commit) is not a dead run.
HEARTBEATS_MISSED = 3


def _default_server_precedence() -> dict[str, list[str]]:
    return {
        "default": ["cmdb", "vcenter", "redfish", "snmp"],
        "serial": ["redfish", "vcenter", "cmdb"],
        "manufacturer": ["redfish", "vcenter", "cmdb"],
        "model": ["redfish", "vcenter", "cmdb"],
        "power_watts": ["redfish", "cmdb"],
        "cpu_cores": ["vcenter", "redfish", "cmdb"],
        "memory_gb": ["vcenter", "redfish", "cmdb"],
        "power_state": ["vcenter", "redfish", "cmdb"],
        "os_name": ["vcenter", "cmdb"],
        "os_version": ["vcenter", "cmdb"],
    }


def _default_device_precedence() -> dict[str, list[str]]:
    return {
        "default": ["cmdb", "intune", "ldap"],
        "os_name": ["intune", "ldap", "cmdb"],
        "os_version": ["intune", "ldap", "cmdb"],
        "last_seen_at": ["intune", "ldap", "cmdb"],
    }


class PrecedenceSettings(_Section):
    """Which source wins each field of an entity: lists of source names or kinds, first wins.

    `default` orders every field not listed by name; sources named nowhere come last.
    """

    server: dict[str, list[str]] = Field(default_factory=_default_server_precedence)
    device: dict[str, list[str]] = Field(default_factory=_default_device_precedence)
    workload: dict[str, list[str]] = Field(default_factory=lambda: {"default": ["aws"]})


class SiteConfig(_Section):
    """A site declared up front, so its kind and address are known before any scan names it."""

    name: str = Field(min_length=1)
    kind: SiteKind = SiteKind.OFFICE
    address: str | None = None


class SourceConfig(_Section):
    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    kind: str
    # Five-field cron (minute hour day month weekday); none means run on demand only.
    schedule: Cron = None
    enabled: bool = True
    options: dict[str, Any] = Field(default_factory=dict)


# --- people and the dashboard ----------------------------------------------------------------


class AccessSettings(_Section):
    # Roles whose tokens may read who holds a device (UK GDPR personal data).
    personal_data_roles: list[str] = Field(default_factory=lambda: ["admin"])
    # How long an API process trusts a token it has checked before reading it again: a token
    # revoked elsewhere is refused within this many seconds. 0: read it on every request.
    token_cache_seconds: float = Field(default=5.0, ge=0, le=300)
    # The longest `--expires-in` a token may be given; access events are kept this long.
    token_max_days: int = Field(default=365, ge=1)
    keep_events_days: int = Field(default=400, ge=1)


# --- migration and devices -------------------------------------------------------------------


class MigrationSettings(_Section):
    """`[migration]`: the decommission rules and the hosting baseline."""

    # A linked workload must have run this long before its source is a decommission candidate.
    workload_running_days: int = Field(default=14, ge=0)
    # ... and the on-premise server be powered off, or unseen by every source this long.
    not_seen_days: int = Field(default=30, ge=0)
    # Cloud workload states that count as running (EC2 "running", RDS "available").
    running_states: list[str] = Field(default_factory=lambda: ["running", "available"])
    # Hosting per site is compared with the figures kept on (or last before) this day.
    baseline_date: date | None = None
    # Servers per batch; 900 keeps IN lists under both drivers' limits (estate.db.bulk.CHUNK).
    batch_size: int = Field(default=900, ge=1, le=900)


WindowsEdition = Literal["enterprise", "consumer", "ltsc", "iot-ltsc"]

DEFAULT_LIFESPAN_YEARS: dict[DeviceType, int] = {
    DeviceType.LAPTOP: 4,
    DeviceType.DESKTOP: 5,
    DeviceType.THIN_CLIENT: 7,
    DeviceType.TABLET: 3,
    DeviceType.PHONE: 3,
}


class LifecycleFact(BaseModel):
    """One dated fact: this OS release (or ChromeOS model) is supported until `ends_on`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    os: Literal["windows", "macos", "chromeos"]
    release: str | None = None
    build: int | None = None
    edition: WindowsEdition | None = None
    model: str | None = None
    ends_on: date
    source: str
    estimated: bool = False
    note: str | None = None

    @model_validator(mode="after")
    def _keys_for_os(self) -> LifecycleFact:
        needed = {
            "windows": ("release", "edition"),
            "macos": ("release",),
            "chromeos": ("model",),
        }[self.os]
        missing = [name for name in needed if getattr(self, name) is None]
        if missing:
            raise ValueError(f"a {self.os} fact needs {', '.join(missing)}")
        return self

    @property
    def key(self) -> tuple[str, str | None, str | None, str | None]:
        model = self.model.casefold() if self.model else None
        return (self.os, self.release, self.edition, model)


class ReplacementSettings(_Section):
    """`[replacement]`: when each device falls due (estate.devices.policy)."""

    # Years from purchase by device type; types not named keep their defaults.
    lifespan_years: dict[DeviceType, int] = Field(
        default_factory=lambda: dict(DEFAULT_LIFESPAN_YEARS)
    )
    # Replacement cost by device type for the forecast; a type not named costs its purchase price.
    unit_costs: dict[DeviceType, float] = Field(default_factory=dict)
    # Due once no source has seen the device for this many days; 0 turns the rule off.
    stale_days: int | None = Field(default=90, ge=0)
    # Without a purchase date, count the lifespan from Intune's enrolment date.
    lifespan_from_enrolment: bool = True
    # The Windows edition assumed where the OS name does not say (Intune reports "Windows").
    windows_edition: WindowsEdition = "enterprise"
    windows11_min_memory_gb: float = Field(default=4, gt=0)
    windows11_min_storage_gb: float = Field(default=64, gt=0)
    # Facts added to (or replacing, by os/release/edition/model) the shipped lifecycle table.
    lifecycle: list[LifecycleFact] = Field(default_factory=list)
    batch_size: int = Field(default=2000, ge=1, le=5000)

    @field_validator("lifespan_years", mode="after")
    @classmethod
    def _keep_default_lifespans(cls, value: dict[DeviceType, int]) -> dict[DeviceType, int]:
        if any(years < 1 for years in value.values()):
            raise ValueError("lifespans are whole years, at least 1")
        return {**DEFAULT_LIFESPAN_YEARS, **value}


class OutcomesSettings(_Section):
    """`[outcomes]`: when a workload is resilient, flexible and efficient, what a server's power
    costs and emits, and how the exit forecast reads the trend (estate.migration.outcomes)."""

    # A backup (an EBS snapshot, an AWS Backup recovery point) no older than this counts.
    backup_max_age_days: int = Field(default=7, ge=1, le=365)
    # CPU utilisation is read over this many days (CloudWatch, hourly); under this p95 the
    # workload is oversized.
    utilisation_days: int = Field(default=14, ge=1, le=63)
    oversized_below_percent: float = Field(default=20.0, gt=0, le=100)
    # Tags whose presence says a resource is defined as code.
    iac_tags: list[str] = Field(
        default_factory=lambda: ["aws:cloudformation:stack-name", "terraform", "managed-by"]
    )
    # Watts assumed for a server no source gives a power draw for; a VM draws through its host.
    default_watts: dict[ServerKind, float] = Field(
        default_factory=lambda: {ServerKind.PHYSICAL: 350.0, ServerKind.VIRTUAL: 0.0}
    )
    # £ per kWh: the council's contract price (a business rate, VAT and levies included).
    electricity_price_per_kwh: float = Field(default=0.25, ge=0)
    # kgCO2e per kWh: UK electricity (generation), DESNZ Greenhouse gas reporting conversion
    # factors 2025 (published June 2025): 0.17700. Replace with each year's published factor.
    grid_intensity_kg_per_kwh: float = Field(default=0.177, ge=0)
    # The exit forecast's trend is the rate of the last this-many days of snapshots.
    trend_days: int = Field(default=90, ge=7, le=730)


# --- the long-running service ----------------------------------------------------------------


class SchedulerSettings(_Section):
    # Schedules are read in this time zone: "0 2 * * *" is 2am in the council's local time.
    timezone: str = "Europe/London"
    # A slot missed by no more than this (the scheduler was down or busy) still runs, once.
    misfire_grace_seconds: int = Field(default=3600, ge=1)
    # How often queued scan requests (POST /api/v1/scans) are picked up.
    request_poll_seconds: float = Field(default=5.0, gt=0)
    # How often the outbox is drained (retries fall due on their own backoff).
    outbox_poll_seconds: float = Field(default=30.0, gt=0)
    # How often runs whose process died or lost the database are looked for and marked failed.
    sweep_seconds: float = Field(default=60.0, gt=0)
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
    daily_refresh: Cron = "5 0 * * *"


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
    schedule: Cron = None
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


# --- the whole file --------------------------------------------------------------------------


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="ESTATE_",
        env_nested_delimiter="_",
        env_nested_max_split=1,
        extra="forbid",
    )

    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    ingest: IngestSettings = Field(default_factory=IngestSettings)
    precedence: PrecedenceSettings = Field(default_factory=PrecedenceSettings)
    access: AccessSettings = Field(default_factory=AccessSettings)
    web: WebSettings = Field(default_factory=WebSettings)
    http: HttpSettings = Field(default_factory=HttpSettings)
    auth: AuthSettings = Field(default_factory=AuthSettings)
    replacement: ReplacementSettings = Field(default_factory=ReplacementSettings)
    sites: list[SiteConfig] = Field(default_factory=list)
    sources: list[SourceConfig] = Field(default_factory=list)
    scheduler: SchedulerSettings = Field(default_factory=SchedulerSettings)
    mail: MailSettings = Field(default_factory=MailSettings)
    reports: dict[str, ReportConfig] = Field(default_factory=dict)
    alerts: AlertSettings = Field(default_factory=AlertSettings)
    logging: LoggingSettings = Field(default_factory=LoggingSettings)
    migration: MigrationSettings = Field(default_factory=MigrationSettings)
    outcomes: OutcomesSettings = Field(default_factory=OutcomesSettings)

    # Where the file was read from; relative paths in source options resolve against it.
    config_path: Path | None = Field(default=None, exclude=True)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Environment beats the file; nothing is read from .env or secret files.
        return (env_settings, init_settings)

    def today(self) -> date:
        """Today in the council's time zone (`scheduler.timezone`)."""
        return datetime.now(ZoneInfo(self.scheduler.timezone)).date()

    @property
    def config_dir(self) -> Path:
        return self.config_path.parent if self.config_path else Path.cwd()

    def source(self, name: str) -> SourceConfig:
        for source in self.sources:
            if source.name == name:
                return source
        known = ", ".join(s.name for s in self.sources) or "none configured"
        raise ConfigError(f"no source named {name!r} (known: {known})")
