"""The people's part of the demo council's story, written through the estate functions the API
calls: the cloud programme's waves and 7R strategies, a server assignment CSV as the API's
upload takes it, and the capital assets team's monthly decommission reviews."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from api.cli import demo_story as story
from estate.config import Settings
from estate.history.changelog import Actor
from estate.migration import decommission
from estate.migration.assignments import assign, parse_csv
from estate.migration.plans import (
    ApplicationUpdate,
    WaveCreate,
    create_wave,
    resolve_applications,
    update_application,
)
from estate.status import DecommissionDecision, MigrationStatus

PROGRAMME = "cloud-programme"
ASSETS = "capital-assets"
# Every this-many-th candidate reviewed is deferred; the first of the Council Tax servers kept.
DEFER_EVERY = 9
KEPT_FOR_YEAR_END = "nbc-ctax-db"
# Months from approval to removal (the contractor's collection round).
REMOVED_AFTER = 3


def plan_migration(session: Session, settings: Settings, first: date, unplanned: list[str]) -> None:
    """The waves with their planned dates, each application's strategy and wave, and the
    servers no application plans for (`unplanned`, host names) put in the last wave by an
    assignment CSV."""
    actor = Actor(PROGRAMME, "demo-plan")
    waves = [
        create_wave(
            session,
            actor,
            WaveCreate(
                name=name,
                planned_start=story.month(first, start),
                planned_end=story.month(first, end),
            ),
        ).id
        for name, start, end in story.WAVES
    ]
    apps = resolve_applications(session, story.PLAN, ("demo", "applications"))
    for name, (strategy, wave) in sorted(story.PLAN.items()):
        data = ApplicationUpdate(strategy=strategy, wave_id=waves[wave - 1] if wave else None)
        update_application(session, settings, actor, apps[name], data)
    last = story.WAVES[-1][0]
    text = "server,wave\n" + "".join(f"{host},{last}\n" for host in sorted(unplanned))
    assign(session, settings, actor, parse_csv(text))


def retire_hosts(session: Session, settings: Settings) -> None:
    """The ESXi hosts the first three waves emptied, retired by an assignment CSV."""
    rows = [f"{host},retire,emptied by waves 1 to 3" for host in story.RETIRED_HOSTS]
    text = "server,strategy,notes\n" + "\n".join(rows) + "\n"
    assign(session, settings, Actor(PROGRAMME, "demo-retire-hosts"), parse_csv(text))


class Reviews:
    """The capital assets team's monthly round: a candidate a month old is approved (some
    deferred, one rejected), an approval three months old is removed with its references."""

    def __init__(self, first: date) -> None:
        self.first = first
        self.seen: dict[int, int] = {}  # server id -> month first listed as a candidate
        self.approved: dict[int, int] = {}  # server id -> month approved
        self.removed = 0

    def month(self, session: Session, settings: Settings, n: int) -> None:
        """The round of month n, written as one batch (one status refresh for the round)."""
        actor = Actor(ASSETS, f"demo-review-{n:02d}")
        listed = list(decommission.iter_candidates(session))
        for candidate in listed:
            self.seen.setdefault(candidate.server_id, n)
        steps: list[tuple[int, decommission.ReviewIn | decommission.CompleteIn]] = []
        for candidate in listed:
            status, server_id = candidate.migration_status, candidate.server_id
            waited = n - self.seen[server_id] >= 1 and candidate.decision is None
            if status == MigrationStatus.DECOMMISSION_CANDIDATE and waited:
                steps.append((server_id, self._decide(candidate, n)))
            elif status == MigrationStatus.DECOMMISSION_APPROVED and self._collected(server_id, n):
                steps.append((server_id, self._remove(n)))
        decommission.review_many(session, settings, actor, steps, story.month(self.first, n))

    def _collected(self, server_id: int, n: int) -> bool:
        return n - self.approved.get(server_id, n) >= REMOVED_AFTER

    def _decide(self, candidate: decommission.Candidate, n: int) -> decommission.ReviewIn:
        hostname = candidate.hostname or ""
        if hostname.startswith(KEPT_FOR_YEAR_END):
            decision, note = DecommissionDecision.REJECT, "kept for the year-end close"
        elif candidate.server_id % DEFER_EVERY == 0:
            decision, note = DecommissionDecision.DEFER, "records retention check first"
        else:
            decision, note = DecommissionDecision.APPROVE, None
        if decision == DecommissionDecision.APPROVE:
            self.approved[candidate.server_id] = n
        return decommission.ReviewIn(decision=decision, note=note)

    def _remove(self, n: int) -> decommission.CompleteIn:
        day = story.month(self.first, n)
        self.removed += 1
        return decommission.CompleteIn(
            removed_on=day,
            disposal_reference=f"NBC-WEEE-{day.year}-{self.removed:04d}",
            data_sanitisation_reference=f"NBC-SAN-{day.year}-{self.removed:04d}",
        )
