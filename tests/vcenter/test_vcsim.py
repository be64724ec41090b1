"""The vcenter scanner against govmomi's vcsim over real sockets: what it reads, how many
round trips that costs, and how it fails (credentials, TLS, timeouts, a vCenter gone mid-scan).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from pyVmomi import vmodl

from estate.config import ConfigError
from estate.inventory.records import Problem, ScopeEnd, ServerRecord
from scanners.vcenter import VcenterOptions
from scanners.vcenter.collect import (
    PC,
    create_view,
    destroy_view,
    inventory_specs,
    retrieve_pages,
    vm_specs,
)
from scanners.vcenter.connect import Connection, connect, disconnect
from scanners.vcenter.payload import Fetched, plain, retrieve_result_from_xml
from tests.vcenter.helpers import PASSWORD_ENV, Collected, make_scanner, vcenter_options
from tests.vcenter.peer import PASSWORD, Vcsim
from tests.vcenter.truth import VmFacts, host_count, set_custom_attribute, vm_facts

# Requests of a scan whatever its size: the API version probe, RetrieveServiceContent, Login,
# CreateContainerView, DestroyView and Logout.
FIXED_ROUND_TRIPS = 6
# What the default model's inventory stream returns: 1 datacenter, its 4 folders, 1 standalone
# compute resource, 1 cluster, 4 hosts and the CustomFieldsManager.
DEFAULT_INVENTORY_OBJECTS = 12


def _facts(records: list[ServerRecord]) -> dict[str, VmFacts]:
    return {
        r.external_id: VmFacts(r.cpu_cores or 0, r.memory_gb or 0.0, r.power_state or "")
        for r in records
    }


def _failed_alone(collected: Collected, target: str, reason: str) -> None:
    """Nothing recorded, one problem naming the target, an incomplete scope."""
    assert (collected.hosts, collected.vms) == ([], [])
    assert len(collected.problems) == 1, collected.problems
    problem = collected.problems[0]
    assert (problem.scope, problem.target) == ("127.0.0.1", target)
    assert reason in problem.reason, problem.reason
    assert collected.ends == [ScopeEnd(scope="127.0.0.1", complete=False)]


def test_default_model_equals_what_vcsim_reports(vcsim: Vcsim) -> None:
    scanner = make_scanner(vcsim, sites={"DC0": "Civic Centre"})

    collected = Collected.of(scanner.collect())

    assert collected.complete and collected.problems == []
    assert _facts(collected.vms) == vm_facts(vcsim)
    assert len(collected.vms) == 4
    assert len(collected.hosts) == host_count(vcsim) == 4
    assert {r.site for r in collected.hosts + collected.vms} == {"Civic Centre"}
    hosts_by_serial = {h.serial: h for h in collected.hosts}
    assert all(vm.host in hosts_by_serial for vm in collected.vms)
    assert scanner.round_trips == FIXED_ROUND_TRIPS + 2


def test_large_model_equals_what_vcsim_reports(large_vcsim: Vcsim) -> None:
    scanner = make_scanner(large_vcsim)

    collected = Collected.of(scanner.collect())

    assert collected.complete and collected.problems == []
    assert len(collected.vms) == 1000
    assert len(collected.hosts) == host_count(large_vcsim) == 8
    assert _facts(collected.vms) == vm_facts(large_vcsim)
    assert {vm.extra["cluster"] for vm in collected.vms} == {"DC0_C0", "DC0_C1"}
    # 1,000 VMs at 500 a page: one page more than the 4-VM model, not 996 more requests.
    assert scanner.round_trips == FIXED_ROUND_TRIPS + 3


def test_each_page_is_one_round_trip(vcsim: Vcsim) -> None:
    whole = make_scanner(vcsim)
    paged = make_scanner(vcsim, page_size=1)

    assert Collected.of(paged.collect()).vms == Collected.of(whole.collect()).vms
    assert paged.round_trips == FIXED_ROUND_TRIPS + DEFAULT_INVENTORY_OBJECTS + 4


def test_custom_attributes_are_named(fresh_vcsim: Vcsim) -> None:
    set_custom_attribute(fresh_vcsim, "DC0_H0_VM0", "Owner", "Digital Services")

    collected = Collected.of(make_scanner(fresh_vcsim).collect())

    attributes = {vm.hostname: vm.extra["custom_attributes"] for vm in collected.vms}
    assert attributes == {
        "DC0_H0_VM0": {"Owner": "Digital Services"},
        "DC0_H0_VM1": {},
        "DC0_C0_RP0_VM0": {},
        "DC0_C0_RP0_VM1": {},
    }


def test_wrong_password_fails_the_scope(vcsim: Vcsim, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PASSWORD_ENV, "not-the-password")

    collected = Collected.of(make_scanner(vcsim).collect())

    _failed_alone(collected, f"127.0.0.1:{vcsim.port}", "login failed for user 'estate'")


def test_missing_password_variable_is_a_config_error(
    vcsim: Vcsim, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(PASSWORD_ENV)

    with pytest.raises(ConfigError, match=f"{PASSWORD_ENV} is not set"):
        list(make_scanner(vcsim).collect())


def test_tls_is_verified_by_default(tls_vcsim: Vcsim) -> None:
    collected = Collected.of(make_scanner(tls_vcsim).collect())

    _failed_alone(collected, f"127.0.0.1:{tls_vcsim.port}", "TLS certificate not trusted")


def test_tls_with_the_ca_bundle(tls_vcsim: Vcsim, tmp_path: Path) -> None:
    assert tls_vcsim.cert is not None
    shutil.copy(tls_vcsim.cert, tmp_path / "vcsim-ca.pem")

    scanner = make_scanner(tls_vcsim, config_dir=tmp_path, ca_bundle="vcsim-ca.pem")
    collected = Collected.of(scanner.collect())

    assert collected.complete and collected.problems == []
    assert _facts(collected.vms) == vm_facts(tls_vcsim)
    assert len(collected.hosts) == 4


def test_tls_unverified_when_asked(tls_vcsim: Vcsim) -> None:
    collected = Collected.of(make_scanner(tls_vcsim, verify_tls=False).collect())

    assert collected.complete
    assert (len(collected.vms), len(collected.hosts)) == (4, 4)


def test_unreadable_ca_bundle_fails_the_scope(tls_vcsim: Vcsim, tmp_path: Path) -> None:
    scanner = make_scanner(tls_vcsim, config_dir=tmp_path, ca_bundle="absent.pem")

    collected = Collected.of(scanner.collect())

    _failed_alone(collected, f"127.0.0.1:{tls_vcsim.port}", "ca_bundle cannot be read")


def test_silent_endpoint_times_out(silent_port: int) -> None:
    scanner = make_scanner(port=silent_port, protocol="http", timeout_seconds=0.5)

    collected = Collected.of(scanner.collect())

    _failed_alone(collected, f"127.0.0.1:{silent_port}", "timed out after 0.5s")


def test_refused_connection_fails_the_scope(refused_port: int) -> None:
    collected = Collected.of(make_scanner(port=refused_port, protocol="http").collect())

    _failed_alone(collected, f"127.0.0.1:{refused_port}", "cannot connect: Connection refused")


def test_vcenter_gone_mid_scan_fails_the_scope(fresh_vcsim: Vcsim) -> None:
    events = make_scanner(fresh_vcsim, page_size=1).collect()
    before = []
    for event in events:
        before.append(event)
        if isinstance(event, ServerRecord) and event.kind == "virtual":
            break
    fresh_vcsim.stop()

    after = Collected.of(events)

    assert [type(e).__name__ for e in before] == ["ServerRecord"] * 5
    assert after.problems == [
        Problem(
            scope="127.0.0.1",
            reason="failed after 5 records: cannot connect: Connection refused",
            target=f"127.0.0.1:{fresh_vcsim.port}",
        )
    ]
    assert after.ends == [ScopeEnd(scope="127.0.0.1", complete=False)]


@pytest.mark.parametrize("specs", ["inventory", "vms"])
def test_pages_read_as_pyvmomi_deserializes_them(large_vcsim: Vcsim, specs: str) -> None:
    options = VcenterOptions(**vcenter_options(large_vcsim))
    connection = connect(options, PASSWORD, None)
    try:
        view = create_view(connection)
        spec_set = inventory_specs(connection, view) if specs == "inventory" else vm_specs(view)
        ours = [item for page in retrieve_pages(connection, spec_set, 500) for item in page]
        theirs = _pyvmomi_pages(connection, spec_set)
        destroy_view(view)
    finally:
        disconnect(connection)

    assert len(ours) == {"inventory": 16, "vms": 1000}[specs]
    assert ours == theirs


def _pyvmomi_pages(connection: Connection, spec_set: list[Any]) -> list[Fetched]:
    """The same stream through pyVmomi's own deserializer, made plain."""
    collector = connection.content.propertyCollector
    result = collector.RetrievePropertiesEx(spec_set, PC.RetrieveOptions(maxObjects=500))
    fetched = []
    while result is not None:
        fetched += [
            Fetched(c.obj._moId, c.obj._wsdlName, {p.name: plain(p.val) for p in c.propSet})
            for c in result.objects
        ]
        if not result.token:
            break
        result = collector.ContinueRetrievePropertiesEx(result.token)
    return fetched


def test_a_stream_left_early_is_cancelled(vcsim: Vcsim) -> None:
    options = VcenterOptions(**vcenter_options(vcsim))
    connection = connect(options, PASSWORD, None)
    try:
        view = create_view(connection)
        collector = connection.content.propertyCollector
        answer = connection.stub.invoke_raw(
            collector, "RetrievePropertiesEx", (vm_specs(view), PC.RetrieveOptions(maxObjects=1))
        )
        token = retrieve_result_from_xml(answer)[1]
        pages = retrieve_pages(connection, vm_specs(view), 1)
        next(pages)
        pages.close()
        # The first stream's token still serves; the closed one's was cancelled.
        assert len(retrieve_result_from_xml(_continue(connection, token))[0]) == 1
        with pytest.raises(vmodl.fault.InvalidArgument):
            _continue(connection, str(int(token or 0) + 1))
    finally:
        disconnect(connection)


def _continue(connection: Connection, token: str | None) -> bytes:
    collector = connection.content.propertyCollector
    return connection.stub.invoke_raw(collector, "ContinueRetrievePropertiesEx", (token,))
