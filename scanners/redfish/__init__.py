"""DMTF Redfish BMCs (iDRAC, iLO, XClarity): physical servers with serial, model and watts."""

from scanners.redfish.options import RedfishOptions
from scanners.redfish.scanner import RedfishScanner

__all__ = ["RedfishOptions", "RedfishScanner"]
