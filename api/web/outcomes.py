"""The Outcomes page: how many migrated workloads are resilient, flexible and efficient, by
application and wave, and the workloads that fall short with their reasons.

The figures are `GET /outcomes`'s and the workloads listed are `GET /workloads`'s with the
same filters (`?migrated=true&resilient=false` and so on), so each count can be followed to
the rows behind it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from api.deps import SessionDep
from api.web import charts
from api.web.params import Problems, offset_of
from api.web.session import User
from api.web.templating import render, started
from estate.inventory.servers import hostnames
from estate.inventory.workloads import WorkloadQuery, list_workloads
from estate.migration import outcomes
from estate.migration.outcome_rules import shortfall
from estate.models.workload import WorkloadPublic

router = APIRouter(include_in_schema=False, dependencies=[Depends(started)])
PER_PAGE = 50
Text = Annotated[str | None, Query()]
Answer = bool | Literal["unknown"]


@dataclass(frozen=True)
class Shown:
    """A choice of shortfall: which outcome, the answer listed, and the evidence that says why."""

    label: str
    outcome: str
    answer: Answer
    evidence: str

    def query(self, limit: int, offset: int) -> WorkloadQuery:
        return WorkloadQuery.model_validate(
            {"migrated": True, self.outcome: self.answer, "sort": "name", "limit": limit,
             "offset": offset}
        )  # fmt: skip

    @property
    def api(self) -> str:
        answer = self.answer if isinstance(self.answer, str) else str(self.answer).lower()
        return f"/api/v1/workloads?migrated=true&{self.outcome}={answer}"


SHOWN = {
    "not-resilient": Shown("Not resilient", "resilient", False, "resilient"),
    "not-flexible": Shown("Not flexible", "flexible", False, "flexible"),
    "not-efficient": Shown("Not efficient", "efficient", False, "efficient"),
    "oversized": Shown("Oversized", "oversized", True, "efficient"),
    "idle": Shown("Idle", "idle", True, "efficient"),
    "resilient-unknown": Shown("Resilience not known", "resilient", "unknown", "resilient"),
    "flexible-unknown": Shown("Flexibility not known", "flexible", "unknown", "flexible"),
    "efficient-unknown": Shown("Efficiency not known", "efficient", "unknown", "efficient"),
}
DEFAULT = "not-resilient"


@dataclass(frozen=True)
class ShortRow:
    workload: WorkloadPublic
    came_from: str | None
    reasons: list[str]


def _chosen(given: str | None, problems: Problems) -> str:
    if not given or given in SHOWN:
        return given or DEFAULT
    allowed = ", ".join(SHOWN)
    problems.add(f"show must be one of {allowed}; showing {DEFAULT}.", "show")
    return DEFAULT


def _rows(session: Session, shown: Shown, items: list[WorkloadPublic]) -> list[ShortRow]:
    origins = sorted({w.migrated_from_server_id for w in items if w.migrated_from_server_id})
    named = hostnames(session, origins)
    return [
        ShortRow(
            w,
            named.get(w.migrated_from_server_id) if w.migrated_from_server_id else None,
            shortfall(w.outcome_evidence, shown.evidence),
        )
        for w in items
    ]


@router.get("/outcomes")
def outcomes_page(
    request: Request, session: SessionDep, user: User, show: Text = None, offset: Text = None
) -> Response:
    problems = Problems()
    key = _chosen(show, problems)
    start = offset_of(offset, "offset", problems)
    shown = SHOWN[key]
    found = outcomes.read(session)
    total = found.total
    page = list_workloads(session, shown.query(PER_PAGE, start))
    share = charts.bar_chart(
        ["Resilient", "Flexible", "Efficient"],
        [total.percent_resilient, total.percent_flexible, total.percent_efficient],
        top=100.0,
    )
    context = {
        "title": "Outcomes",
        "section": "/outcomes",
        "outcomes": found,
        "share_chart": share,
        "shown": shown,
        "show": key,
        "choices": SHOWN,
        "rows": _rows(session, shown, page.items),
        "total": page.total,
        "offset": start,
        "per_page": PER_PAGE,
        "errors": problems.errors,
    }
    return render(request, "outcomes.html", context, user=user, status_code=problems.status)
