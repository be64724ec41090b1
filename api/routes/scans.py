"""Scan requests: queued here by the API, run by a scheduler (never inside a web worker)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path
from fastapi.responses import JSONResponse

from api.auth import CurrentActor, require
from api.deps import Limit, Offset, SessionDep, SettingsDep, Sort
from api.schemas import Page
from estate import scan_requests
from estate.inventory import MAX_ID
from estate.models import ScanRequest
from estate.models.scan_request import RequestStatus, ScanRequestCreate, ScanRequestPublic
from estate.models.status import Permission

router = APIRouter(tags=["scans"])


@router.post(
    "/scans",
    status_code=202,
    response_model=ScanRequestPublic,
    dependencies=[Depends(require(Permission.SCAN))],
    responses={422: {"description": "No such source, or it is disabled."}},
)
def request_scan(
    body: ScanRequestCreate, session: SessionDep, settings: SettingsDep, actor: CurrentActor
) -> ScanRequestPublic | JSONResponse:
    """Queue a scan of a source; a scheduler picks it up within `scheduler.request_poll_seconds`."""
    try:
        request = scan_requests.request_scan(session, settings, body.source, actor)
    except scan_requests.UnknownSource as exc:
        detail = [{"loc": ["body", "source"], "msg": str(exc), "type": "value_error"}]
        return JSONResponse(status_code=422, content={"detail": detail})
    session.commit()
    return ScanRequestPublic.model_validate(request)


@router.get("/scans/requests", response_model=Page[ScanRequestPublic])
def list_scan_requests(
    session: SessionDep,
    source: str | None = None,
    status: RequestStatus | None = None,
    sort: Sort = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[ScanRequestPublic]:
    """Scan requests, newest first: queued, running, done (with their run) or failed."""
    page = scan_requests.list_requests(
        session, source=source, status=status, sort=sort, limit=limit, offset=offset
    )
    items = [ScanRequestPublic.model_validate(r) for r in page.items]
    return Page(items=items, total=page.total, limit=limit, offset=offset)


@router.get("/scans/requests/{request_id}", response_model=ScanRequestPublic)
def get_scan_request(
    session: SessionDep, request_id: Annotated[int, Path(ge=1, le=MAX_ID)]
) -> ScanRequestPublic:
    request = session.get(ScanRequest, request_id)
    if request is None:
        raise HTTPException(404, f"no scan request with id {request_id}")
    return ScanRequestPublic.model_validate(request)
