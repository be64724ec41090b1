"""End to end: a vcenter source run through `run_source` against vcsim into the database."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, func, select
from sqlmodel import Session, col

from estate.config import Settings, SourceConfig
from estate.models import Change, Observation, ScanRun, Server
from estate.status import RunStatus
from scanners.runner import run_source
from tests.vcenter.helpers import PASSWORD_ENV, vcenter_options
from tests.vcenter.peer import Vcsim
from tests.vcenter.truth import VmFacts, destroy_vm, host_count, vm_facts, vm_usage


def with_vcenter(settings: Settings, peer: Vcsim, **overrides: Any) -> Settings:
    options = vcenter_options(peer, sites={"DC0": "Civic Centre"}, **overrides)
    source = SourceConfig(name="vc", kind="vcenter", options=options)
    return settings.model_copy(update={"sources": [source]})


def servers_by_external_id(engine: Engine) -> dict[str, Server]:
    with Session(engine) as session:
        rows = session.execute(
            select(col(Observation.external_id), Server).join(
                Server, col(Server.id) == col(Observation.entity_id)
            )
        )
        return {external_id: server for external_id, server in rows}


def change_count(engine: Engine) -> int:
    with Session(engine) as session:
        return session.execute(select(func.count()).select_from(Change)).scalar_one()


def scanned_twice(engine: Engine, settings: Settings, peer: Vcsim) -> tuple[int, ScanRun]:
    """The peer scanned, then again: the change rows after the first run, and the second."""
    settings = with_vcenter(settings, peer)
    run_source(engine, settings, "vc")
    changes = change_count(engine)
    return changes, run_source(engine, settings, "vc")


def test_servers_equal_what_vcsim_reports(
    engine: Engine, settings: Settings, fresh_vcsim: Vcsim
) -> None:
    run = run_source(engine, with_vcenter(settings, fresh_vcsim), "vc")

    assert (run.status, run.added, run.errors) == (RunStatus.OK, 8, [])
    assert run.scopes == {"127.0.0.1": True}
    servers = servers_by_external_id(engine)
    vms = {k: s for k, s in servers.items() if k.startswith("vm:")}
    hosts = [s for k, s in servers.items() if k.startswith("host:")]
    assert len(hosts) == host_count(fresh_vcsim) == 4
    assert {
        k: VmFacts(s.cpu_cores or 0, s.memory_gb or 0.0, s.power_state or "")
        for k, s in vms.items()
    } == vm_facts(fresh_vcsim)
    assert len(vms) == 4
    assert {s.kind for s in hosts} == {"physical"}
    assert all(s.missing_since is None for s in servers.values())


def test_unchanged_rescan_writes_no_changes(
    engine: Engine, settings: Settings, fresh_vcsim: Vcsim
) -> None:
    changes, again = scanned_twice(engine, settings, fresh_vcsim)

    assert (again.status, again.added, again.changed, again.missing) == (RunStatus.OK, 0, 0, 0)
    assert again.unchanged == 8
    assert change_count(engine) == changes


def test_quick_stats_land_on_their_servers_as_readings(
    engine: Engine, settings: Settings, fresh_vcsim: Vcsim
) -> None:
    changes, again = scanned_twice(engine, settings, fresh_vcsim)

    vms = {k: s for k, s in servers_by_external_id(engine).items() if k.startswith("vm:")}
    found = {k: (s.cpu_usage_percent, s.memory_usage_percent) for k, s in vms.items()}
    assert found == vm_usage(fresh_vcsim)
    assert all(cpu is not None and memory is not None for cpu, memory in found.values())
    # Quick stats move from one read to the next without the VM changing: no change rows.
    assert (again.changed, again.unchanged) == (0, 4 + 4)
    assert change_count(engine) == changes


def test_destroyed_vm_becomes_missing(
    engine: Engine, settings: Settings, fresh_vcsim: Vcsim
) -> None:
    settings = with_vcenter(settings, fresh_vcsim)
    run_source(engine, settings, "vc")
    gone = destroy_vm(fresh_vcsim, "DC0_C0_RP0_VM1")

    run = run_source(engine, settings, "vc")

    assert (run.status, run.missing) == (RunStatus.OK, 1)
    missing = {k for k, s in servers_by_external_id(engine).items() if s.missing_since}
    assert missing == {gone}


def test_failed_scope_marks_nothing_missing(
    engine: Engine, settings: Settings, fresh_vcsim: Vcsim, monkeypatch: Any
) -> None:
    settings = with_vcenter(settings, fresh_vcsim)
    run_source(engine, settings, "vc")
    monkeypatch.setenv(PASSWORD_ENV, "wrong")

    run = run_source(engine, settings, "vc")

    assert run.status != RunStatus.OK and run.missing == 0
    assert run.scopes == {"127.0.0.1": False}
    assert [(e["target"], e["reason"]) for e in run.errors] == [
        (
            f"127.0.0.1:{fresh_vcsim.port}",
            f"login failed for user 'estate': check the user and ${PASSWORD_ENV}",
        )
    ]
    assert all(s.missing_since is None for s in servers_by_external_id(engine).values())
