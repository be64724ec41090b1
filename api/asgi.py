"""What the plain ASGI middlewares share (a fraction of BaseHTTPMiddleware's cost): each sees
only HTTP requests; lifespan and websocket messages pass straight through."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send


class HttpMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await self.http(scope, receive, send)

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        """One HTTP request, answered through `self.app` or refused here."""
        raise NotImplementedError
