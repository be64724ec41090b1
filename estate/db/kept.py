"""Answers kept until the database changes: a list's `total` (an exact count) and small
lookups (site names) are read again only once something has been committed since.

An answer is kept under its statement (structure and bound values) and a mark of what the
reading connection can see. Equal marks mean the same committed rows, so a kept answer is the
one a new query would give, never an estimate:
- PostgreSQL: the snapshot (`pg_current_snapshot()`: its xmin, xmax and running transactions).
  Two equal snapshots see the same committed transactions; any commit in between changes it.
- SQLite: the connection's own mark (`_mark`, unique for the life of the process),
  `PRAGMA data_version` (changes when another connection commits) and the connection's
  `total_changes` (changes when it writes itself).
A transaction that has written reads its own uncommitted rows, which may yet roll back: its
answers are neither kept nor taken from the kept ones.

Walking every page of a filtered list then counts once; so do many readers asking the same list
at once. Counts and lookups of a few rows are kept (`KEPT` per engine, least recently used go),
and apart from them the pages of the lists most asked (`PAGE_ITEMS` items per engine, some 30
MB of devices), each under its list's name and query: between scans the estate stands still,
and dashboards and scripts ask the same pages again and again. A page that shows who holds a
device is never kept (personal data is held no longer than its request). Kept pages are shared
between requests: their readers serialise them, never change them.
"""

from __future__ import annotations

import itertools
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from typing import Any, Protocol, TypeVar

from sqlalchemy import Engine, Select, event, text
from sqlalchemy.orm import Session

KEPT = 2048
# The items of 256 pages of 50: some 30 MB of devices (a page of 50 is about 120 KB of objects).
PAGE_ITEMS = 12_800
_SNAPSHOT = text("SELECT pg_current_snapshot()::text, pg_current_xact_id_if_assigned() IS NULL")
_marks = itertools.count(1)
T = TypeVar("T")


class Listing(Protocol):
    @property
    def items(self) -> Sequence[Any]: ...


L = TypeVar("L", bound=Listing)
Statement = Select[*tuple[Any, ...]]


class Kept:
    """The kept answers of one engine, least recently used first, up to `size` in weight (one
    for a count or a lookup, its items for a page)."""

    def __init__(self, size: int = KEPT) -> None:
        self._answers: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._lock = threading.Lock()
        self._size = size
        self._weight = 0

    def get(self, key: Hashable) -> Any:
        with self._lock:
            found = self._answers.get(key)
            if found is None:
                return None
            self._answers.move_to_end(key)
            return found[0]

    def put(self, key: Hashable, answer: Any, weight: int = 1) -> None:
        with self._lock:
            replaced = self._answers.pop(key, None)
            if replaced is not None:
                self._weight -= replaced[1]
            self._answers[key] = (answer, weight)
            self._weight += weight
            while self._weight > self._size:
                _, (_, gone) = self._answers.popitem(last=False)
                self._weight -= gone


_kept: weakref.WeakKeyDictionary[Engine, Kept] = weakref.WeakKeyDictionary()
_pages: weakref.WeakKeyDictionary[Engine, Kept] = weakref.WeakKeyDictionary()


def count(session: Session, statement: Statement) -> int:
    """`statement`'s single value (a count)."""
    return _answer(session, statement, lambda s: int(session.execute(s).scalar_one()))


def rows(session: Session, statement: Statement) -> tuple[tuple[Any, ...], ...]:
    """`statement`'s rows, as tuples: for lookups of a few rows only."""
    return _answer(session, statement, lambda s: tuple(tuple(r) for r in session.execute(s)))


def page(session: Session, key: Hashable, read: Callable[[], L]) -> L:
    """`read()` (a list's page), or what it gave for `key` (the list and every input of its
    answer but the database) when the database was as it is now."""
    return _kept_or_read(session, _pages, PAGE_ITEMS, key, read, lambda p: max(1, len(p.items)))


def _answer(session: Session, statement: Statement, read: Callable[[Statement], T]) -> T:
    """`read(statement)`, or the answer it gave when the database was as it is now."""
    key = _statement_key(statement)
    if key is None:
        return read(statement)
    return _kept_or_read(session, _kept, KEPT, key, lambda: read(statement), lambda _: 1)


def _kept_or_read(
    session: Session,
    stores: weakref.WeakKeyDictionary[Engine, Kept],
    size: int,
    key: Hashable,
    read: Callable[[], T],
    weight: Callable[[T], int],
) -> T:
    """The answer kept in the engine's store under `key` and what the session sees now, or
    `read()`, kept there unless the session's transaction has written."""
    seen = _visible_state(session)
    if seen is None:
        return read()
    bind = session.get_bind()
    kept = stores.setdefault(bind if isinstance(bind, Engine) else bind.engine, Kept(size))
    found: T | None = kept.get((seen, key))
    if found is None:
        found = read()
        kept.put((seen, key), found, weight(found))
    return found


def _statement_key(statement: Statement) -> Hashable | None:
    """The statement's structure and bound values, as SQLAlchemy's own statement cache keys
    them; None for one it cannot key."""
    cache_key = statement._generate_cache_key()
    if cache_key is None:
        return None
    try:
        values = tuple(_frozen(b.effective_value) for b in cache_key.bindparams)
        hash(values)
    except TypeError:
        return None
    return (cache_key.key, values)


def _frozen(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return tuple(_frozen(v) for v in value)
    return value


def _visible_state(session: Session) -> Hashable | None:
    """What the session's connection sees, as a mark that changes with every commit; None
    while its transaction has written."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        snapshot, unwritten = connection.execute(_SNAPSHOT).one()
        return snapshot if unwritten else None
    info = connection.connection.info
    dbapi = connection.connection.dbapi_connection
    assert dbapi is not None
    changes = dbapi.total_changes
    if changes != info.get("changes_at_begin", changes):
        return None
    version = connection.exec_driver_sql("PRAGMA data_version").scalar_one()
    return (_mark(info), version, changes)


def _mark(info: dict[str, Any]) -> int:
    """A number for this database connection, not reused by another in this process (an id()
    can be)."""
    if "mark" not in info:
        info["mark"] = next(_marks)
    return int(info["mark"])


def watch_sqlite_writes(engine: Engine) -> None:
    """Note each SQLite transaction's `total_changes` as it begins, so a read inside one that
    has written since is known to see uncommitted rows."""

    @event.listens_for(engine, "begin")
    def _changes_at_begin(conn: Any) -> None:
        raw = conn.connection
        raw.info["changes_at_begin"] = raw.dbapi_connection.total_changes
