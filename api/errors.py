"""One body for every client error, as FastAPI's own 422s: `{"detail": [{"loc", "msg", "type"}]}`,
whatever refused the request (validation, a token, a role, a missing row, a write the estate
refuses, a body too large), and the OpenAPI answers that declare it."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.asgi import HttpMiddleware
from estate.db.paging import BadQuery
from estate.writes import Invalid, NotFound, WriteError

# A rejected value is echoed back at most this long: a 50 MB name is not sent back whole.
ECHO_CHARS = 100

# Where a bare HTTPException (FastAPI's, Starlette's or ours) points, by its status.
_LOCS: dict[int, list[str | int]] = {
    401: ["header", "Authorization"],
    403: ["header", "Authorization"],
    404: ["path"],
    405: ["method"],
    413: ["body"],
}
_TYPES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    422: "value_error",
    503: "unavailable",
}


class Problem(BaseModel):
    loc: list[str | int]
    msg: str
    type: str
    input: Any = None
    ctx: dict[str, Any] | None = None


class Problems(BaseModel):
    """Every 4xx (and a 503) answers this: what was wrong (`msg`) and where (`loc`)."""

    detail: list[Problem]


_SAID = {
    400: "The request cannot be read.",
    401: "No API token, or one unknown or revoked.",
    403: "The token's role may not do this.",
    404: "No such thing.",
    409: "It conflicts with what is recorded.",
    413: "The request body is over the limit (`[http] max_body_bytes`).",
    422: "A parameter or field is invalid; `loc` names it.",
    503: "The database is unavailable; nothing was changed.",
}


def answers(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI `responses` of these error statuses, each with the one error body."""
    return {status: {"model": Problems, "description": _SAID[status]} for status in statuses}


def problem(
    status: int, message: str, loc: Sequence[str | int] = (), headers: dict[str, str] | None = None
) -> HTTPException:
    """An HTTPException already in the one shape; `loc` names the parameter or field."""
    return HTTPException(status, errors_body(status, message, loc)["detail"], headers)


def _kind(status: int) -> str:
    return _TYPES.get(status, "client_error" if status < 500 else "server_error")


def errors_body(status: int, message: str, loc: Sequence[str | int] = ()) -> dict[str, Any]:
    """The one body; with no `loc`, where a bare error of this status points."""
    where = list(loc or _LOCS.get(status, []))
    return {"detail": [{"loc": where, "msg": message, "type": _kind(status)}]}


def short(value: Any) -> Any:
    """A rejected value as echoed back: itself if short, else a prefix of its text."""
    text = value if isinstance(value, str) else json.dumps(jsonable_encoder(value), default=str)
    if len(text) <= ECHO_CHARS:
        return value
    return f"{text[:ECHO_CHARS]}… ({len(text)} characters)"


async def _http_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code in (204, 304):
        return Response(status_code=exc.status_code, headers=exc.headers)
    if isinstance(exc.detail, list):
        content: dict[str, Any] = {"detail": exc.detail}
    else:
        content = errors_body(exc.status_code, str(exc.detail))
    return JSONResponse(content, status_code=exc.status_code, headers=exc.headers)


async def _invalid_request(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    found = jsonable_encoder(exc.errors())
    for error in found:
        if "input" in error:
            error["input"] = short(error["input"])
    return JSONResponse({"detail": found}, status_code=422)


async def _bad_query(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, BadQuery)
    return JSONResponse(errors_body(422, str(exc), ["query", exc.parameter]), status_code=422)


async def _refused_write(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, WriteError)
    loc = exc.loc if isinstance(exc, Invalid) else ["path"] if isinstance(exc, NotFound) else []
    return JSONResponse(errors_body(exc.status_code, str(exc), loc), status_code=exc.status_code)


def add_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(BadQuery, _bad_query)
    app.add_exception_handler(WriteError, _refused_write)


class BodyTooLarge(HTTPException):
    def __init__(self, max_bytes: int) -> None:
        super().__init__(413, f"the request body is over the limit of {max_bytes} bytes")


class BodyLimit(HttpMiddleware):
    """A request body over `max_bytes` is a 413: refused before any of it is read (and before
    the app is called) when its Content-Length says so, else (chunked) as soon as what has
    arrived passes the limit; what was read is dropped, never parsed."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        super().__init__(app)
        self.max_bytes = max_bytes

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        received, started = 0, False

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_bytes:
                # FastAPI passes an HTTPException from reading the body on to its handler.
                raise BodyTooLarge(self.max_bytes)
            return message

        async def noted(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, noted)
        except BodyTooLarge:
            if started:
                raise
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        message = f"the request body is over the limit of {self.max_bytes} bytes"
        response = JSONResponse(errors_body(413, message), status_code=413)
        await response(scope, receive, send)
