"""The capital assets team's decommission review: candidates with their evidence, a decision
with a note on each, and the same CSV and XLSX exports as the API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, ValidationError
from sqlmodel import Session
from starlette.datastructures import FormData

from api.deps import SessionDep
from api.export import ExportFormat
from api.routes.decommission import export_candidates
from api.web import session as web
from api.web.params import Problems, as_at_of, choice, offset_of
from api.web.templating import FieldError, render, started
from estate.access.sessions import SignedIn
from estate.config import Settings
from estate.db import paging
from estate.db.paging import BadQuery
from estate.history.as_at import Moment
from estate.history.changelog import Actor
from estate.migration import decommission, decommission_at
from estate.migration.decommission import Candidate, CandidateQuery
from estate.models.base import utcnow
from estate.status import DecommissionDecision, MigrationStatus, Permission
from estate.writes import Invalid, WriteError

router = APIRouter(include_in_schema=False, dependencies=[Depends(started)])
PER_PAGE = 50
Text = Annotated[str | None, Query()]
ServerId = Annotated[int, Path(ge=1, le=paging.MAX_ID)]
STATUSES = (
    MigrationStatus.DECOMMISSION_CANDIDATE,
    MigrationStatus.DECOMMISSION_APPROVED,
    MigrationStatus.DECOMMISSIONED,
    MigrationStatus.MIGRATED,
    MigrationStatus.RETIRED,
)


class Filters:
    """The list's filters as given, checked one by one so a bad one is named and dropped."""

    def __init__(self, status: str | None, decision: str | None, offset: str | None) -> None:
        self.problems = Problems()
        self.status = choice(status, MigrationStatus, "status", self.problems)
        self.decision = choice(decision, DecommissionDecision, "decision", self.problems)
        self.offset = offset_of(offset, "offset", self.problems)
        # As at the end of a past day (read-only: nothing is reviewed in the past).
        self.moment: Moment | None = None

    def candidates(self, limit: int = PER_PAGE) -> CandidateQuery:
        return CandidateQuery(
            status=self.status, decision=self.decision, limit=limit, offset=self.offset
        )

    def query(self, **extra: object) -> str:
        values = {"status": self.status, "decision": self.decision, **extra}
        return urlencode({k: str(v) for k, v in values.items() if v not in (None, "", 0)})


def _page(
    request: Request,
    session: Session,
    user: SignedIn,
    filters: Filters,
    notice: str | None = None,
    errors: list[FieldError] | None = None,
) -> Response:
    query = filters.candidates(PER_PAGE)
    if filters.moment is None:
        page = decommission.list_candidates(session, query)
    else:
        page = decommission_at.list_candidates_at(session, query, filters.moment)
    shown = errors or filters.problems.errors
    settings = web.settings_of(request)
    context = {
        "title": "Decommission review",
        "section": "/decommission",
        "candidates": page.items,
        "total": page.total,
        "filters": filters,
        "statuses": STATUSES,
        "decisions": list(DecommissionDecision),
        "per_page": PER_PAGE,
        "may_review": user.principal.may(Permission.DECOMMISSION) and filters.moment is None,
        "as_at": filters.moment.day if filters.moment else None,
        "today": settings.today(),
        "notice": notice,
        "errors": shown,
    }
    return render(
        request, "decommission.html", context, user=user, status_code=400 if shown else 200
    )


@router.get("/decommission")
def decommission_page(
    request: Request,
    session: SessionDep,
    user: web.User,
    status: Text = None,
    decision: Text = None,
    offset: Text = None,
    done: Text = None,
    as_at: Text = None,
) -> Response:
    filters = Filters(status, decision, offset)
    filters.moment = as_at_of(as_at, web.settings_of(request), filters.problems)
    changed = None
    if done and done.isdigit() and int(done) <= paging.MAX_ID:
        changed = decommission.get_candidate(session, int(done))
    return _page(request, session, user, filters, _announce(changed))


