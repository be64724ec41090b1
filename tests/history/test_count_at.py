"""Progress as at a day is counted in memory (estate.migration.as_at.count_at), not by the live
count's GROUP BYs: both ways give the same counts, of today's servers and of the servers as at
a day, with every group (unset wave, strategy and site too) and servers made after the day."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import Engine, insert
from sqlmodel import Session

from estate.history.as_at import Moment
from estate.inventory.as_at import servers_at
from estate.migration import progress
from estate.migration.as_at import count_at
from estate.models import Application, Change, Server, ServerApplication, Site, Wave
from estate.models.base import table_of, utcnow
from estate.status import ChangeCause, MigrationStatus, Strategy

TIMEZONE = "Europe/London"
# Mostly migrated (or further on), so that an application's servers in a group are all
# migrated in some groups and not in others.
MOSTLY_MIGRATED = [*sorted(progress.MIGRATED) * 4, *MigrationStatus]


def _estate(engine: Engine, rng: random.Random) -> None:
    """120 servers over sites, waves and strategies (some unset), linked to 40 applications;
    some made today, and changes today of every counted column."""
    now = utcnow()
    with Session(engine) as session:
        sites = [Site(name=f"Site {i}") for i in range(3)]
        waves = [Wave(name=f"Wave {i}") for i in range(3)]
        apps = [Application(name=f"App {i}") for i in range(40)]
        session.add_all([*sites, *waves, *apps])
        session.flush()
        servers = [
            Server(
                hostname=f"srv{i}",
                migration_status=rng.choice(MOSTLY_MIGRATED),
                effective_strategy=rng.choice([None, *Strategy]),
                effective_wave_id=rng.choice([None, *(w.id for w in waves)]),
                site_id=rng.choice([None, *(s.id for s in sites)]),
                created_at=now - timedelta(days=rng.choice([0, 30])),
            )
            for i in range(120)
        ]
        session.add_all(servers)
        session.flush()
        links = {(s.id, rng.choice(apps).id) for s in servers for _ in range(rng.randint(0, 3))}
        session.execute(
            insert(table_of(ServerApplication)),
            [{"server_id": s, "application_id": a} for s, a in sorted(links)],
        )
        changes = []
        for s in rng.sample(servers, 40):
            field, old = rng.choice(
                [
                    ("migration_status", rng.choice(list(MigrationStatus)).value),
                    ("effective_strategy", rng.choice([None, *(x.value for x in Strategy)])),
                    ("effective_wave_id", rng.choice([None, *(w.id for w in waves)])),
                    ("site", rng.choice([None, *(x.name for x in sites)])),
                ]
            )
            changes.append(
                {"entity_kind": "server", "entity_id": s.id, "field": field, "old": old,
                 "new": None, "at": now, "cause": ChangeCause.SCAN}
            )  # fmt: skip
        session.execute(insert(table_of(Change)), changes)
        session.commit()


def test_count_at_is_the_live_count_of_today_and_of_a_day_back(engine: Engine) -> None:
    _estate(engine, random.Random(20261204))
    with Session(engine) as session:
        today = progress.count(session, progress.SERVERS, progress.LINKS)
        assert count_at(session, progress.SERVERS) == today

        yesterday = Moment.end_of(utcnow().date() - timedelta(days=2), TIMEZONE)
        then = servers_at(session, yesterday, only=progress.COUNTED)
        counted = count_at(session, then)
        assert counted == progress.count(session, then, progress.LINKS)
        assert counted != today  # the changes and the servers made since moved it
        _, apps = counted
        assert any(0 < migrated < n for n, migrated in apps.values())
