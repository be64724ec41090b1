"""kind = "intune": Intune managed devices through Microsoft Graph."""

from scanners.intune.graph import GraphClient, GraphError
from scanners.intune.scanner import (
    IntuneOptions,
    IntuneScanner,
    fetch_managed_devices,
    transform_managed_device,
)

__all__ = [
    "GraphClient",
    "GraphError",
    "IntuneOptions",
    "IntuneScanner",
    "fetch_managed_devices",
    "transform_managed_device",
]
