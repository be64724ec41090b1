"""The FastAPI application factory."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from anyio import to_thread
from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import DBAPIError

from api.auth import RequestIdMiddleware, require
from api.deps import plain_query
from api.errors import BodyLimit, add_error_handlers, answers, errors_body
from api.routes import (
    access,
    applications,
    decommission,
    devices,
    hosting,
    migration,
    network,
    operations,
    outcomes,
    records,
    scans,
    servers,
    workloads,
)
from api.web.dashboard import add_dashboard
from api.web.templating import render
from estate.config import Settings
from estate.db import make_engine
from estate.db.outages import DatabaseUnavailable, cause, is_busy, is_outage, unavailable
from estate.status import Permission

log = logging.getLogger(__name__)


def create_app(settings: Settings) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        to_thread.current_default_thread_limiter().total_tokens = settings.http.threads
        yield

    # The API's docs at FastAPI's own /docs and /openapi.json.
    app = FastAPI(
        title="estate",
        version="0.1.0",
        summary="IT estate and cloud migration inventory",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = make_engine(settings.database.url, busy_timeout_seconds=5)
    # The last added runs first: latency is timed around the request id's work too.
    app.add_middleware(BodyLimit, max_bytes=settings.http.max_body_bytes)
    app.add_middleware(RequestIdMiddleware)
    app.add_middleware(operations.LatencyMiddleware)

    add_error_handlers(app)
    for away in (DBAPIError, DatabaseUnavailable):
        app.add_exception_handler(away, database_away)

    @app.get("/health", tags=["operations"])
    def health() -> dict[str, str]:
        """Liveness: the process answers."""
        return {"status": "ok"}

    app.include_router(operations.router)
    readers = [Depends(require(Permission.READ)), Depends(plain_query)]
    plans = (applications, migration, outcomes, decommission, hosting)
    # forecast_router before /devices/{device_id}, which would take "replacement-forecast" for
    # an id; scans before records: /scans/requests must not be taken for /scans/{run_id}.
    routers = [devices.forecast_router]
    routers += [m.router for m in (servers, devices, workloads, network, scans, records, *plans)]
    # Every /api/v1 operation may meet these; each route declares the others it answers.
    common = answers(401, 422, 503)
    for router in routers:
        app.include_router(router, prefix="/api/v1", dependencies=readers, responses=common)
    app.include_router(
        access.router, prefix="/api/v1", dependencies=[Depends(plain_query)], responses=common
    )
    add_dashboard(app)
    return app


async def database_away(request: Request, exc: Exception) -> Response:
    """Any request that meets a database outage, or a database too busy with another writer to
    take its transaction: 503 with Retry-After, never a 500, and one log line (nothing of the
    request was written: its transaction rolled back). Any other database error goes on to the
    server's own 500."""
    doing = f"answering {request.method} {request.url.path}"
    if is_outage(exc):
        log.warning("%s", unavailable(request.app.state.engine, doing, exc))
        message = "The database is unavailable; nothing was changed. Try again shortly."
    elif is_busy(exc):
        log.warning("the database is busy while %s: nothing was written (%s)", doing, cause(exc))
        message = "The database is busy with another change; nothing was changed. Try again."
    else:
        raise exc
    if request.url.path.startswith("/api/"):
        content = errors_body(503, message)
        return JSONResponse(status_code=503, content=content, headers=operations.RETRY)
    context = {"title": "Database unavailable", "message": message, "back": request.url.path}
    page = render(request, "problem.html", context, user=None, status_code=503)
    page.headers.update(operations.RETRY)
    return page
