"""CSV and XLSX exports of servers, devices or applications (`kind = "cmdb"`)."""

from scanners.cmdb.options import CmdbOptions
from scanners.cmdb.scanner import CmdbScanner

__all__ = ["CmdbOptions", "CmdbScanner"]
