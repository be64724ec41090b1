"""What vcsim itself reports, read the plain pyVmomi way (object by object, no PropertyCollector
specs of ours), to compare the scanner's records against."""

from __future__ import annotations

import ssl
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from pyVim.connect import Disconnect, SmartConnect
from pyVmomi import vim

from tests.vcenter.peer import PASSWORD, USER, Vcsim

POWER = {"poweredOn": "on", "poweredOff": "off", "suspended": "suspended"}


@dataclass(frozen=True)
class VmFacts:
    cpu_cores: int
    memory_gb: float
    power_state: str


@contextmanager
def service(peer: Vcsim) -> Iterator[Any]:
    """A logged-in pyVmomi ServiceInstanceContent for the peer (certificate not checked)."""
    context = ssl._create_unverified_context() if peer.protocol == "https" else None
    si = SmartConnect(
        protocol=peer.protocol,
        host="127.0.0.1",
        port=peer.port,
        user=USER,
        pwd=PASSWORD,
        sslContext=context,
    )
    try:
        yield si.RetrieveContent()
    finally:
        Disconnect(si)


def _all(content: Any, kind: Any) -> list[Any]:
    view = content.viewManager.CreateContainerView(content.rootFolder, [kind], True)
    try:
        return list(view.view)
    finally:
        view.DestroyView()


def vm_facts(peer: Vcsim) -> dict[str, VmFacts]:
    """Each VM by its external_id ("vm:<instanceUuid>")."""
    with service(peer) as content:
        facts = {}
        for vm in _all(content, vim.VirtualMachine):
            config = vm.config
            facts[f"vm:{config.instanceUuid}"] = VmFacts(
                cpu_cores=config.hardware.numCPU,
                memory_gb=config.hardware.memoryMB / 1024,
                power_state=POWER[vm.runtime.powerState],
            )
        return facts


def host_count(peer: Vcsim) -> int:
    with service(peer) as content:
        return len(_all(content, vim.HostSystem))


def destroy_vm(peer: Vcsim, name: str) -> str:
    """Power off and destroy the named VM in vcsim; its external_id."""
    with service(peer) as content:
        vm = next(v for v in _all(content, vim.VirtualMachine) if v.name == name)
        external_id = f"vm:{vm.config.instanceUuid}"
        _wait(vm.PowerOffVM_Task())
        _wait(vm.Destroy_Task())
        return external_id


def set_custom_attribute(peer: Vcsim, vm_name: str, name: str, value: str) -> None:
    with service(peer) as content:
        manager = content.customFieldsManager
        key = manager.AddFieldDefinition(name=name, moType=vim.VirtualMachine).key
        vm = next(v for v in _all(content, vim.VirtualMachine) if v.name == vm_name)
        manager.SetField(entity=vm, key=key, value=value)


def _wait(task: Any) -> None:
    # vcsim's tasks finish at once; poll in case one has not yet.
    for _ in range(100):
        state = task.info.state
        if state == vim.TaskInfo.State.success:
            return
        if state == vim.TaskInfo.State.error:
            raise RuntimeError(f"task failed: {task.info.error}")
        time.sleep(0.05)
    raise RuntimeError("task did not finish")


def vm_usage(peer: Vcsim) -> dict[str, tuple[float | None, float | None]]:
    """Each running VM's CPU and memory in use as % of what it was given, from its quick
    stats: vCPUs at its host's core MHz, and its memory MB."""
    with service(peer) as content:
        usage = {}
        for vm in _all(content, vim.VirtualMachine):
            if vm.runtime.powerState != "poweredOn":
                continue
            stats, hardware = vm.summary.quickStats, vm.config.hardware
            given_mhz = hardware.numCPU * vm.runtime.host.summary.hardware.cpuMhz
            usage[f"vm:{vm.config.instanceUuid}"] = (
                round(100.0 * stats.overallCpuUsage / given_mhz, 1),
                round(100.0 * stats.guestMemoryUsage / hardware.memoryMB, 1),
            )
        return usage
