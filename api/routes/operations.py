"""For the operators' tools: readiness, Prometheus metrics and request latency."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy.exc import SQLAlchemyError

from estate.db import at_head
from estate.metrics import REQUEST_LATENCY, database_registry, exposition

router = APIRouter(tags=["operations"])


@router.get("/ready", responses={503: {"description": "Not ready: the reason is given."}})
def ready(request: Request) -> JSONResponse:
    """Readiness: the database answers and carries every migration; else 503."""
    try:
        current = at_head(request.app.state.engine)
    except (SQLAlchemyError, OSError) as exc:
        reason = f"database unreachable: {type(exc).__name__}"
        return JSONResponse(status_code=503, content={"status": "unavailable", "reason": reason})
    if not current:
        reason = "database schema is not at the latest migration: run `estate db upgrade`"
        return JSONResponse(status_code=503, content={"status": "unavailable", "reason": reason})
    return JSONResponse(content={"status": "ready"})


@router.get("/metrics", response_class=Response)
def metrics(request: Request) -> Response:
    """Prometheus text format: scans by source and outcome, outbox depth, request latency."""
    body = exposition(database_registry(request.app.state.engine))
    return Response(content=body, media_type=CONTENT_TYPE_LATEST)


async def latency_middleware(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    """Observe each request's latency under its route template (not the raw path)."""
    started = time.perf_counter()
    response = await call_next(request)
    REQUEST_LATENCY.labels(
        request.method, route_template(request.scope), str(response.status_code)
    ).observe(time.perf_counter() - started)
    return response


def route_template(scope: Mapping[str, Any]) -> str:
    """/api/v1/servers/42 -> /api/v1/servers/{server_id}: one label per route, not per id."""
    if "endpoint" not in scope:
        return "unmatched"
    names = {str(value): name for name, value in scope.get("path_params", {}).items()}
    segments = str(scope["path"]).split("/")
    return "/".join(f"{{{names[s]}}}" if s in names else s for s in segments)
