"""The FastAPI application factory."""

from __future__ import annotations

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse

from api.auth import RequestIdMiddleware, require
from api.deps import plain_query
from api.routes import (
    applications,
    decommission,
    devices,
    hosting,
    migration,
    network,
    operations,
    records,
    scans,
    servers,
    workloads,
)
from api.web.dashboard import add_dashboard
from estate.db import make_engine
from estate.inventory import BadQuery
from estate.models.status import Permission
from estate.plans import Invalid, PlanError
from estate.settings import Settings


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

    @app.exception_handler(PlanError)
    async def plan_error(_request: Request, exc: PlanError) -> JSONResponse:
        if isinstance(exc, Invalid):
            detail: object = [{"loc": exc.loc, "msg": str(exc), "type": "value_error"}]
        else:
            detail = str(exc)
        return JSONResponse(status_code=exc.status_code, content={"detail": detail})

    @app.get("/health", tags=["operations"])
    def health() -> dict[str, str]:
        """Liveness: the process answers."""
        return {"status": "ok"}

    app.include_router(operations.router)
    readers = [Depends(require(Permission.READ)), Depends(plain_query)]
    # scans before records: /scans/requests must not be taken for /scans/{run_id}.
    plans = (applications, migration, decommission, hosting)
    # Before /devices/{device_id}, which would otherwise take "replacement-forecast" for an id.
    app.include_router(devices.forecast_router, prefix="/api/v1", dependencies=readers)
    for module in (servers, devices, workloads, network, scans, records, *plans):
        app.include_router(module.router, prefix="/api/v1", dependencies=readers)
    add_dashboard(app)
    return app
