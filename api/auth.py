"""Bearer-token authentication, role checks and request ids."""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Request, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.deps import SessionDep, SettingsDep
from estate.access import Principal, authenticate
from estate.audit import Actor
from estate.models.status import Permission

_bearer = HTTPBearer(auto_error=False, description="An API token from `estate token create`.")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def current_principal(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise HTTPException(401, "a bearer token is required", {"WWW-Authenticate": "Bearer"})
    principal, touched = authenticate(session, credentials.credentials, settings.access)
    if principal is None:
        raise HTTPException(401, "the token is unknown or revoked", {"WWW-Authenticate": "Bearer"})
    if touched:
        session.commit()  # keeps last_used_at; most requests write nothing
    request.state.principal = principal
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def require(permission: Permission) -> Callable[[Principal], Awaitable[Principal]]:
    # The checks below do no I/O: async, so FastAPI runs them inline, not on a worker thread.
    async def check(principal: CurrentPrincipal) -> Principal:
        if not principal.may(permission):
            raise HTTPException(403, f"the {principal.role} role may not {permission.value}")
        return principal

    return check


Reader = Annotated[Principal, Depends(require(Permission.READ))]


async def request_id_middleware(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    """Every response carries X-Request-ID: the caller's if well-formed, else a new one."""
    given = request.headers.get("X-Request-ID", "")
    request.state.request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
    response = await call_next(request)
    response.headers["X-Request-ID"] = request.state.request_id
    return response


def request_id(request: Request) -> str:
    return str(getattr(request.state, "request_id", "")) or uuid.uuid4().hex


async def actor(request: Request, principal: CurrentPrincipal) -> Actor:
    """The author of a write: the token's name and this request's id."""
    return Actor(principal.name, request_id(request))


CurrentActor = Annotated[Actor, Depends(actor)]
