"""VMware vCenter: VMs as virtual servers and ESXi hosts as physical ones (`kind = "vcenter"`)."""

from scanners.vcenter.options import VcenterOptions
from scanners.vcenter.scanner import VcenterScanner

__all__ = ["VcenterOptions", "VcenterScanner"]
