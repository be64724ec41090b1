from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine, select
from sqlmodel import Session, col

from estate.config import Settings
from estate.inventory.records import Problem, ScopeEnd, ServerRecord
from estate.migration.plans import add_links
from estate.models import Application, Change, Observation, Server, ServerApplication
from estate.status import EntityStatus, RunStatus
from tests.core.helpers import change_count, complete, scan, scan_file, server


def servers(engine: Engine) -> list[Server]:
    with Session(engine) as session:
        return list(session.exec(select(Server).order_by(Server.id)).scalars())  # type: ignore[call-overload]


def test_first_scan_adds_and_second_identical_scan_changes_nothing(
    engine: Engine, settings: Settings
) -> None:
    records = [
        server("a", hostname="app01", serial="S1", cpu_cores=4),
        server("b", hostname="app02", serial="S2"),
    ]

    first = scan(engine, settings, "cmdb", complete(records))
    second = scan(engine, settings, "cmdb", complete(records))

    assert (first.status, first.added, first.changed) == (RunStatus.OK, 2, 0)
    assert (second.status, second.added, second.changed, second.unchanged) == (
        RunStatus.OK,
        0,
        0,
        2,
    )
    assert change_count(engine) == 0
    assert [s.hostname for s in servers(engine)] == ["app01", "app02"]


def test_a_changed_field_writes_one_change_row(engine: Engine, settings: Settings) -> None:
    scan_file(engine, settings, "cmdb", server("a", hostname="app01", cpu_cores=4))

    run = scan_file(engine, settings, "cmdb", server("a", hostname="app01", cpu_cores=8))

    with Session(engine) as session:
        changes = session.exec(select(Change)).scalars().all()  # type: ignore[call-overload]
    assert run.changed == 1
    assert [(c.field, c.old, c.new, c.scan_run_id) for c in changes] == [
        ("cpu_cores", 4, 8, run.id)
    ]


def test_unseen_server_of_a_completed_scope_goes_missing_not_deleted(
    engine: Engine, settings: Settings
) -> None:
    scan_file(
        engine, settings, "cmdb", server("a", hostname="app01"), server("b", hostname="app02")
    )

    run = scan_file(engine, settings, "cmdb", server("a", hostname="app01"))

    gone = servers(engine)[1]
    assert run.missing == 1
    assert (gone.hostname, gone.status) == ("app02", EntityStatus.MISSING)
    assert gone.missing_since == run.started_at


def test_an_incomplete_scope_marks_nothing_missing(engine: Engine, settings: Settings) -> None:
    scan_file(
        engine, settings, "cmdb", server("a", hostname="app01"), server("b", hostname="app02")
    )

    run = scan(
        engine,
        settings,
        "cmdb",
        [
            server("a", hostname="app01"),
            Problem(scope="file", reason="bad row", row=3),
            ScopeEnd(scope="file", complete=False),
        ],
    )

    assert (run.status, run.missing) == (RunStatus.PARTIAL, 0)
    assert [s.status for s in servers(engine)] == [EntityStatus.ACTIVE, EntityStatus.ACTIVE]


def test_a_server_seen_again_is_active_again(engine: Engine, settings: Settings) -> None:
    scan_file(engine, settings, "cmdb", server("a", hostname="app01"))
    scan_file(engine, settings, "cmdb")

    scan_file(engine, settings, "cmdb", server("a", hostname="app01"))

    only = servers(engine)[0]
    assert (only.status, only.missing_since) == (EntityStatus.ACTIVE, None)


def test_missing_longer_than_the_grace_period_is_gone(engine: Engine, settings: Settings) -> None:
    settings.ingest.grace_days = 0
    scan_file(engine, settings, "cmdb", server("a", hostname="app01"))

    scan_file(engine, settings, "cmdb")

    assert servers(engine)[0].status == EntityStatus.GONE


