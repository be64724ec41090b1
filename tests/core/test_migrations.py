from __future__ import annotations

import json

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, select, text
from sqlmodel import Session, SQLModel, col

from estate.config import ReplacementSettings
from estate.db import make_engine
from estate.db.schema import alembic_config, at_head, in_models, upgrade
from estate.devices.forecast import DeviceFilter, Windows11Readiness, forecast
from estate.devices.store import rebuild_buckets
from estate.inventory.records import WorkloadRecord
from estate.models import Observation
from estate.models.device import DeviceReplacementBucket
from tests.conftest import fresh_database


def test_the_migrations_build_exactly_the_models(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": in_models}
        )
        differences = compare_metadata(context, SQLModel.metadata)

    assert differences == []
    assert at_head(engine)


def test_0007_keeps_a_workload_observation_under_its_one_name(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    with fresh_database(tmp_path_factory) as url:
        engine = make_engine(url)
        _upgrade_to(engine, "0006")
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO observations (source, source_kind, external_id, scope,"
                    " entity_kind, attributes, digest, first_seen, last_seen)"
                    " VALUES ('aws', 'aws', 'arn:i-1', 'a/r', 'workload', :attributes, 'd',"
                    " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                ),
                {"attributes": json.dumps(OLD_ATTRIBUTES)},
            )

        upgrade(engine)

        with Session(engine) as session:
            attributes = session.execute(select(col(Observation.attributes))).scalar_one()
        record = WorkloadRecord.model_validate(
            {**attributes, "external_id": "arn:i-1", "scope": "a/r"}
        )
        assert "source_server" not in attributes
        assert record.migrated_from_server == "nbc-app01"
        engine.dispose()


OLD_ATTRIBUTES = {
    "provider": "aws",
    "resource_type": "ec2:instance",
    "resource_id": "arn:i-1",
    "source_server": "nbc-app01",
}


def _upgrade_to(engine: Engine, revision: str) -> None:
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def test_0023_recounts_the_buckets_with_windows11_readiness(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    with fresh_database(tmp_path_factory) as url:
        engine = make_engine(url)
        _upgrade_to(engine, "0022")
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO devices (hostname, device_type, department, status,"
                    " replacement_due_on, replacement_explicit, windows11_ready, os_name,"
                    " purchase_cost, replacement_pending, created_at, updated_at)"
                    " VALUES (:key, 'laptop', 'Finance', :status, :due, false, :ready, :os,"
                    " :cost, false, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                ),
                DEVICES_AT_0022,
            )

        upgrade(engine)

        with Session(engine) as session:
            migrated = _buckets(session)
            rebuild_buckets(session)
            assert migrated == _buckets(session)
            ready = forecast(session, DeviceFilter(include_gone=True), ReplacementSettings())
        assert ready.windows11 == Windows11Readiness(ready=1, not_ready=1, unknown=1)
        engine.dispose()


# Ready, not ready, not counted (a Mac), and readiness unknown.
DEVICES_AT_0022 = [
    {"key": "a", "status": "active", "due": "2027-01-15", "ready": True, "os": "Windows 10",
     "cost": 500.0},
    {"key": "b", "status": "active", "due": "2027-02-01", "ready": False, "os": None,
     "cost": None},
    {"key": "c", "status": "gone", "due": None, "ready": None, "os": "macOS", "cost": 100.0},
    {"key": "d", "status": "active", "due": "2025-05-01", "ready": None, "os": "Windows 11",
     "cost": 250.0},
]  # fmt: skip


def _buckets(session: Session) -> list[tuple[object, ...]]:
    bucket = DeviceReplacementBucket
    columns = [c for name, c in bucket.__table__.c.items() if name != "id"]  # type: ignore[attr-defined]
    rows = session.execute(select(*columns)).all()
    return sorted((tuple(row) for row in rows), key=repr)
