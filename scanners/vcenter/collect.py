"""Reading a vCenter's inventory through the PropertyCollector, in pages.

One ContainerView over the root folder holds every VM, host, cluster, folder and datacenter;
two RetrievePropertiesEx streams read it (the small inventory first, then the VMs), each asking
only for the properties the transforms use, `page_size` objects a page, continued by token.
So round trips grow with pages, not with VMs. What comes back is turned into plain JSON-able
objects (`Fetched`) at once, so the transforms never touch pyVmomi and are tested on files.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator, Mapping, Sequence
from typing import Any

from pyVmomi import vim, vmodl

from scanners.vcenter.connect import Connection
from scanners.vcenter.payload import Fetched, retrieve_result_from_xml

PC = vmodl.query.PropertyCollector

# Only these properties are asked for; each is read in transform.py.
VM_PROPERTIES: tuple[str, ...] = (
    "name",
    "parent",
    "config.uuid",
    "config.instanceUuid",
    "config.template",
    "config.guestFullName",
    "config.hardware.numCPU",
    "config.hardware.memoryMB",
    "config.annotation",
    "summary.storage",
    # CPU MHz and guest memory MB in use now: a VM's use of what it was given (readings).
    "summary.quickStats.overallCpuUsage",
    "summary.quickStats.guestMemoryUsage",
    "runtime.powerState",
    "runtime.host",
    "guest.hostName",
    "guest.guestFullName",
    "guest.ipAddress",
    "guest.net",
    "guest.toolsStatus",
    "customValue",
)
HOST_PROPERTIES: tuple[str, ...] = (
    "name",
    "parent",
    "summary.hardware",
    "hardware.systemInfo",
    "summary.config.product",
    "runtime.connectionState",
    "runtime.powerState",
)
# Containers: only their names and where they sit, to name a VM's datacenter, cluster, folder.
CONTAINER_PROPERTIES: tuple[str, ...] = ("name", "parent")
INVENTORY_TYPES: Mapping[str, tuple[Any, tuple[str, ...]]] = {
    "HostSystem": (vim.HostSystem, HOST_PROPERTIES),
    "Datacenter": (vim.Datacenter, CONTAINER_PROPERTIES),
    "Folder": (vim.Folder, CONTAINER_PROPERTIES),
    # Covers ClusterComputeResource too (a subtype), as a PropertySpec type does.
    "ComputeResource": (vim.ComputeResource, CONTAINER_PROPERTIES),
}
# A ContainerView's types do not all include subtypes (vcsim's do not): name clusters too.
VIEW_TYPES = (
    vim.VirtualMachine,
    vim.HostSystem,
    vim.Datacenter,
    vim.Folder,
    vim.ComputeResource,
    vim.ClusterComputeResource,
)


def retrieve_pages(
    connection: Connection, specs: Sequence[Any], page_size: int
) -> Generator[list[Fetched], None, None]:
    """Each page of one RetrievePropertiesEx stream; a stream left early is cancelled."""
    collector = connection.content.propertyCollector
    stub = connection.stub
    options = PC.RetrieveOptions(maxObjects=page_size)
    answer = stub.invoke_raw(collector, "RetrievePropertiesEx", (list(specs), options))
    token = None
    try:
        while True:
            objects, token = retrieve_result_from_xml(answer)
            yield objects
            if not token:
                return
            answer = stub.invoke_raw(collector, "ContinueRetrievePropertiesEx", (token,))
            token = None
    finally:
        if token:
            collector.CancelRetrievePropertiesEx(token=token)


def _from_view(view: Any, property_specs: list[Any]) -> Any:
    traverse = PC.TraversalSpec(name="view", path="view", skip=False, type=vim.view.ContainerView)
    return PC.FilterSpec(
        objectSet=[PC.ObjectSpec(obj=view, skip=True, selectSet=[traverse])],
        propSet=property_specs,
    )


def create_view(connection: Connection) -> Any:
    content = connection.content
    return content.viewManager.CreateContainerView(
        container=content.rootFolder, type=list(VIEW_TYPES), recursive=True
    )


def inventory_specs(connection: Connection, view: Any) -> list[Any]:
    """Hosts, clusters, folders and datacenters in the view, and the custom attribute names."""
    property_specs = [
        PC.PropertySpec(type=kind, pathSet=list(paths)) for kind, paths in INVENTORY_TYPES.values()
    ]
    specs = [_from_view(view, property_specs)]
    fields = connection.content.customFieldsManager
    if fields is not None:  # a standalone ESXi has none
        specs.append(
            PC.FilterSpec(
                objectSet=[PC.ObjectSpec(obj=fields, skip=False)],
                propSet=[PC.PropertySpec(type=vim.CustomFieldsManager, pathSet=["field"])],
            )
        )
    return specs


def vm_specs(view: Any) -> list[Any]:
    property_specs = [PC.PropertySpec(type=vim.VirtualMachine, pathSet=list(VM_PROPERTIES))]
    return [_from_view(view, property_specs)]


def fetch_inventory(connection: Connection, view: Any, page_size: int) -> list[Fetched]:
    specs = inventory_specs(connection, view)
    return [item for page in retrieve_pages(connection, specs, page_size) for item in page]


def fetch_vms(connection: Connection, view: Any, page_size: int) -> Iterator[list[Fetched]]:
    """The VMs, a page at a time, so memory stays flat however many there are."""
    yield from retrieve_pages(connection, vm_specs(view), page_size)


def destroy_view(view: Any) -> None:
    view.DestroyView()
