"""Run by test_links.py in a process of its own (so PYTHONHASHSEED can vary): a server named
two ways by two workloads, scanned twice; prints what linked and what the second run wrote."""

from __future__ import annotations

import json
import sys

from sqlalchemy import func, select
from sqlmodel import Session, col

from estate.config import DatabaseSettings, Settings
from estate.db import make_engine
from estate.db.schema import upgrade
from estate.inventory.records import ServerRecord, WorkloadRecord
from estate.models import Change, Workload
from tests.core.helpers import complete, scan

SCOPE = "111122223333/eu-west-2"


def workload(name: str, origin: str) -> WorkloadRecord:
    return WorkloadRecord(
        external_id=name,
        scope=SCOPE,
        provider="aws",
        resource_type="ec2:instance",
        resource_id=f"arn:aws:ec2:eu-west-2:111122223333:instance/{name}",
        name=name,
        migrated_from_server=origin,
    )


def main(url: str) -> None:
    engine = make_engine(url)
    upgrade(engine)
    settings = Settings(database=DatabaseSettings(url=url))
    server = ServerRecord(
        external_id="CI-1", scope="cmdb.csv", hostname="nbc-app01", fqdn="nbc-app01.council.local"
    )
    scan(engine, settings, "cmdb", complete([server], "cmdb.csv"))
    cloud = [workload("i-a", "nbc-app01"), workload("i-b", "NBC-APP01.council.local")]
    scan(engine, settings, "aws", complete(cloud, SCOPE), kind="aws")
    again = scan(engine, settings, "aws", complete(cloud, SCOPE), kind="aws")
    with Session(engine) as session:
        links = dict(
            session.execute(select(col(Workload.name), col(Workload.migrated_from_server_id))).all()
        )
        wrote = session.execute(
            select(func.count()).where(col(Change.scan_run_id) == again.id)
        ).scalar_one()
    print(json.dumps({"links": links, "changed": again.changed, "change_rows": wrote}))
    engine.dispose()


if __name__ == "__main__":
    main(sys.argv[1])
