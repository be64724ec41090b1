"""Kept answers (estate.db.kept): a list's count, the site names and the pages most asked are
read once per state of the database, and a commit anywhere (this connection, another, another
engine) is seen at once.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Engine, event, select
from sqlmodel import Session, col

from estate.db import make_engine
from estate.db.kept import Kept
from estate.db.paging import count_of
from estate.inventory.devices import DeviceQuery, list_devices
from estate.inventory.sites import site_names
from estate.models import Device, Site
from estate.status import SiteKind

SITES = select(Site)
TODAY = date(2026, 12, 7)


def add_site(session: Session, name: str) -> int:
    site = Site(name=name, kind=SiteKind.OFFICE)
    session.add(site)
    session.flush()
    assert site.id is not None
    return site.id


def test_a_count_follows_each_commit_of_this_connection_and_of_others(
    engine: Engine, database_url: str
) -> None:
    other = make_engine(database_url)
    try:
        with Session(engine) as session:
            assert count_of(session, SITES) == 0
            add_site(session, "Civic Centre")
            session.commit()
            assert count_of(session, SITES) == 1
        with Session(other) as session:
            assert count_of(session, SITES) == 1
            add_site(session, "Depot")
            session.commit()
        with Session(engine) as session:
            assert count_of(session, SITES) == 2
            assert count_of(session, SITES.where(col(Site.name) == "Depot")) == 1
            session.execute(Site.__table__.delete().where(Site.__table__.c.name == "Depot"))
            session.commit()
        with Session(other) as session:
            assert count_of(session, SITES) == 1
            assert count_of(session, SITES.where(col(Site.name) == "Depot")) == 0
    finally:
        other.dispose()


def test_a_count_that_sees_uncommitted_rows_is_not_kept(engine: Engine) -> None:
    with Session(engine) as session:
        assert count_of(session, SITES) == 0
        add_site(session, "Civic Centre")
        assert count_of(session, SITES) == 1
        session.rollback()
        assert count_of(session, SITES) == 0
    with Session(engine) as session:
        assert count_of(session, SITES) == 0


def test_site_names_follow_a_rename(engine: Engine) -> None:
    with Session(engine) as session:
        first = add_site(session, "Civic Centre")
        second = add_site(session, "Depot")
        session.commit()
        assert site_names(session, {first, None}) == {first: "Civic Centre"}
        session.get_one(Site, first).name = "Civic Centre (closed)"
        session.commit()
    with Session(engine) as session:
        assert site_names(session, {first, second}) == {
            first: "Civic Centre (closed)",
            second: "Depot",
        }
        assert site_names(session, {None}) == {}


def test_one_reader_after_a_burst_counts_once(database_url: str) -> None:
    """After a burst has opened several connections, one reader's requests in turn take the
    same one (the pool hands out the last used first), so its count is kept for all of them;
    taken in turn, each connection (on SQLite each keeps its own) would count again."""
    engine = make_engine(database_url)
    counted: list[str] = []

    @event.listens_for(engine, "before_cursor_execute")
    def _seen(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if "count(" in statement.lower():
            counted.append(statement)

    try:
        burst = [engine.connect() for _ in range(5)]
        for connection in burst:
            connection.execute(select(1))
        for connection in burst:
            connection.close()
        for _ in range(10):
            with Session(engine) as session:
                assert count_of(session, SITES) == 0
        assert len(counted) == 1
    finally:
        engine.dispose()


def add_device(session: Session, hostname: str, holder: str | None = None) -> None:
    session.add(Device(hostname=hostname, device_type="laptop", assigned_to=holder))
    session.flush()


def names(session: Session, personal: bool = False) -> list[str]:
    page = list_devices(session, DeviceQuery(), TODAY, personal)
    return [d.hostname for d in page.items]


def test_a_page_is_kept_until_a_commit_anywhere(engine: Engine, database_url: str) -> None:
    other = make_engine(database_url)
    try:
        with Session(engine) as session:
            add_device(session, "LT-1")
            session.commit()
            first = list_devices(session, DeviceQuery(), TODAY, False)
            assert list_devices(session, DeviceQuery(), TODAY, False) is first
            # Another query, another day: other pages.
            assert list_devices(session, DeviceQuery(limit=1), TODAY, False) is not first
            assert list_devices(session, DeviceQuery(), date(2026, 12, 8), False) is not first
        with Session(other) as session:
            add_device(session, "LT-2")
            session.commit()
        with Session(engine) as session:
            assert names(session) == ["LT-1", "LT-2"]
            session.execute(
                select(Device).where(col(Device.hostname) == "LT-1")
            ).scalar_one().hostname = "LT-1A"
            session.commit()
            assert names(session) == ["LT-1A", "LT-2"]
    finally:
        other.dispose()


def test_a_page_that_sees_uncommitted_rows_is_not_kept(engine: Engine) -> None:
    with Session(engine) as session:
        assert names(session) == []
        add_device(session, "LT-1")
        assert names(session) == ["LT-1"]
        session.rollback()
        assert names(session) == []


def test_a_page_that_shows_who_holds_a_device_is_never_kept(engine: Engine) -> None:
    with Session(engine) as session:
        add_device(session, "LT-1", holder="A. Person")
        session.commit()
        first = list_devices(session, DeviceQuery(), TODAY, True)
        assert first.items[0].assigned_to == "A. Person"
        assert list_devices(session, DeviceQuery(), TODAY, True) is not first


def test_the_kept_pages_are_bounded_by_their_items_least_recently_used_going_first() -> None:
    kept = Kept(size=100)
    kept.put("a", "page a", 40)
    kept.put("b", "page b", 40)
    assert kept.get("a") == "page a"  # now b is the least recently used
    kept.put("c", "page c", 40)
    assert (kept.get("a"), kept.get("b"), kept.get("c")) == ("page a", None, "page c")
    kept.put("a", "page a again", 60)  # replacing an answer frees its weight
    assert (kept.get("a"), kept.get("c")) == ("page a again", "page c")
