"""Configuration: `estate.toml` plus `ESTATE_*` environment variables.

The file is found from `--config`, else `ESTATE_CONFIG`, else `./estate.toml`, else the
built-in defaults apply. Secrets never live in the file: options name the environment
variable that holds them (`password_env = "VCENTER_PASSWORD"`).
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from estate.migration import MigrationSettings
from estate.models.status import SiteKind
from estate.replacement.policy import ReplacementSettings
from estate.service_settings import (
    AlertSettings,
    LoggingSettings,
    MailSettings,
    ReportConfig,
    SchedulerSettings,
)

DEFAULT_CONFIG = Path("estate.toml")


class ConfigError(Exception):
    """The configuration cannot be used; the message names the file, the key and the fix."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


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


class AccessSettings(_Section):
    # Roles whose tokens may read who holds a device (UK GDPR personal data).
    personal_data_roles: list[str] = Field(default_factory=lambda: ["admin"])
    # How long an API process trusts a token it has checked before reading it again: a token
    # revoked elsewhere is refused within this many seconds. 0: read it on every request.
    token_cache_seconds: float = Field(default=5.0, ge=0, le=300)


class WebSettings(_Section):
    """The dashboard's sign-in: a session lasts this long, then the token is asked for again."""

    session_hours: int = Field(default=8, ge=1, le=168)


class SiteConfig(_Section):
    """A site declared up front, so its kind and address are known before any scan names it."""

    name: str = Field(min_length=1)
    kind: SiteKind = SiteKind.OFFICE
    address: str | None = None


class SourceConfig(_Section):
    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    kind: str
    # Five-field cron (minute hour day month weekday); none means run on demand only.
    schedule: str | None = None
    enabled: bool = True
    options: dict[str, Any] = Field(default_factory=dict)

    @field_validator("schedule")
    @classmethod
    def _five_fields(cls, value: str | None) -> str | None:
        if value is not None and len(value.split()) != 5:
            raise ValueError("expected a five-field cron expression such as '0 2 * * *'")
        return value


class _TomlSource(PydanticBaseSettingsSource):
    def __init__(self, settings_cls: type[BaseSettings], data: dict[str, Any]) -> None:
        super().__init__(settings_cls)
        self._data = data

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return self._data.get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return self._data


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
    replacement: ReplacementSettings = Field(default_factory=ReplacementSettings)
    sites: list[SiteConfig] = Field(default_factory=list)
    sources: list[SourceConfig] = Field(default_factory=list)
    scheduler: SchedulerSettings = Field(default_factory=SchedulerSettings)
    mail: MailSettings = Field(default_factory=MailSettings)
    reports: dict[str, ReportConfig] = Field(default_factory=dict)
    alerts: AlertSettings = Field(default_factory=AlertSettings)
    logging: LoggingSettings = Field(default_factory=LoggingSettings)
    migration: MigrationSettings = Field(default_factory=MigrationSettings)

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

    @property
    def config_dir(self) -> Path:
        return self.config_path.parent if self.config_path else Path.cwd()

    def source(self, name: str) -> SourceConfig:
        for source in self.sources:
            if source.name == name:
                return source
        known = ", ".join(s.name for s in self.sources) or "none configured"
        raise ConfigError(f"no source named {name!r} (known: {known})")


def config_path_from(explicit: Path | None) -> Path | None:
    """The config file to read: `--config`, else ESTATE_CONFIG, else ./estate.toml if present."""
    if explicit is not None:
        return explicit
    from_env = os.environ.get("ESTATE_CONFIG")
    if from_env:
        return Path(from_env)
    return DEFAULT_CONFIG if DEFAULT_CONFIG.exists() else None


def load_settings(explicit: Path | None = None) -> Settings:
    path = config_path_from(explicit)
    data: dict[str, Any] = {}
    if path is not None:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"{path}: config file not found") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    where = str(path) if path else "built-in defaults"
    try:
        settings = Settings(**data)
    except ValidationError as exc:
        raise ConfigError(f"{where}: {describe_validation_error(exc, data)}") from None
    _check_unique_names(settings, where)
    settings.config_path = path.resolve() if path else None
    return settings


def describe_validation_error(exc: ValidationError, data: dict[str, Any] | None = None) -> str:
    """One line per problem: the dotted key (with the source's name where there is one)."""
    lines = []
    for error in exc.errors():
        key = _dotted(error["loc"], data or {})
        if error["type"] == "extra_forbidden":
            lines.append(f"unknown key {key!r}")
        else:
            lines.append(f"{key}: {error['msg']}")
    return "; ".join(lines)


def _dotted(loc: tuple[int | str, ...], data: dict[str, Any]) -> str:
    parts: list[str] = []
    node: Any = data
    for item in loc:
        if isinstance(item, int):
            inside = isinstance(node, list) and item < len(node) and isinstance(node[item], dict)
            name = node[item].get("name") if inside else None
            parts[-1] += f"[{item}]" + (f"({name})" if isinstance(name, str) else "")
            node = node[item] if isinstance(node, list) and item < len(node) else {}
        else:
            parts.append(item)
            node = node.get(item, {}) if isinstance(node, dict) else {}
    return ".".join(parts)


def _check_unique_names(settings: Settings, where: str) -> None:
    seen: set[str] = set()
    for source in settings.sources:
        if source.name in seen:
            raise ConfigError(f"{where}: sources: the name {source.name!r} is used twice")
        seen.add(source.name)


def secret_from_env(variable: str | None, what: str) -> str:
    """Read a secret from the environment variable the config names, or say what is missing."""
    if not variable:
        raise ConfigError(f"{what}: no environment variable named for the secret")
    value = os.environ.get(variable)
    if not value:
        raise ConfigError(f"{what}: environment variable {variable} is not set")
    return value
