"""The tables, one module per concept; importing this package registers them all."""

from estate.models.application import Application, ServerApplication
from estate.models.change import Change
from estate.models.device import Device
from estate.models.network_device import NetworkDevice
from estate.models.observation import Observation
from estate.models.scan_run import ScanRun
from estate.models.server import Server
from estate.models.site import Site
from estate.models.token import ApiToken
from estate.models.workload import Workload

__all__ = [
    "ApiToken",
    "Application",
    "Change",
    "Device",
    "NetworkDevice",
    "Observation",
    "ScanRun",
    "Server",
    "ServerApplication",
    "Site",
    "Workload",
]
