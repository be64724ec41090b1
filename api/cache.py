"""Serialised responses over kept aggregates, cached per process while their version holds.

Every rebuild of the aggregates writes a new version (estate.progress.bump_version), so each
API replica checks one small row per request and serves the bytes it already made, instead
of reading and serialising the aggregates again. Replicas never serve stale figures: a new
version misses the cache everywhere.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

from fastapi import Request
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from estate.db import read_statement_by_statement
from estate.migration import progress

MAX_ENTRIES = 512


class KeptCache:
    def __init__(self, size: int = MAX_ENTRIES) -> None:
        self._items: OrderedDict[Hashable, tuple[str, bytes]] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def get(self, key: Hashable, version: str) -> bytes | None:
        with self._lock:
            found = self._items.get(key)
            if found is None or found[0] != version:
                return None
            self._items.move_to_end(key)
            return found[1]

    def put(self, key: Hashable, version: str, body: bytes) -> None:
        with self._lock:
            self._items[key] = (version, body)
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)


def kept_cache(request: Request) -> KeptCache:
    cache: KeptCache | None = getattr(request.app.state, "kept_cache", None)
    if cache is None:
        cache = request.app.state.kept_cache = KeptCache()
    return cache


def kept_json(
    request: Request, session: Session, key: Hashable, build: Callable[[], BaseModel]
) -> Response:
    """The JSON of `build()`, made once per aggregate version and key."""
    read_statement_by_statement(session)
    found = progress.current_version(session)
    version = found[0] if found else ""
    cache = kept_cache(request)
    body = cache.get(key, version)
    if body is None:
        body = build().model_dump_json().encode()
        cache.put(key, version, body)
    # Only reads: end them here, on this worker thread, so that the connection goes back to the
    # pool now and closing the request's session needs no second thread hop.
    session.rollback()
    return Response(content=body, media_type="application/json")
