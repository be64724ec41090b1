"""The lists' text search answers exactly what `lower(column) LIKE '%text%'` answers, on both
databases, whether SQLite's trigram index (estate.db.search) reads it first or not: mixed case,
letters beyond ASCII, quotes, LIKE's wildcards, short texts; and the index follows inserts,
changes and deletes made by any writer."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import Engine, delete, event, text, update
from sqlmodel import Session, col

from estate.inventory.servers import ServerQuery, list_servers
from estate.models import Server

HOSTS = [
    ("CIV-APP01", "civ-app01.council.example", "SN-ÉTÉ-1"),
    ("civ-db02", None, 'SN"QUOTE"2'),
    ("Hous_ing03", "housing03.council.example", "SN%100"),
    ("ÉCOLE-04", None, None),
    ("plan-ap05", "plan-ap05.council.example", "XAPPY"),
]
SEARCHES = ["app", "APP", "civ-", "été", "ÉTÉ", "cole", '"quote"', "_ing", "%1", "ap", "x",
            "council.example", "SN-", "nothing-like-it", " civ-db "]  # fmt: skip


def _like(value: str | None, q: str, database: str) -> bool:
    """lower(column) LIKE '%<q lower-cased>%' as each database has it: `%` and `_` are LIKE's
    wildcards, and SQLite's lower() folds ASCII letters only, PostgreSQL's every letter."""
    if value is None:
        return False
    if database == "sqlite":
        value = "".join(c.lower() if c.isascii() else c for c in value)
    else:
        value = value.lower()
    wild = {"%": ".*", "_": "."}
    pattern = "".join(wild.get(c, re.escape(c)) for c in q.strip().lower())
    return re.search(pattern, value, re.DOTALL) is not None


@contextmanager
def statements(engine: Engine) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(conn: object, cursor: object, statement: str, *args: object) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _found(session: Session, q: str) -> list[str]:
    page = list_servers(session, ServerQuery(q=q, limit=100))
    return sorted(item.hostname for item in page.items)


@pytest.mark.parametrize("q", SEARCHES)
def test_a_search_answers_what_like_answers(engine: Engine, q: str) -> None:
    with Session(engine) as session:
        session.add_all(Server(hostname=h, fqdn=f, serial=s) for h, f, s in HOSTS)
        session.commit()
        database = engine.dialect.name
        expected = sorted(h for h, f, s in HOSTS if any(_like(v, q, database) for v in (h, f, s)))

        assert _found(session, q) == expected


def test_sqlite_reads_the_index_and_it_follows_every_writer(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL's trigram indexes are read by the LIKE itself")
    with Session(engine) as session:
        session.add_all(Server(hostname=h, fqdn=f, serial=s) for h, f, s in HOSTS)
        session.commit()
        with statements(engine) as seen:
            assert _found(session, "app0") == ["CIV-APP01"]
        assert any("servers_search MATCH" in s for s in seen)

        session.execute(
            update(Server)
            .where(col(Server.hostname) == "CIV-APP01")
            .values(hostname="CIV-WEB01", fqdn=None)
        )
        session.execute(text("UPDATE servers SET serial = 'APP-NEW' WHERE hostname = 'civ-db02'"))
        session.execute(delete(Server).where(col(Server.hostname) == "plan-ap05"))
        session.commit()

        assert _found(session, "app") == ["civ-db02"]
        assert _found(session, "web01") == ["CIV-WEB01"]
