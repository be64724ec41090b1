"""Every lifecycle and choice set of the inventory, each value named once."""

from enum import StrEnum


class EntityStatus(StrEnum):
    """Whether the sources still see a thing: missing when none does, gone after the grace."""

    ACTIVE = "active"
    MISSING = "missing"
    GONE = "gone"


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


class RunStatus(StrEnum):
    RUNNING = "running"
    OK = "ok"
    PARTIAL = "partial"
    FAILED = "failed"


class EntityKind(StrEnum):
    SERVER = "server"
    DEVICE = "device"
    WORKLOAD = "workload"
    NETWORK_DEVICE = "network_device"
    APPLICATION = "application"


class ChangeCause(StrEnum):
    SCAN = "scan"
    USER = "user"


class Role(StrEnum):
    """What a token may do: viewer reads; infra edits servers and applications and runs scans;
    assets reviews and completes decommissions; admin does all."""

    VIEWER = "viewer"
    INFRA = "infra"
    ASSETS = "assets"
    ADMIN = "admin"


class Permission(StrEnum):
    READ = "read"
    EDIT_INVENTORY = "edit-inventory"
    SCAN = "scan"
    DECOMMISSION = "decommission"
    PERSONAL_DATA = "personal-data"
