"""The tables, one module per concept; importing this package registers them all."""

from estate.models.access_event import AccessEvent, OidcLogin
from estate.models.application import Application, ServerApplication
from estate.models.change import Change
from estate.models.decommission import Decommission
from estate.models.device import Device, DeviceReason, ReplacementPolicyState
from estate.models.network_device import NetworkDevice
from estate.models.observation import Observation, ReadingDay
from estate.models.outbox import OutboxMessage
from estate.models.scan_request import ScanRequest
from estate.models.scan_run import ScanRun
from estate.models.schedule_claim import ScheduleClaim
from estate.models.server import Server
from estate.models.site import Site
from estate.models.snapshot import (
    AggregateState,
    HostingFigures,
    ProgressApplications,
    ProgressCount,
    ProgressSnapshot,
)
from estate.models.token import ApiToken
from estate.models.wave import Wave
from estate.models.web_session import WebSession
from estate.models.workload import Workload

__all__ = [
    "AccessEvent",
    "AggregateState",
    "ApiToken",
    "Application",
    "Change",
    "Decommission",
    "Device",
    "DeviceReason",
    "HostingFigures",
    "NetworkDevice",
    "Observation",
    "OidcLogin",
    "OutboxMessage",
    "ProgressApplications",
    "ProgressCount",
    "ProgressSnapshot",
    "ReadingDay",
    "ReplacementPolicyState",
    "ScanRequest",
    "ScanRun",
    "ScheduleClaim",
    "Server",
    "ServerApplication",
    "Site",
    "Wave",
    "WebSession",
    "Workload",
]
