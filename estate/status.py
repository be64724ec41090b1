"""Every lifecycle and choice set of the inventory, each value named once."""

from enum import StrEnum
from typing import Literal


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


class RequestStatus(StrEnum):
    """A scan asked for through the API: queued until a scheduler takes it."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class EntityKind(StrEnum):
    SERVER = "server"
    DEVICE = "device"
    WORKLOAD = "workload"
    NETWORK_DEVICE = "network_device"
    APPLICATION = "application"
    WAVE = "wave"


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
    READ_ACCESS_EVENTS = "read-access-events"


class AccessEventKind(StrEnum):
    """What the access audit records (estate.access.events)."""

    SIGN_IN = "sign-in"
    SIGN_OUT = "sign-out"
    SIGN_IN_REFUSED = "sign-in-refused"
    ROLE_CHANGED = "role-changed"
    TOKEN_CREATED = "token-created"
    TOKEN_REVOKED = "token-revoked"
    TOKEN_EXPIRED = "token-expired"
    PERSONAL_DATA = "personal-data"


class Strategy(StrEnum):
    """The 7R migration strategies an application (or one of its servers) is given."""

    REHOST = "rehost"
    REPLATFORM = "replatform"
    REFACTOR = "refactor"
    REPURCHASE = "repurchase"
    RELOCATE = "relocate"
    RETAIN = "retain"
    RETIRE = "retire"


class MigrationStatus(StrEnum):
    """Where a server is on its way out of the data centre, derived from facts
    (estate.migration.derive); the order of the members is the order of the journey."""

    NOT_ASSESSED = "not-assessed"
    ASSESSED = "assessed"
    PLANNED = "planned"
    REPLICATING = "replicating"
    TESTING = "testing"
    CUTOVER = "cutover"
    MIGRATED = "migrated"
    DECOMMISSION_CANDIDATE = "decommission-candidate"
    DECOMMISSION_APPROVED = "decommission-approved"
    DECOMMISSIONED = "decommissioned"
    RETAINED = "retained"
    RETIRED = "retired"


class DecommissionDecision(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    DEFER = "defer"


# The replacement rules that give a device a date, in the order that breaks ties between
# reasons of the same date (estate.devices.policy).
ReplacementRule = Literal[
    "override", "lifespan", "warranty", "os-end-of-support", "windows-11-hardware", "stale"
]

# What SNMP says a network device is (estate.inventory.records, the API's filter).
NetworkDeviceClass = Literal["switch", "router", "wireless-ap", "wireless-controller", "other"]
