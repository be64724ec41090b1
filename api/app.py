"""The FastAPI application factory."""

from __future__ import annotations

import logging

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import DBAPIError

from api.auth import RequestIdMiddleware, require
from api.deps import plain_query
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
from estate.db.outages import DatabaseUnavailable, is_outage, unavailable
from estate.db.paging import BadQuery
from estate.status import Permission
from estate.writes import Invalid, WriteError

log = logging.getLogger(__name__)


def create_app(settings: Settings) -> FastAPI:
    app = FastAPI(
        title="estate",
        version="0.1.0",
        summary="IT estate and cloud migration inventory",
        docs_url="/docs",
        openapi_url="/openapi.json",
    )
    app.state.settings = settings
    app.state.engine = make_engine(settings.database.url, busy_timeout_seconds=5)
    # The last added runs first: latency is timed around the request id's work too.
    app.add_middleware(RequestIdMiddleware)
    app.add_middleware(operations.LatencyMiddleware)

    @app.exception_handler(BadQuery)
    async def bad_query(_request: Request, exc: BadQuery) -> JSONResponse:
        detail = [{"loc": ["query", exc.parameter], "msg": str(exc), "type": "value_error"}]
        return JSONResponse(status_code=422, content={"detail": detail})

    @app.exception_handler(WriteError)
    async def plan_error(_request: Request, exc: WriteError) -> JSONResponse:
        if isinstance(exc, Invalid):
            detail: object = [{"loc": exc.loc, "msg": str(exc), "type": "value_error"}]
        else:
            detail = str(exc)
        return JSONResponse(status_code=exc.status_code, content={"detail": detail})

    for away in (DBAPIError, DatabaseUnavailable):
        app.add_exception_handler(away, database_away)

    @app.get("/health", tags=["operations"])
    def health() -> dict[str, str]:
        """Liveness: the process answers."""
        return {"status": "ok"}

    app.include_router(operations.router)
    readers = [Depends(require(Permission.READ)), Depends(plain_query)]
    # scans before records: /scans/requests must not be taken for /scans/{run_id}.
    plans = (applications, migration, outcomes, decommission, hosting)
    # Before /devices/{device_id}, which would otherwise take "replacement-forecast" for an id.
    app.include_router(devices.forecast_router, prefix="/api/v1", dependencies=readers)
    for module in (servers, devices, workloads, network, scans, records, *plans):
        app.include_router(module.router, prefix="/api/v1", dependencies=readers)
    app.include_router(access.router, prefix="/api/v1", dependencies=[Depends(plain_query)])
    add_dashboard(app)
    return app


async def database_away(request: Request, exc: Exception) -> Response:
    """Any request that meets a database outage: 503 with Retry-After, never a 500, and one log
    line (nothing of the request was written: its transaction rolled back). Any other database
    error goes on to the server's own 500."""
    if not is_outage(exc):
        raise exc
    doing = f"answering {request.method} {request.url.path}"
    log.warning("%s", unavailable(request.app.state.engine, doing, exc))
    message = "The database is unavailable; nothing was changed. Try again shortly."
    if request.url.path.startswith("/api/"):
        return JSONResponse(status_code=503, content={"detail": message}, headers=operations.RETRY)
    context = {"title": "Database unavailable", "message": message, "back": request.url.path}
    page = render(request, "problem.html", context, user=None, status_code=503)
    page.headers.update(operations.RETRY)
    return page
