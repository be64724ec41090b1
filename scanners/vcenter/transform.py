"""vCenter objects as read (plain property dicts) to server records: pure, no I/O.

VMs become virtual servers and ESXi hosts physical ones. Where a thing sits (datacenter,
cluster, folder) comes from walking `parent` ids through the inventory fetched beside them.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Generator, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from estate.inventory.records import PowerState, Problem, ServerRecord
from scanners.base import Tally, clean_serial, transform_each
from scanners.vcenter.payload import Fetched

GIB = 1024**3
POWER_STATES: dict[str, PowerState] = {
    "poweredOn": "on",
    "poweredOff": "off",
    "suspended": "suspended",
    # A host that DPM has put into standby is powered down until woken.
    "standBy": "off",
}
# otherIdentifyingInfo keys holding the chassis serial, best first (Dell's is the ServiceTag).
SERIAL_KEYS = ("SerialNumberTag", "ServiceTag", "EnclosureSerialNumberTag")
# What transforming many objects yields, and then returns: how many were and were not recorded.
Transformed = Generator[ServerRecord | Problem, None, Tally]
# Guest host names that an unconfigured OS reports: not this machine's name.
NOT_HOSTNAMES = frozenset({"localhost", "localhost.localdomain", "localhost.local"})


@dataclass(frozen=True)
class Placement:
    """The scope every record carries and the datacenter -> site mapping from the options."""

    scope: str
    sites: Mapping[str, str] = field(default_factory=dict)

    def site(self, datacenter: str | None) -> str | None:
        return self.sites.get(datacenter) if datacenter else None


@dataclass
class Inventory:
    """Hosts and containers by moref id, and the names of custom attributes by key."""

    objects: dict[str, Fetched]
    field_names: dict[int, str]

    @classmethod
    def build(cls, fetched: Iterable[Fetched]) -> Inventory:
        objects: dict[str, Fetched] = {}
        field_names: dict[int, str] = {}
        for item in fetched:
            if item.type == "CustomFieldsManager":
                field_names = {f["key"]: f["name"] for f in item.props.get("field", [])}
            else:
                objects[item.ref] = item
        return cls(objects, field_names)

    def hosts(self) -> Iterator[Fetched]:
        return (item for item in self.objects.values() if item.type == "HostSystem")

    def _ancestors(self, ref: str | None) -> Iterator[Fetched]:
        # Bounded: a parent cycle in a bad payload must not loop forever.
        for _ in range(len(self.objects)):
            item = self.objects.get(ref) if ref else None
            if item is None:
                return
            yield item
            ref = item.props.get("parent")

    def datacenter_of(self, ref: str | None) -> str | None:
        for item in self._ancestors(ref):
            if item.type == "Datacenter":
                return str(item.props["name"])
        return None

    def cluster_of(self, host_ref: str | None) -> str | None:
        host = self.objects.get(host_ref) if host_ref else None
        parent = self.objects.get(host.props.get("parent", "")) if host else None
        if parent is not None and parent.type == "ClusterComputeResource":
            return str(parent.props["name"])
        return None

    def folder_of(self, ref: str | None) -> str | None:
        """The VM folder path under its datacenter ("Prod/Web"); None at the top."""
        names: list[str] = []
        for item in self._ancestors(ref):
            parent = self.objects.get(item.props.get("parent", ""))
            # The datacenter's own "vm" folder is hidden in every vSphere client.
            if item.type != "Folder" or (parent is not None and parent.type == "Datacenter"):
                break
            names.append(str(item.props["name"]))
        return "/".join(reversed(names)) or None

    def host_cpu_mhz(self, host_ref: str | None) -> int | None:
        """The speed of one of the host's cores, in MHz."""
        host = self.objects.get(host_ref) if host_ref else None
        return (host.props.get("summary.hardware") or {}).get("cpuMhz") if host else None

    def host_label(self, host_ref: str | None) -> str | None:
        """What a VM's `host` says: its ESXi host's serial, else the host's name."""
        host = self.objects.get(host_ref) if host_ref else None
        if host is None:
            return None
        return host_serial(host.props) or str(host.props["name"])


