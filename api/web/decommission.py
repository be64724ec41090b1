"""The capital assets team's decommission review: candidates with their evidence, a decision
with a note on each, and the same CSV and XLSX exports as the API."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import Session

from api.deps import SessionDep
from api.export import ExportFormat, export_rows
from api.routes.decommission import EXPORT_COLUMNS
from api.web import session as web
from api.web.params import Problems, choice, offset_of
from api.web.templating import FieldError, render, started
from estate import decommission, inventory, migration
from estate.inventory import BadQuery
from estate.models.status import DecommissionDecision, MigrationStatus, Permission
from estate.plans import PlanError
from estate.web_sessions import SignedIn

router = APIRouter(include_in_schema=False, dependencies=[Depends(started)])
PER_PAGE = 50
Text = Annotated[str | None, Query()]
ServerId = Annotated[int, Path(ge=1, le=inventory.MAX_ID)]
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
    page = decommission.list_candidates(
        session,
        status=filters.status,
        decision=filters.decision,
        limit=PER_PAGE,
        offset=filters.offset,
    )
    shown = errors or filters.problems.errors
    context = {
        "title": "Decommission review",
        "section": "/decommission",
        "candidates": page.items,
        "total": page.total,
        "filters": filters,
        "statuses": STATUSES,
        "decisions": list(DecommissionDecision),
        "per_page": PER_PAGE,
        "may_review": user.principal.may(Permission.DECOMMISSION),
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
    reviewed: Text = None,
) -> Response:
    filters = Filters(status, decision, offset)
    notice = None
    if reviewed and reviewed.isdigit() and int(reviewed) <= inventory.MAX_ID:
        done = decommission.get_candidate(session, int(reviewed))
        if done is not None and done.decision is not None:
            notice = f"Recorded: {done.decision.value} for {done.hostname or done.server_id}."
    return _page(request, session, user, filters, notice)


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
    rows = decommission.iter_candidates(session, status=filters.status, decision=filters.decision)
    return export_rows(
        (c.model_dump() for c in rows), EXPORT_COLUMNS, format, "decommission-candidates"
    )


@router.post("/decommission/{server_id}/review")
def review(
    request: Request,
    session: SessionDep,
    server_id: ServerId,
    user: Annotated[SignedIn, web.may(Permission.DECOMMISSION)],
    form: web.CheckedForm,
) -> Response:
    filters = Filters(
        _text(form.get("status")), _text(form.get("decision_filter")), _text(form.get("offset"))
    )
    note = (_text(form.get("note")) or "").strip() or None
    try:
        body = decommission.ReviewIn.model_validate(
            {"decision": _text(form.get("decision")), "note": note}
        )
        decommission.review(session, web.actor(request, user), server_id, body)
    except ValidationError as exc:
        errors = [_field_error(error, server_id) for error in exc.errors()]
        return _page(request, session, user, filters, errors=errors)
    except (PlanError, BadQuery) as exc:
        session.rollback()
        return _page(request, session, user, filters, errors=[FieldError(str(exc))])
    migration.refresh(
        session, web.settings_of(request), server_ids=[server_id], actor=web.actor(request, user)
    )
    session.commit()
    back = filters.query(offset=filters.offset, reviewed=server_id)
    return RedirectResponse(f"/decommission?{back}#server-{server_id}", status_code=303)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _field_error(error: object, server_id: int) -> FieldError:
    details = error if isinstance(error, dict) else {}
    field = str(details.get("loc", ("decision",))[0])
    label = "Decision" if field == "decision" else "Note"
    message = f"{label} for server {server_id}: {details.get('msg', 'is not valid')}"
    if field == "decision":
        message = f"Choose approve, reject or defer for server {server_id}."
    return FieldError(message, f"{field}-{server_id}")