def test_two_sources_reconcile_by_serial_case_and_host_name_suffix(
    engine: Engine, settings: Settings
) -> None:
    scan(
        engine,
        settings,
        "cmdb",
        complete(
            [
                server("CI1", hostname="nbc-app01", serial="abc123", rack="R1"),
                server("CI2", hostname="nbc-db01"),
            ]
        ),
    )

    scan(
        engine,
        settings,
        "infra",
        complete(
            [
                server("x", hostname="NBC-APP01.ad.example.gov.uk", serial="ABC 123", cpu_cores=8),
                server("y", hostname="nbc-db01.ad.example.gov.uk", cpu_cores=2),
            ]
        ),
    )

    rows = servers(engine)
    with Session(engine) as session:
        sources = sorted(
            (o.entity_id, o.source) for o in session.exec(select(Observation)).scalars()
        )  # type: ignore[call-overload]
    assert [(s.hostname, s.serial, s.rack, s.cpu_cores) for s in rows] == [
        ("nbc-app01", "abc123", "R1", 8),
        ("nbc-db01", None, None, 2),
    ]
    assert sources == [
        (rows[0].id, "cmdb"),
        (rows[0].id, "infra"),
        (rows[1].id, "cmdb"),
        (rows[1].id, "infra"),
    ]


def test_a_reused_host_name_with_another_serial_is_another_server(
    engine: Engine, settings: Settings
) -> None:
    scan_file(engine, settings, "cmdb", server("a", hostname="app01", serial="OLD1"))

    scan(
        engine,
        settings,
        "redfish",
        complete([server("b", hostname="app01", serial="NEW2")]),
        kind="redfish",
    )

    assert [s.serial for s in servers(engine)] == ["OLD1", "NEW2"]


def test_precedence_picks_each_field_from_the_configured_source(
    engine: Engine, settings: Settings
) -> None:
    scan_file(
        engine,
        settings,
        "cmdb",
        server("a", serial="S1", hostname="h1", power_watts=500, rack="R9"),
    )

    scan(
        engine,
        settings,
        "bmc",
        complete([server("b", serial="S1", power_watts=312.5, rack="nope")]),
        kind="redfish",
    )

    only = servers(engine)[0]
    assert (only.power_watts, only.rack) == (312.5, "R9")


def test_applications_are_linked_and_unlinked_as_the_source_says(
    engine: Engine, settings: Settings
) -> None:
    scan_file(engine, settings, "cmdb", server("a", hostname="h1", applications=("Payroll", "HR")))

    scan_file(engine, settings, "cmdb", server("a", hostname="h1", applications=("Payroll",)))

    with Session(engine) as session:
        links = session.exec(select(ServerApplication)).scalars().all()  # type: ignore[call-overload]
        change = session.exec(select(Change).where(Change.field == "applications")).scalars().one()  # type: ignore[call-overload]
    assert len(links) == 1
    assert (change.old, change.new) == (["HR", "Payroll"], ["Payroll"])


def test_a_users_link_stays_and_each_change_row_holds_the_whole_set(
    engine: Engine, settings: Settings
) -> None:
    """A source that names an application a user linked adds nothing and records nothing;
    what a scan records is the server's whole set (as a user's write does), not only the
    scanned links."""
    scan_file(engine, settings, "cmdb", server("a", hostname="h1", applications=("Payroll",)))
    with Session(engine) as session:
        hr = Application(name="HR")
        session.add(hr)
        session.flush()
        add_links(session, [(servers(engine)[0].id or 0, hr.id or 0)])
        session.commit()

    scan_file(engine, settings, "cmdb", server("a", hostname="h1", applications=("HR", "Payroll")))
    scan_file(engine, settings, "cmdb", server("a", hostname="h1", applications=("HR", "Payroll")))
    scan_file(engine, settings, "cmdb", server("a", hostname="h1", applications=("Website",)))

    with Session(engine) as session:
        query = select(ServerApplication.origin, Application.name).join(Application)
        links = sorted(session.execute(query.order_by(Application.name)).all())
        changes = session.execute(
            select(Change.old, Change.new).where(Change.field == "applications").order_by(Change.id)
        ).all()
    assert links == [("scan", "Website"), ("user", "HR")]
    assert [tuple(c) for c in changes] == [(["HR", "Payroll"], ["HR", "Website"])]


def test_a_vm_links_to_its_host_even_when_the_host_arrives_later(
    engine: Engine, settings: Settings
) -> None:
    scan(
        engine,
        settings,
        "vc",
        complete([server("vm1", hostname="vm1", kind="virtual", host="ESX-01.example")]),
        kind="vcenter",
    )

    scan_file(
        engine, settings, "cmdb", server("h", hostname="esx-01", kind="physical", serial="SV1")
    )

    vm, host = servers(engine)
    assert vm.host_id == host.id


