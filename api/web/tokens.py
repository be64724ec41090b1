"""Personal API tokens: a signed-in person makes one (shown once), lists their own and
revokes them. Each creation and revocation is an access event, as from `estate token`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from api.deps import SessionDep
from api.web import session as web
from api.web.templating import FieldError, render, started
from estate.access import events, personal
from estate.access.sessions import SignedIn
from estate.access.tokens import roles_within
from estate.db import paging
from estate.models.base import utcnow
from estate.status import AccessEventKind, Role

router = APIRouter(include_in_schema=False, dependencies=[Depends(started)])
TokenId = Annotated[int, Path(ge=1, le=paging.MAX_ID)]


def _page(
    request: Request,
    session: Session,
    user: SignedIn,
    *,
    made: str | None = None,
    notice: str | None = None,
    errors: list[FieldError] | None = None,
) -> Response:
    context = {
        "title": "API tokens",
        "section": "/tokens",
        "tokens": personal.list_personal(session, user.principal.name),
        "roles": roles_within(user.principal.role),
        "default_days": personal.DEFAULT_DAYS,
        "max_days": web.settings_of(request).access.token_max_days,
        "made": made,
        "notice": notice,
        "errors": errors or [],
    }
    return render(request, "tokens.html", context, user=user, status_code=400 if errors else 200)


@router.get("/tokens")
def tokens_page(request: Request, session: SessionDep, user: web.User) -> Response:
    notice = "The token is revoked." if request.query_params.get("revoked") else None
    return _page(request, session, user, notice=notice)


@router.post("/tokens")
def create(
    request: Request, session: SessionDep, user: web.User, form: web.CheckedForm
) -> Response:
    """Make a token and show it on this page, once: only its hash is kept."""
    label, role, days = (str(form.get(field) or "").strip() for field in ("name", "role", "days"))
    try:
        token = personal.create_personal(
            session,
            user.principal.name,
            user.principal.role,
            label,
            _role(role),
            _days(days),
            web.settings_of(request).access.token_max_days,
            utcnow(),
        )
    except personal.PersonalTokenError as exc:
        session.rollback()
        return _page(request, session, user, errors=[FieldError(str(exc), exc.field)])
    detail = f"{user.principal.name}/{label}: expires in {days} days"
    events.record(
        session,
        AccessEventKind.TOKEN_CREATED,
        web.actor(request, user),
        role=_role(role),
        detail=detail,
    )
    session.commit()
    return _page(request, session, user, made=token)


@router.post("/tokens/{token_id}/revoke")
def revoke(
    request: Request, session: SessionDep, token_id: TokenId, user: web.User, _form: web.CheckedForm
) -> Response:
    try:
        found = personal.revoke_personal(session, user.principal.name, token_id)
    except personal.PersonalTokenError as exc:
        return _page(request, session, user, errors=[FieldError(str(exc))])
    events.record(
        session, AccessEventKind.TOKEN_REVOKED, web.actor(request, user), detail=found.name
    )
    session.commit()
    return RedirectResponse("/tokens?revoked=1", status_code=303)


def _role(text: str) -> Role:
    try:
        return Role(text)
    except ValueError:
        raise personal.PersonalTokenError("Choose a role for the token.", "role") from None


def _days(text: str) -> int:
    if not text.isdigit() or len(text) > 6:
        raise personal.PersonalTokenError("Enter the token's lifetime in whole days.", "days")
    return int(text)