def host_serial(props: Mapping[str, Any]) -> str | None:
    found: dict[str, str] = {}
    for info in (props.get("summary.hardware") or {}).get("otherIdentifyingInfo", []):
        key = (info.get("identifierType") or {}).get("key")
        value = clean_serial(info.get("identifierValue"))
        if key and value:
            found.setdefault(key, value)
    for key in SERIAL_KEYS:
        if key in found:
            return found[key]
    return clean_serial((props.get("hardware.systemInfo") or {}).get("serialNumber"))


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def _split_name(name: str) -> tuple[str, str | None]:
    """(hostname, fqdn) from a name that may be an FQDN; an address stays whole."""
    if _is_ip(name) or "." not in name.strip("."):
        return name, None
    fqdn = name.strip(".")
    return fqdn.split(".", 1)[0], fqdn


def _power(value: str | None) -> PowerState | None:
    return None if value is None else POWER_STATES.get(value, "unknown")


def describe_object(item: Fetched) -> tuple[str, str | None]:
    """What a Problem about an object that could not be recorded calls it, and its target."""
    what = {"HostSystem": "host", "VirtualMachine": "VM"}.get(item.type, item.type)
    return f"{what} {item.props.get('name', item.ref)!r}", f"{item.type}:{item.ref}"


def transform_hosts(inventory: Inventory, placement: Placement) -> Transformed:
    """Each ESXi host as a physical server; a BIOS UUID seen twice falls back to the moref."""
    seen: set[str] = set()
    keys: dict[str, str] = {}
    for host in inventory.hosts():
        uuid = (host.props.get("summary.hardware") or {}).get("uuid")
        key = uuid if uuid and uuid not in seen else f"moref:{host.ref}"
        seen.add(key)
        keys[host.ref] = key

    def transform(host: Fetched) -> ServerRecord:
        return transform_host(host, inventory, placement, keys[host.ref])

    return (
        yield from transform_each(inventory.hosts(), transform, placement.scope, describe_object)
    )


def transform_vms(
    vms: Iterable[Fetched], inventory: Inventory, placement: Placement
) -> Transformed:
    """Each VM as a virtual server; templates are images to clone from, not servers."""
    servers = (vm for vm in vms if not vm.props.get("config.template"))
    transform = partial(transform_vm, inventory=inventory, placement=placement)
    return (yield from transform_each(servers, transform, placement.scope, describe_object))


def transform_host(
    host: Fetched, inventory: Inventory, placement: Placement, key: str
) -> ServerRecord:
    props = host.props
    hardware = props.get("summary.hardware") or {}
    product = props.get("summary.config.product") or {}
    memory = hardware.get("memorySize")
    datacenter = inventory.datacenter_of(host.ref)
    hostname, fqdn = _split_name(str(props["name"]))
    return ServerRecord(
        external_id=f"host:{key}",
        scope=placement.scope,
        kind="physical",
        hostname=hostname,
        fqdn=fqdn,
        serial=host_serial(props),
        bios_uuid=hardware.get("uuid"),
        manufacturer=hardware.get("vendor"),
        model=hardware.get("model"),
        os_name="VMware ESXi",
        os_version=product.get("version"),
        cpu_cores=hardware.get("numCpuCores"),
        memory_gb=round(memory / GIB, 2) if memory is not None else None,
        power_state=_power(props.get("runtime.powerState")),
        site=placement.site(datacenter),
        extra={
            "cluster": inventory.cluster_of(host.ref),
            "connection_state": props.get("runtime.connectionState"),
            "datacenter": datacenter,
            "esxi_build": product.get("build"),
            "cpu_model": hardware.get("cpuModel"),
            "cpu_packages": hardware.get("numCpuPkgs"),
            "vcenter_name": props["name"],
        },
    )


