"""The settings of `estate.toml` and `ESTATE_*`: every section's model, in two modules.

A leaf: it imports nothing else of estate, so a scanner or a command that only reads its
settings never loads the storage layer. The sections about the estate itself (storage, ingest,
sources, migration, devices, outcomes) and the choice sets the file names are
`estate.config.domain`; here are the people's and the service's sections (access, sign-in,
HTTP, the scheduler, mail, reports, alerts, logging) and the whole file's `Settings`. Finding
and reading the file, and the text of its errors, is `estate.config.loading`. Secrets never live
in the file: options name the environment variable that holds them (`password_env =
"VCENTER_PASSWORD"`).
"""

from __future__ import annotations

from datetime import date, datetime
from ipaddress import ip_address
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from pydantic import AfterValidator, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from estate.config.domain import (
    HEARTBEATS_MISSED,
    Cron,
    DatabaseSettings,
    DeviceType,
    IngestSettings,
    LifecycleFact,
    MigrationSettings,
    OutcomesSettings,
    PrecedenceSettings,
    ReplacementSettings,
    Role,
    Section,
    ServerKind,
    SiteConfig,
    SiteKind,
    SourceConfig,
    WindowsEdition,
    five_field_cron,
)

__all__ = [
    "HEARTBEATS_MISSED",
    "AccessSettings",
    "AlertSettings",
    "AuthSettings",
    "ConfigError",
    "Cron",
    "DatabaseSettings",
    "DeviceType",
    "HttpSettings",
    "IngestSettings",
    "LifecycleFact",
    "LoggingSettings",
    "MailSettings",
    "MigrationSettings",
    "OidcSettings",
    "OutcomesSettings",
    "PrecedenceSettings",
    "ReplacementSettings",
    "ReportConfig",
    "Role",
    "SchedulerSettings",
    "ServerKind",
    "Settings",
    "SiteConfig",
    "SiteKind",
    "SourceConfig",
    "WebSettings",
    "WindowsEdition",
    "five_field_cron",
    "is_loopback",
]


class ConfigError(Exception):
    """The configuration cannot be used; the message names the file, the key and the fix."""


# --- people, sign-in and HTTP ----------------------------------------------------------------


class AccessSettings(Section):
    # Roles whose tokens may read who holds a device (UK GDPR personal data).
    personal_data_roles: list[str] = Field(default_factory=lambda: ["admin"])
    # How long an API process trusts a token it has checked before reading it again: a token
    # revoked elsewhere is refused within this many seconds. 0: read it on every request.
    token_cache_seconds: float = Field(default=5.0, ge=0, le=300)
    # The longest `--expires-in` a token may be given; access events are kept this long.
    token_max_days: int = Field(default=365, ge=1)
    keep_events_days: int = Field(default=400, ge=1)


def _public_url(value: str | None) -> str | None:
    if value is None:
        return None
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ValueError(
            "public_url must be an http(s) address such as https://estate.example.gov.uk"
        )
    return value.strip().rstrip("/")


PublicUrl = Annotated[str | None, AfterValidator(_public_url)]


class HttpSettings(Section):
    # A request body over this is a 413, refused before it is read whole: the largest body the
    # API takes is a bulk assignment's CSV, a few hundred bytes a server.
    max_body_bytes: int = Field(default=10_000_000, ge=1_000, le=1_000_000_000)
    # Requests an API process works on at once (the threads of its blocking work: reading the
    # database, building the answer); the rest wait their turn. Python runs one thread at a
    # time, and 40 (the server's default) busy at once make each wait on the others wherever
    # the driver lets go of it (SQLite's, at every row): at 32 connections a list on SQLite
    # answered 3-4 times fewer requests a second than with 4.
    threads: int = Field(default=4, ge=1, le=64)


class WebSettings(Section):
    """The dashboard's sign-in: a session lasts this long, then the token is asked for again."""

    session_hours: int = Field(default=8, ge=1, le=168)
    # Where readers reach estate (https://estate.council.gov.uk): the emailed reports link to
    # its pages and to the list behind each headline figure. None: the reports carry no links.
    public_url: PublicUrl = None


def is_loopback(url: str) -> bool:
    """The provider runs on this machine: a developer's or a test's, never a council's."""
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


class OidcSettings(Section):
    """`[auth.oidc]`: the provider (found by discovery at `issuer`) and this app's client."""

    # Entra ID: https://login.microsoftonline.com/<tenant id>/v2.0
    issuer: str = Field(min_length=1)
    client_id: str = Field(min_length=1)
    client_secret_env: str | None = "ESTATE_OIDC_CLIENT_SECRET"
    client_secret_file: str | None = None
    scopes: list[str] = Field(default_factory=lambda: ["openid", "profile", "email"])
    # The ID token claim listing the person's groups (Entra ID: "groups", or "roles" for app
    # roles); its values are matched against `[auth.roles]`.
    groups_claim: str = "groups"
    # Only people whose email (or preferred_username) is in one of these domains; empty: any.
    allowed_domains: list[str] = Field(default_factory=list)
    # Where the provider sends the browser back; none: this site's /signin/oidc/callback as
    # the request reached it (set it behind a proxy that rewrites the host).
    redirect_uri: str | None = None
    # Clock skew allowed when checking the ID token's exp and iat.
    leeway_seconds: int = Field(default=60, ge=0, le=600)
    timeout_seconds: float = Field(default=10.0, gt=0)

    @field_validator("issuer")
    @classmethod
    def _https_issuer(cls, value: str) -> str:
        if not value.startswith("https://") and not is_loopback(value):
            raise ValueError("the issuer must be an https:// URL (http only on loopback)")
        return value.rstrip("/")

    @field_validator("scopes")
    @classmethod
    def _openid_scope(cls, value: list[str]) -> list[str]:
        if "openid" not in value:
            raise ValueError("the scopes must include 'openid'")
        return value

    @field_validator("allowed_domains")
    @classmethod
    def _lower_domains(cls, value: list[str]) -> list[str]:
        return [domain.strip().lstrip("@").casefold() for domain in value if domain.strip()]

    @model_validator(mode="after")
    def _one_secret_source(self) -> OidcSettings:
        if not self.client_secret_env and not self.client_secret_file:
            raise ValueError("name client_secret_env or client_secret_file")
        return self


class AuthSettings(Section):
    oidc: OidcSettings | None = None
    # Group id or name -> role; a person in several mapped groups gets the highest role.
    roles: dict[str, Role] = Field(default_factory=dict)
    # The dashboard's "sign in with an API token" form; the API always takes tokens.
    token_signin: bool = True


# --- the long-running service ----------------------------------------------------------------


class SchedulerSettings(Section):
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


class MailSettings(Section):
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


class ReportConfig(Section):
    """`[reports.NAME]`: one scheduled email report."""

    enabled: bool = True
    # Five-field cron; none: sent only by `estate report send NAME`.
    schedule: Cron = None
    recipients: list[str] = Field(default_factory=list)
    options: dict[str, Any] = Field(default_factory=dict)


class AlertSettings(Section):
    enabled: bool = True
    # A source whose last this-many runs all failed sends one alert; its next success one
    # recovery notice.
    failures_in_a_row: int = Field(default=3, ge=1)
    # The operations team.
    recipients: list[str] = Field(default_factory=list)


class LoggingSettings(Section):
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
