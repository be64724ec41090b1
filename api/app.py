"""The FastAPI application factory."""

from __future__ import annotations

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse

from api.auth import request_id_middleware, require
from api.routes import devices, records, servers, workloads
from estate.db import make_engine
from estate.inventory import BadQuery
from estate.models.status import Permission
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
    app.middleware("http")(request_id_middleware)

    @app.exception_handler(BadQuery)
    async def bad_query(_request: Request, exc: BadQuery) -> JSONResponse:
        detail = [{"loc": ["query", exc.parameter], "msg": str(exc), "type": "value_error"}]
        return JSONResponse(status_code=422, content={"detail": detail})

    @app.get("/health", tags=["operations"])
    def health() -> dict[str, str]:
        """Liveness: the process answers."""
        return {"status": "ok"}

    readers = [Depends(require(Permission.READ))]
    for module in (servers, devices, workloads, records):
        app.include_router(module.router, prefix="/api/v1", dependencies=readers)
    return app
