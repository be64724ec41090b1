"""Scan requests: queued here by the API, run by a scheduler (never inside a web worker)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import Response

from api.auth import CurrentActor, require
from api.deps import SessionDep, SettingsDep, found
from api.errors import answers
from api.schemas import Page
from estate.db.paging import MAX_ID
from estate.models.scan_request import ScanRequestCreate, ScanRequestPublic
from estate.operations import requests
from estate.status import Permission
from estate.writes import Invalid

router = APIRouter(tags=["scans"])
# A queued request is followed at its own address, not at a run's (it has none yet).
QUEUED_LINKS = {
    "GetScanRequest": {
        "operationId": "get_scan_request",
        "parameters": {"request_id": "$response.body#/id"},
    }
}


@router.post(
    "/scans",
    status_code=202,
    response_model=ScanRequestPublic,
    dependencies=[Depends(require(Permission.SCAN))],
    responses={202: {"links": QUEUED_LINKS}, **answers(400, 403, 413)},
)
def request_scan(
    body: ScanRequestCreate,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
    actor: CurrentActor,
) -> ScanRequestPublic:
    """Queue a scan of a source (422: no such source, or it is disabled); a scheduler picks it
    up within `scheduler.request_poll_seconds`. Follow it at `Location`, the scan request (its
    run, once it has one, is `/scans/{run_id}`)."""
    try:
        request = requests.request_scan(session, settings, body.source, actor)
    except requests.UnknownSource as exc:
        raise Invalid(("body", "source"), str(exc)) from None
    session.commit()
    response.headers["Location"] = f"/api/v1/scans/requests/{request.id}"
    return ScanRequestPublic.model_validate(request)


@router.get("/scans/requests", response_model=Page[ScanRequestPublic])
def list_scan_requests(
    session: SessionDep, query: Annotated[requests.ScanRequestQuery, Query()]
) -> Page[ScanRequestPublic]:
    """Scan requests, newest first: queued, running, done (with their run) or failed."""
    return Page.of(requests.list_requests(session, query))


@router.get(
    "/scans/requests/{request_id}",
    response_model=ScanRequestPublic,
    responses=answers(404),
    operation_id="get_scan_request",
)
def get_scan_request(
    session: SessionDep, request_id: Annotated[int, Path(ge=1, le=MAX_ID)]
) -> ScanRequestPublic:
    return found(
        requests.scan_request(session, request_id),
        f"no scan request with id {request_id}",
        "request_id",
    )
