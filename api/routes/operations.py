"""For the operators' tools: readiness, Prometheus metrics and request latency."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy.exc import SQLAlchemyError
from starlette.types import Message, Receive, Scope, Send

from api.asgi import HttpMiddleware
from estate.db.schema import at_head
from estate.operations.metrics import REQUEST_LATENCY, database_registry, exposition

router = APIRouter(tags=["operations"])
# A restarted database answers again within seconds; a client should not hammer it meanwhile.
RETRY_AFTER_SECONDS = 5
RETRY = {"Retry-After": str(RETRY_AFTER_SECONDS)}


@router.get("/ready", responses={503: {"description": "Not ready: the reason is given."}})
def ready(request: Request) -> JSONResponse:
    """Readiness: the database answers and carries every migration; else 503."""
    try:
        current = at_head(request.app.state.engine)
    except (SQLAlchemyError, OSError) as exc:
        reason = f"database unreachable: {type(exc).__name__}"
        return JSONResponse(
            status_code=503, content={"status": "unavailable", "reason": reason}, headers=RETRY
        )
    if not current:
        reason = "database schema is not at the latest migration: run `estate db upgrade`"
        return JSONResponse(status_code=503, content={"status": "unavailable", "reason": reason})
    return JSONResponse(content={"status": "ready"})


@router.get("/metrics", response_class=Response)
def metrics(request: Request) -> Response:
    """Prometheus text format: scans by source and outcome, outbox depth, request latency."""
    body = exposition(database_registry(request.app.state.engine))
    return Response(content=body, media_type=CONTENT_TYPE_LATEST)


class LatencyMiddleware(HttpMiddleware):
    """Observe each request's latency, until its response is sent, under its route template
    (not the raw path) and status; an unhandled error counts as a 500. Plain ASGI."""

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        status = 500

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_noting_status)
        finally:
            REQUEST_LATENCY.labels(scope["method"], route_template(scope), str(status)).observe(
                time.perf_counter() - started
            )


def route_template(scope: Mapping[str, Any]) -> str:
    """/api/v1/servers/42 -> /api/v1/servers/{server_id}: one label per route, not per id."""
    if "endpoint" not in scope:
        return "unmatched"
    names = {str(value): name for name, value in scope.get("path_params", {}).items()}
    segments = str(scope["path"]).split("/")
    return "/".join(f"{{{names[s]}}}" if s in names else s for s in segments)