def _announce(candidate: Candidate | None) -> str | None:
    """What the last form did, said where a screen reader hears it (role=status)."""
    if candidate is None or candidate.decision is None:
        return None
    name = candidate.hostname or candidate.server_id
    if candidate.removed_on is not None:
        return f"Recorded: {name} removed on {candidate.removed_on:%d %b %Y}."
    return f"Recorded: {candidate.decision.value} for {name}."


@router.get("/decommission/export.{format}")
def decommission_export(
    session: SessionDep,
    _user: web.User,
    format: ExportFormat,
    status: Text = None,
    decision: Text = None,
) -> Response:
    """The list as the API exports it (?format=csv|xlsx), for people without a token at hand."""
    filters = Filters(status, decision, None)
    if format == ExportFormat.JSON or filters.problems.errors:
        raise web.PageForbidden("Only CSV and XLSX exports of valid filters exist.", 404)
    return export_candidates(session, filters.candidates(), format)


Act = Callable[[Session, Settings, Actor, int, Any], Candidate]
LABELS = {
    "decision": "decision",
    "note": "note",
    "removed_on": "date it was removed",
    "disposal_reference": "disposal reference",
    "data_sanitisation_reference": "data sanitisation reference",
}


def _submit(
    request: Request,
    session: Session,
    server_id: int,
    user: SignedIn,
    form: FormData,
    model: type[BaseModel],
    act: Act,
) -> Response:
    """Check the form with the API's body model, make the change through the same estate
    function, then back to the list (where the change is announced) or the list with errors."""
    filters = Filters(
        _text(form.get("status")), _text(form.get("decision_filter")), _text(form.get("offset"))
    )
    given = {name: (_text(form.get(name)) or "").strip() for name in model.model_fields}
    actor = web.actor(request, user)
    try:
        body = model.model_validate({k: v for k, v in given.items() if v})
        act(session, web.settings_of(request), actor, server_id, body)
    except ValidationError as exc:
        errors = [_field_error(error, server_id) for error in exc.errors()]
        return _page(request, session, user, filters, errors=errors)
    except Invalid as exc:
        session.rollback()
        field = f"{exc.loc[-1]}-{server_id}"
        return _page(request, session, user, filters, errors=[FieldError(str(exc), field)])
    except (WriteError, BadQuery) as exc:
        session.rollback()
        return _page(request, session, user, filters, errors=[FieldError(str(exc))])
    session.commit()
    back = filters.query(offset=filters.offset, done=server_id)
    return RedirectResponse(f"/decommission?{back}#server-{server_id}", status_code=303)


def _complete(
    session: Session, settings: Settings, actor: Actor, server_id: int, body: Any
) -> Candidate:
    return decommission.complete(session, settings, actor, server_id, body, utcnow().date())


@router.post("/decommission/{server_id}/review")
def review(
    request: Request,
    session: SessionDep,
    server_id: ServerId,
    user: Annotated[SignedIn, web.may(Permission.DECOMMISSION)],
    form: web.CheckedForm,
) -> Response:
    """Approve, reject or defer, with a note."""
    act: Act = decommission.review
    return _submit(request, session, server_id, user, form, decommission.ReviewIn, act)


@router.post("/decommission/{server_id}/complete")
def complete(
    request: Request,
    session: SessionDep,
    server_id: ServerId,
    user: Annotated[SignedIn, web.may(Permission.DECOMMISSION)],
    form: web.CheckedForm,
) -> Response:
    """Record an approved server's removal, disposal and data sanitisation."""
    return _submit(request, session, server_id, user, form, decommission.CompleteIn, _complete)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _field_error(error: Any, server_id: int) -> FieldError:
    field = str(error["loc"][0]) if error.get("loc") else "decision"
    label = LABELS.get(field, field)
    if field == "decision":
        message = f"Choose approve, reject or defer for server {server_id}."
    elif error.get("type") == "missing":
        message = f"Enter the {label} for server {server_id}."
    else:
        message = f"The {label} for server {server_id}: {error.get('msg', 'is not valid')}."
    return FieldError(message, f"{field}-{server_id}")
