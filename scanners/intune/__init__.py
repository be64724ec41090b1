"""kind = "intune": Intune managed devices through Microsoft Graph."""

from scanners.intune.fetch import fetch_managed_devices
from scanners.intune.graph import GraphClient, GraphError
from scanners.intune.options import IntuneOptions
from scanners.intune.scanner import IntuneScanner
from scanners.intune.transform import transform_managed_device

__all__ = [
    "GraphClient",
    "GraphError",
    "IntuneOptions",
    "IntuneScanner",
    "fetch_managed_devices",
    "transform_managed_device",
]