def _guest_names(props: Mapping[str, Any]) -> tuple[str, str | None]:
    """(hostname, fqdn): the guest's own name when VMware Tools reports one, else the VM's."""
    guest = (props.get("guest.hostName") or "").strip()
    if guest and guest.lower() not in NOT_HOSTNAMES:
        return _split_name(guest)
    return str(props["name"]), None


def _ips(props: Mapping[str, Any]) -> list[str]:
    found = [props["guest.ipAddress"]] if props.get("guest.ipAddress") else []
    for nic in props.get("guest.net", []):
        found.extend(nic.get("ipAddress", []))
    # Link-local IPv6 addresses are on every NIC and identify nothing.
    return [ip for ip in dict.fromkeys(found) if not ip.lower().startswith("fe80:")]


def _provisioned_gb(props: Mapping[str, Any]) -> float | None:
    """Committed plus uncommitted: what the vSphere Client shows as provisioned space."""
    storage = props.get("summary.storage") or {}
    total = storage.get("committed", 0) + storage.get("uncommitted", 0)
    return round(total / GIB, 2) if total > 0 else None


def _custom_attributes(props: Mapping[str, Any], inventory: Inventory) -> dict[str, str]:
    values = {}
    for item in props.get("customValue", []):
        if item.get("value"):
            name = inventory.field_names.get(item["key"], str(item["key"]))
            values[name] = item["value"]
    return values


def usage(props: Mapping[str, Any], core_mhz: int | None) -> dict[str, float | None]:
    """CPU and memory in use as percentages of what the VM was given (its vCPUs at its host's
    core speed, its memory), from vCenter's quick stats. A VM that is not running uses
    nothing that says how big it should be: no figure, not zero."""
    if props.get("runtime.powerState") != "poweredOn":
        return {}
    cpu_mhz = props.get("summary.quickStats.overallCpuUsage")
    memory_used = props.get("summary.quickStats.guestMemoryUsage")
    cpus, memory_mb = props.get("config.hardware.numCPU"), props.get("config.hardware.memoryMB")
    return {
        "cpu_usage_percent": _percent(cpu_mhz, cpus * core_mhz if cpus and core_mhz else None),
        "memory_usage_percent": _percent(memory_used, memory_mb),
    }


def _percent(used: float | None, given: float | None) -> float | None:
    if used is None or not given:
        return None
    return round(100.0 * used / given, 1)


def transform_vm(vm: Fetched, inventory: Inventory, placement: Placement) -> ServerRecord:
    props = vm.props
    instance_uuid = props["config.instanceUuid"]
    hostname, fqdn = _guest_names(props)
    memory_mb = props.get("config.hardware.memoryMB")
    host_ref = props.get("runtime.host")
    # A VM inside a vApp has no folder parent: its host still places it.
    datacenter = inventory.datacenter_of(props.get("parent")) or inventory.datacenter_of(host_ref)
    return ServerRecord(
        external_id=f"vm:{instance_uuid}",
        scope=placement.scope,
        kind="virtual",
        hostname=hostname,
        fqdn=fqdn,
        bios_uuid=props.get("config.uuid"),
        instance_uuid=instance_uuid,
        os_name=props.get("guest.guestFullName") or props.get("config.guestFullName"),
        cpu_cores=props.get("config.hardware.numCPU"),
        memory_gb=memory_mb / 1024 if memory_mb is not None else None,
        storage_gb=_provisioned_gb(props),
        power_state=_power(props.get("runtime.powerState")),
        **usage(props, inventory.host_cpu_mhz(host_ref)),
        host=inventory.host_label(host_ref),
        site=placement.site(datacenter),
        extra={
            "ips": _ips(props),
            "tools_status": props.get("guest.toolsStatus"),
            "cluster": inventory.cluster_of(host_ref),
            "datacenter": datacenter,
            "folder": inventory.folder_of(props.get("parent")),
            "notes": props.get("config.annotation") or None,
            "custom_attributes": _custom_attributes(props, inventory),
            "vcenter_name": props["name"],
        },
    )
