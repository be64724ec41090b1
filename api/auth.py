"""Bearer-token authentication, role checks and request ids."""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import Awaitable, Callable
from typing import Annotated

from anyio.lowlevel import RunVar
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import PlainTextResponse
from starlette.types import Message, Receive, Scope, Send

from api.asgi import HttpMiddleware
from api.errors import problem
from estate.access import events
from estate.access.tokens import Principal, TokenExpired, authenticate, remembered
from estate.config import AccessSettings
from estate.history.changelog import Actor
from estate.status import AccessEventKind, Permission

_bearer = HTTPBearer(auto_error=False, description="An API token from `estate token create`.")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_CHALLENGE = {"WWW-Authenticate": "Bearer"}


async def current_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise problem(401, "a bearer token is required", headers=_CHALLENGE)
    access: AccessSettings = request.app.state.settings.access
    # A token checked in the last few seconds is answered inline, with no thread or database.
    principal = remembered(credentials.credentials, access)
    if principal is None:
        engine = request.app.state.engine
        try:
            principal = await _read_once(engine, credentials.credentials, access)
        except TokenExpired as exc:
            await run_in_threadpool(_record_expiry, engine, exc, request_id(request))
            raise problem(401, str(exc), headers=_CHALLENGE) from None
    if principal is None:
        raise problem(401, "the token is unknown or revoked", headers=_CHALLENGE)
    request.state.principal = principal
    return principal


async def _read_once(engine: Engine, token: str, access: AccessSettings) -> Principal | None:
    """The token read on a worker thread, once for all the requests that bring it meanwhile:
    when its remembered entry lapses, the requests in flight wait for one read, not a read (and
    a last-used write) each."""
    reads = _READS.get(None)
    if reads is None:
        reads = {}
        _READS.set(reads)
    shared = reads.get(token)
    if shared is not None:
        await asyncio.wait([shared])
        if not shared.cancelled():
            return shared.result()
    else:
        shared = reads[token] = asyncio.get_running_loop().create_future()
        try:
            principal = await run_in_threadpool(_read_principal, engine, token, access)
        except BaseException:
            shared.cancel()  # the others read for themselves
            raise
        else:
            shared.set_result(principal)
            return principal
        finally:
            del reads[token]
    return await run_in_threadpool(_read_principal, engine, token, access)


# Reads in flight by token, one table per event loop.
_READS: RunVar[dict[str, asyncio.Future[Principal | None]]] = RunVar("estate_token_reads")


def _read_principal(engine: Engine, token: str, access: AccessSettings) -> Principal | None:
    """The principal from the database, in a session of its own that commits only when the
    last-used stamp was written."""
    with Session(engine) as session:
        principal, touched = authenticate(session, token, access)
        if touched:
            session.commit()
    return principal


def _record_expiry(engine: Engine, expired: TokenExpired, request_id: str) -> None:
    with Session(engine) as session:
        if not events.expiry_recorded(session, expired.name):
            actor = Actor(expired.name, request_id)
            detail = str(expired)
            events.record(session, AccessEventKind.TOKEN_EXPIRED, actor, detail=detail)
            session.commit()


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def require(permission: Permission) -> Callable[[Principal], Awaitable[Principal]]:
    # The checks below do no I/O: async, so FastAPI runs them inline, not on a worker thread.
    async def check(principal: CurrentPrincipal) -> Principal:
        if not principal.may(permission):
            raise problem(403, f"the {principal.role} role may not {permission.value}")
        return principal

    return check


Reader = Annotated[Principal, Depends(require(Permission.READ))]


class RequestIdMiddleware(HttpMiddleware):
    """Every response carries X-Request-ID: the caller's if well-formed, else a new one; kept
    as request.state.request_id. Plain ASGI: a fraction of BaseHTTPMiddleware's cost."""

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        given = Headers(scope=scope).get("X-Request-ID", "")
        request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        started = False

        async def send_with_id(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                MutableHeaders(scope=message).append("X-Request-ID", request_id)
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            # An unhandled error: answer the 500 here, with the id, before the server's own
            # error handler (which then only logs it, as the response has started).
            if not started:
                await PlainTextResponse("Internal Server Error", 500)(scope, receive, send_with_id)
            raise


def request_id(request: Request) -> str:
    return str(getattr(request.state, "request_id", "")) or uuid.uuid4().hex


async def actor(request: Request, principal: CurrentPrincipal) -> Actor:
    """The author of a write: the token's name and this request's id."""
    return Actor(principal.name, request_id(request))


CurrentActor = Annotated[Actor, Depends(actor)]


def personal_read(
    session: Session, principal: Principal, actor: Actor, records: int, what: str
) -> None:
    """A read or export that showed personal data: its access event, committed with the
    request's session (a read has nothing else to commit)."""
    kind = AccessEventKind.PERSONAL_DATA
    events.record(session, kind, actor, role=principal.role, records=records, detail=what)
    session.commit()
