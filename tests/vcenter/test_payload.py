"""PropertyCollector answers to plain data: our XML reading agrees with pyVmomi's own."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pyVmomi import vim
from pyVmomi.SoapAdapter import SoapResponseDeserializer, SoapStubAdapter

from scanners.vcenter.collect import PC
from scanners.vcenter.payload import Fetched, plain, retrieve_result_from_xml

DATA = Path(__file__).parent / "data"
ANSWER = (DATA / "retrieve_result.xml").read_bytes()
EMPTY = b"""<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>
<RetrievePropertiesExResponse xmlns="urn:vim25"></RetrievePropertiesExResponse>
</soapenv:Body></soapenv:Envelope>"""


def _pyvmomi(document: bytes) -> Any:
    stub = SoapStubAdapter("127.0.0.1", -1, version="vim.version.version11")
    info = PC._GetMethodInfo("RetrievePropertiesEx")
    return SoapResponseDeserializer(stub).Deserialize(document, info.result)


def test_answer_is_read_with_types_lists_and_references() -> None:
    objects, token = retrieve_result_from_xml(ANSWER)

    assert token == "session[52a1]4f2c"
    vm, host = objects
    assert (vm.ref, vm.type, host.ref, host.type) == (
        "vm-1042",
        "VirtualMachine",
        "host-21",
        "HostSystem",
    )
    assert vm.props["config.hardware.numCPU"] == 4
    assert vm.props["config.template"] is False
    assert vm.props["runtime.host"] == "host-21"
    assert [nic.get("ipAddress") for nic in vm.props["guest.net"]] == [
        ["10.1.1.10"],
        ["192.168.5.10", "fe80::250:56ff:feaa:bb02"],
    ]
    assert vm.props["customValue"] == [{"key": 101, "value": "Digital"}]
    assert vm.props["summary.storage"]["timestamp"] == "2024-03-01T09:30:00.123000+00:00"
    assert "config.annotation" not in vm.props
    assert host.props["datastore"] == ["datastore-11", "datastore-12"]
    assert host.props["summary.hardware"]["memorySize"] == 549755813888


def test_answer_reads_as_pyvmomi_deserializes_it() -> None:
    # pyVmomi fails on a field it does not know; ours skips it.
    known = b"".join(line for line in ANSWER.splitlines(True) if b"futureField" not in line)
    result = _pyvmomi(known)

    expected = [
        Fetched(
            ref=content.obj._moId,
            type=content.obj._wsdlName,
            props={prop.name: plain(prop.val) for prop in content.propSet},
        )
        for content in result.objects
    ]
    assert retrieve_result_from_xml(ANSWER) == (expected, result.token)


def test_no_objects_is_an_empty_page() -> None:
    assert retrieve_result_from_xml(EMPTY) == ([], None)


def test_plain_drops_unset_fields_and_keeps_references() -> None:
    nic = vim.vm.GuestInfo.NicInfo(macAddress="00:50:56:aa:bb:01", connected=True)
    host = vim.HostSystem("host-9")

    assert plain([nic, host, vim.VirtualMachine.PowerState.poweredOff]) == [
        {"macAddress": "00:50:56:aa:bb:01", "connected": True, "deviceConfigId": 0},
        "host-9",
        "poweredOff",
    ]
