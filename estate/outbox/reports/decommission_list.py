"""The decommission list for the capital assets team, with the whole list as an XLSX attachment.

From estate.decommission: every candidate with the rule's evidence, and every server the team
has reviewed, whatever the decision, with removal and disposal once recorded. `rows()` is the
one place that reads it.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from sqlmodel import Session

from estate.config import Settings
from estate.files import Column, xlsx_bytes
from estate.migration.decommission import Candidate, iter_candidates
from estate.migration.figure_links import API
from estate.models.base import utcnow
from estate.outbox.mail import Attachment, Email
from estate.outbox.reports.base import XLSX, ReportOptions, local_time, local_zone, render_parts

COLUMNS = (
    "Host name",
    "Serial",
    "Asset tag",
    "Kind",
    "Site",
    "Room",
    "Rack",
    "Rack unit",
    "Rack units",
    "Power (W)",
    "Applications",
    "Status",
    "Evidence",
    "Decision",
    "Note",
    "Reviewed by",
    "Reviewed at",
    "Removed on",
    "Disposal reference",
    "Data sanitisation reference",
)
# Listed in the email body; the attachment has them all.
SHOWN = 50


def rows(session: Session) -> list[Candidate]:
    return list(iter_candidates(session))


def awaiting_review(candidate: Candidate) -> bool:
    return candidate.decision is None and candidate.removed_on is None


class DecommissionList:
    name: ClassVar[str] = "decommission-list"
    title: ClassVar[str] = "Decommission list"

    class Options(ReportOptions):
        pass

    def render(self, session: Session, settings: Settings, today: date) -> Email:
        listed = rows(session)
        waiting = [c for c in listed if awaiting_review(c)]
        by_status = Counter(str(c.migration_status) for c in listed)
        subject = (
            f"Decommission list {today:%d %b %Y}: {len(listed)} servers, "
            f"{len(waiting)} awaiting review"
        )
        text, html = render_parts(
            "decommission_list",
            {
                "subject": subject,
                "title": self.title,
                "report": self.name,
                "council_day": f"{today:%A %d %B %Y}",
                "count": len(listed),
                "by_status": sorted(by_status.items()),
                "waiting": waiting[:SHOWN],
                "waiting_count": len(waiting),
                "as_at": local_time(utcnow(), settings),
                "public_url": settings.web.public_url,
                "page": "/decommission",
                "rows": f"{API}/decommission/candidates",
            },
        )
        zone = local_zone(settings)
        columns = [Column(h, h) for h in COLUMNS]
        data = xlsx_bytes("Decommission", today, columns, (_cells(c, zone) for c in listed))
        attachment = Attachment(f"decommission-list-{today:%Y-%m-%d}.xlsx", XLSX, data)
        return Email(subject, text, html, (attachment,))


def _cells(c: Candidate, zone: ZoneInfo) -> list[Any]:
    return [
        c.hostname,
        c.serial,
        c.asset_tag,
        c.kind,
        c.site,
        c.room,
        c.rack,
        c.rack_unit,
        c.rack_units,
        c.power_watts,
        ", ".join(c.applications),
        str(c.migration_status),
        "; ".join(c.evidence),
        str(c.decision) if c.decision else None,
        c.note,
        c.reviewer,
        _local(c.reviewed_at, zone),
        c.removed_on,
        c.disposal_reference,
        c.data_sanitisation_reference,
    ]


def _local(value: datetime | None, zone: ZoneInfo) -> datetime | None:
    # Excel has no time zones: the council's local time, naive.
    return value.astimezone(zone).replace(tzinfo=None, microsecond=0) if value else None
