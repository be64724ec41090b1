"""Scan requests: queued here by the API, run by a scheduler (never inside a web worker)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import JSONResponse

from api.auth import CurrentActor, require
from api.deps import SessionDep, SettingsDep, found
from api.schemas import Page
from estate.db.paging import MAX_ID
from estate.models.scan_request import ScanRequestCreate, ScanRequestPublic
from estate.operations import requests
from estate.status import Permission

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
        request = requests.request_scan(session, settings, body.source, actor)
    except requests.UnknownSource as exc:
        detail = [{"loc": ["body", "source"], "msg": str(exc), "type": "value_error"}]
        return JSONResponse(status_code=422, content={"detail": detail})
    session.commit()
    return ScanRequestPublic.model_validate(request)


@router.get("/scans/requests", response_model=Page[ScanRequestPublic])
def list_scan_requests(
    session: SessionDep, query: Annotated[requests.ScanRequestQuery, Query()]
) -> Page[ScanRequestPublic]:
    """Scan requests, newest first: queued, running, done (with their run) or failed."""
    return Page.of(requests.list_requests(session, query))


@router.get("/scans/requests/{request_id}", response_model=ScanRequestPublic)
def get_scan_request(
    session: SessionDep, request_id: Annotated[int, Path(ge=1, le=MAX_ID)]
) -> ScanRequestPublic:
    return found(
        requests.scan_request(session, request_id), f"no scan request with id {request_id}"
    )
