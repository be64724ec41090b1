"""The sections about the estate itself: storage and ingest, sources and sites, which source
wins a field, migration, device replacement and outcomes; and the choice sets the file names
(site kinds, server kinds, device types, roles), defined here so the settings stay a leaf
(`estate.status` holds them with the inventory's other choice sets). The section base and the
cron type every section uses are here too. Imports nothing of estate.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

# --- the choice sets the file names ----------------------------------------------------------


class SiteKind(StrEnum):
    OFFICE = "office"
    SERVER_ROOM = "server-room"
    DATA_CENTRE = "data-centre"
    CLOUD_REGION = "cloud-region"


class ServerKind(StrEnum):
    PHYSICAL = "physical"
    VIRTUAL = "virtual"


class DeviceType(StrEnum):
    LAPTOP = "laptop"
    DESKTOP = "desktop"
    THIN_CLIENT = "thin-client"
    TABLET = "tablet"
    PHONE = "phone"


class Role(StrEnum):
    """What a token may do: viewer reads; infra edits servers and applications and runs scans;
    assets reviews and completes decommissions; admin does all."""

    VIEWER = "viewer"
    INFRA = "infra"
    ASSETS = "assets"
    ADMIN = "admin"


# --- every section's base --------------------------------------------------------------


class Section(BaseModel):
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


class DatabaseSettings(Section):
    url: str = "sqlite:///estate.db"
    # How long a run waits for another run of the same source before failing as busy.
    lock_timeout_seconds: float = Field(default=30.0, gt=0)


class IngestSettings(Section):
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


class PrecedenceSettings(Section):
    """Which source wins each field of an entity: lists of source names or kinds, first wins.

    `default` orders every field not listed by name; sources named nowhere come last.
    """

    server: dict[str, list[str]] = Field(default_factory=_default_server_precedence)
    device: dict[str, list[str]] = Field(default_factory=_default_device_precedence)
    workload: dict[str, list[str]] = Field(default_factory=lambda: {"default": ["aws"]})


class SiteConfig(Section):
    """A site declared up front, so its kind and address are known before any scan names it."""

    name: str = Field(min_length=1)
    kind: SiteKind = SiteKind.OFFICE
    address: str | None = None


class SourceConfig(Section):
    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    kind: str
    # Five-field cron (minute hour day month weekday); none means run on demand only.
    schedule: Cron = None
    enabled: bool = True
    options: dict[str, Any] = Field(default_factory=dict)


# --- migration and devices -------------------------------------------------------------------


class MigrationSettings(Section):
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


class ReplacementSettings(Section):
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


class OutcomesSettings(Section):
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
