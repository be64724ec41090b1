"""Migration progress as at a past day, counted from the servers rebuilt from the change log
exactly as the kept progress is counted from the servers table."""

from __future__ import annotations

from datetime import date
from typing import Literal

from sqlalchemy.orm import Session

from estate.history.as_at import Moment
from estate.inventory.as_at import servers_at
from estate.migration import progress


class ProgressAt(progress.Progress):
    """The progress at the end of `as_at`, and where it was read from: `history` (the servers
    rebuilt from the change log; the kept daily snapshots hold only totals, waves and sites,
    not strategies or applications, so they cannot give the whole answer)."""

    as_at: date
    source: Literal["snapshot", "history"] = "history"


def progress_at(session: Session, moment: Moment) -> ProgressAt:
    counts, apps = progress.count(session, servers_at(session, moment), progress.LINKS)
    found = progress.assemble(session, counts, apps, None)
    return ProgressAt(as_at=moment.day, **found.model_dump())