def test_match_only_records_attach_to_an_existing_server_and_never_create(
    engine: Engine, settings: Settings
) -> None:
    mgn = complete(
        [
            server("mgn:1", hostname="app01", match_only=True, mgn_lifecycle_state="TESTING"),
            server(
                "mgn:2", hostname="ghost", match_only=True, mgn_lifecycle_state="READY_FOR_TEST"
            ),
        ]
    )
    scan(engine, settings, "aws", mgn, kind="aws")
    assert servers(engine) == []

    scan_file(engine, settings, "cmdb", server("a", hostname="app01"))

    assert [(s.hostname, s.mgn_lifecycle_state) for s in servers(engine)] == [("app01", "TESTING")]


def test_a_scanner_that_raises_records_a_failed_run_and_changes_nothing(
    engine: Engine, settings: Settings
) -> None:
    scan_file(engine, settings, "cmdb", server("a", hostname="app01"))

    def broken():  # type: ignore[no-untyped-def]
        yield server("b", hostname="app02")
        raise ConnectionError("peer went away")

    run = scan(engine, settings, "cmdb", broken())

    assert run.status == RunStatus.FAILED
    assert run.errors[0]["reason"] == "ConnectionError: peer went away"
    assert [(s.hostname, s.status) for s in servers(engine)] == [("app01", EntityStatus.ACTIVE)]


def test_entity_timestamps_are_aware_utc(engine: Engine, settings: Settings) -> None:
    run = scan_file(engine, settings, "cmdb", server("a", hostname="app01"))

    created = servers(engine)[0].created_at

    assert created.utcoffset() == timedelta(0)
    assert created == run.started_at


def test_a_scope_that_would_lose_most_of_what_it_held_marks_nothing(
    engine: Engine, settings: Settings
) -> None:
    scan_file(engine, settings, "cmdb", *[server(f"s{i}", hostname=f"h{i}") for i in range(30)])

    truncated = scan_file(engine, settings, "cmdb", server("s0", hostname="h0"))

    assert (truncated.status, truncated.missing) == (RunStatus.PARTIAL, 0)
    assert "not marking 29 of 30 things missing" in truncated.errors[0]["reason"]
    assert {s.status for s in servers(engine)} == {EntityStatus.ACTIVE}


def test_the_missing_guard_can_be_lifted_for_a_real_mass_removal(
    engine: Engine, settings: Settings
) -> None:
    scan_file(engine, settings, "cmdb", *[server(f"s{i}", hostname=f"h{i}") for i in range(30)])
    settings.ingest.max_missing_share = 1.0

    run = scan_file(engine, settings, "cmdb", server("s0", hostname="h0"))

    assert (run.status, run.missing) == (RunStatus.OK, 29)


def test_cloned_vms_sharing_a_bios_uuid_are_servers_of_their_own(
    engine: Engine, settings: Settings
) -> None:
    def vm(instance: str, name: str) -> ServerRecord:
        return ServerRecord(
            external_id=f"vm:{instance}",
            scope="vc",
            kind="virtual",
            hostname=name,
            bios_uuid="4203a1b2-0000-4000-8000-000000000101",
            instance_uuid=instance,
        )

    first = [vm("5003a1b2-0000-4000-8000-000000000101", "web01")]
    clones = [vm("5003a1b2-0000-4000-8000-000000000202", "web01-copy")]
    scan(engine, settings, "vcenter", complete(first, "vc"), kind="vcenter")
    scan(engine, settings, "vcenter", complete(first + clones, "vc"), kind="vcenter")
    # A CMDB row naming the original by BIOS UUID still joins it.
    cmdb = ServerRecord(
        external_id="CI-9", scope="file", bios_uuid="4203A1B2-0000-4000-8000-000000000101"
    )
    scan_file(engine, settings, "cmdb", cmdb)

    with Session(engine) as session:
        servers = session.execute(select(Server).order_by(col(Server.id))).scalars().all()
        sources = session.execute(
            select(col(Observation.source), col(Observation.entity_id)).order_by(
                col(Observation.source), col(Observation.external_id)
            )
        ).all()
    assert [s.hostname for s in servers] == ["web01", "web01-copy"]
    assert [tuple(r) for r in sources] == [("cmdb", servers[0].id), ("vcenter", servers[0].id),
                                           ("vcenter", servers[1].id)]  # fmt: skip
