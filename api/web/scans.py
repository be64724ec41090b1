"""Scans: each source's last run and recent failures, and "scan now" for infra."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from api.deps import SessionDep
from api.web import session as web
from api.web.templating import FieldError, render, started
from estate.access.sessions import SignedIn
from estate.models.base import utcnow
from estate.operations import requests
from estate.operations.runs import last_ok, last_runs
from estate.outbox.reports.scan_health import problem_runs
from estate.status import Permission

router = APIRouter(include_in_schema=False, dependencies=[Depends(started)])
FAILURE_DAYS = 7
RECENT_REQUESTS = 10
SourceName = Annotated[str, Path(max_length=100)]


def _page(
    request: Request,
    session: Session,
    user: SignedIn,
    notice: str | None = None,
    errors: list[FieldError] | None = None,
) -> Response:
    settings = web.settings_of(request)
    failures, more = problem_runs(session, settings, utcnow() - timedelta(days=FAILURE_DAYS))
    queued = requests.list_requests(session, requests.ScanRequestQuery(limit=RECENT_REQUESTS))
    context = {
        "title": "Scans",
        "section": "/scans",
        "sources": settings.sources,
        "runs": last_runs(session),
        "last_ok": last_ok(session),
        "failures": failures,
        "more_failures": more,
        "failure_days": FAILURE_DAYS,
        "requests": queued.items,
        "may_scan": user.principal.may(Permission.SCAN),
        "notice": notice,
        "errors": errors or [],
    }
    return render(request, "scans.html", context, user=user, status_code=400 if errors else 200)


@router.get("/scans")
def scans_page(request: Request, session: SessionDep, user: web.User) -> Response:
    queued = request.query_params.get("queued")
    known = {source.name for source in web.settings_of(request).sources}
    notice = None
    if queued in known:
        notice = f"A scan of {queued} is queued: a scheduler starts it shortly."
    return _page(request, session, user, notice)


@router.post("/scans/{source}")
def scan_now(
    request: Request,
    session: SessionDep,
    source: SourceName,
    user: Annotated[SignedIn, web.may(Permission.SCAN)],
    _form: web.CheckedForm,
) -> Response:
    try:
        requests.request_scan(session, web.settings_of(request), source, web.actor(request, user))
    except requests.UnknownSource as exc:
        return _page(request, session, user, errors=[FieldError(str(exc))])
    session.commit()
    return RedirectResponse(f"/scans?queued={source}", status_code=303)
