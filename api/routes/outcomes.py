"""The strategy's outcomes: how many migrated workloads are resilient, flexible and efficient."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.cache import kept_json
from api.deps import SessionDep
from estate.migration import outcomes

router = APIRouter(tags=["migration"])


@router.get("/outcomes", response_model=outcomes.Outcomes)
def get_outcomes(request: Request, session: SessionDep) -> Response:
    """Migrated workloads (those that name the on-premise server they replaced, not ended or
    gone), overall and per application, wave, strategy and site of that server: how many are
    resilient, flexible and efficient (and not, and not known), oversized and idle. Each count's
    workloads are `GET /workloads?migrated=true&resilient=false` and so on."""
    return kept_json(request, session, "outcomes", lambda: outcomes.read(session))
