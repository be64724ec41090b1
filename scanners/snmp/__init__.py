"""SNMP agents (v2c and v3): switches, routers, Wi-Fi access points and controllers."""

from scanners.snmp.options import SnmpOptions
from scanners.snmp.scanner import SnmpScanner

__all__ = ["SnmpOptions", "SnmpScanner"]
