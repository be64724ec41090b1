"""Every lifecycle and choice set of the inventory, each value named once. The four the
settings file names (site kinds, server kinds, device types, roles) are defined with the
settings (`estate.config.domain`), which import nothing of estate, and given here with the rest.
"""

from enum import StrEnum
from typing import Literal

from estate.config.domain import DeviceType, Role, ServerKind, SiteKind

__all__ = [
    "AccessEventKind",
    "ChangeCause",
    "DecommissionDecision",
    "DeviceType",
    "EntityKind",
    "EntityStatus",
    "MigrationStatus",
    "NetworkDeviceClass",
    "Permission",
    "ReplacementRule",
    "RequestStatus",
    "Role",
    "RunStatus",
    "ServerKind",
    "SiteKind",
    "Strategy",
]


class EntityStatus(StrEnum):
    """Whether the sources still see a thing: missing when none does, gone after the grace."""

    ACTIVE = "active"
    MISSING = "missing"
    GONE = "gone"


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
