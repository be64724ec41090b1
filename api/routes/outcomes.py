"""The strategy's outcomes: how many migrated workloads are resilient, flexible and efficient."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.cache import kept_json
from api.deps import AsAt, SessionDep
from estate.migration import outcomes
from estate.migration.as_at import OutcomesAt, outcomes_at

router = APIRouter(tags=["migration"])


@router.get("/outcomes", response_model=outcomes.Outcomes | OutcomesAt)
def get_outcomes(request: Request, session: SessionDep, moment: AsAt) -> Response:
    """Migrated workloads (those that name the on-premise server they replaced, not ended or
    gone), overall and per application, wave, strategy and site of that server: how many are
    resilient, flexible and efficient (and not, and not known), oversized and idle. Each count's
    workloads are `GET /workloads?migrated=true&resilient=false` and so on. As at a day, counted
    from the workloads and servers as they stood then (`source` says from what)."""
    if moment is not None:
        body = outcomes_at(session, moment).model_dump_json()
        return Response(body, media_type="application/json")
    return kept_json(request, session, "outcomes", lambda: outcomes.read(session))
