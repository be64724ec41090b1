"""Devices due for replacement: overdue, this financial quarter and next financial year, with
counts and costs per period and the devices as an XLSX attachment (real dates, money in £).

Reads the due dates estate.devices keeps on the devices table (`due_devices()`); who holds
a device is personal data and never goes into this email.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, ClassVar

from sqlalchemy import select
from sqlmodel import Session, col

from estate.config import ReplacementSettings, Settings
from estate.devices.forecast import DeviceFilter, device_filter_clauses, forecast
from estate.devices.quarters import financial_quarter
from estate.files import DATE, MONEY, Column, xlsx_bytes
from estate.models import Device, Site
from estate.outbox.mail import Attachment, Email
from estate.outbox.reports.base import XLSX, ReportOptions, options_for, render_parts

COLUMNS = (
    Column("period", "Period"),
    Column("due_on", "Due on", DATE),
    Column("asset_tag", "Asset tag"),
    Column("hostname", "Host name"),
    Column("serial", "Serial"),
    Column("type", "Type"),
    Column("manufacturer", "Manufacturer"),
    Column("model", "Model"),
    Column("os", "Operating system"),
    Column("department", "Department"),
    Column("site", "Site"),
    Column("purchased_on", "Purchased on", DATE),
    Column("purchase_cost", "Purchase cost", MONEY),
    # What the forecast counts: the type's unit cost, else the purchase cost.
    Column("replacement_cost", "Replacement cost", MONEY),
    Column("reasons", "Reasons"),
)


@dataclass(frozen=True)
class Period:
    label: str
    start: date | None
    end: date


@dataclass(frozen=True)
class PeriodTotal:
    label: str
    count: int
    cost: float
    uncosted: int


def periods(today: date) -> list[Period]:
    """Overdue (before this quarter), this financial quarter, and next financial year."""
    quarter_start = date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
    quarter_end = _add_months(quarter_start, 3) - timedelta(days=1)
    year_start = today.year if today.month >= 4 else today.year - 1
    year, quarter = financial_quarter(today)
    next_year, _ = financial_quarter(date(year_start + 1, 4, 1))
    return [
        Period("overdue", None, quarter_start - timedelta(days=1)),
        Period(f"this quarter ({year} {quarter})", quarter_start, quarter_end),
        Period(
            f"next financial year ({next_year})",
            date(year_start + 1, 4, 1),
            date(year_start + 2, 3, 31),
        ),
    ]


def _add_months(day: date, months: int) -> date:
    index = day.month - 1 + months
    return date(day.year + index // 12, index % 12 + 1, 1)


class DeviceReplacement:
    name: ClassVar[str] = "device-replacement"
    title: ClassVar[str] = "Devices due for replacement"

    class Options(ReportOptions):
        include_overdue: bool = True

    def render(self, session: Session, settings: Settings, today: date) -> Email:
        options = options_for(self.Options, self.name, settings)
        chosen = [p for p in periods(today) if options.include_overdue or p.start is not None]
        policy: ReplacementSettings = (
            getattr(settings, "replacement", None) or ReplacementSettings()
        )
        totals = [_total(session, period, policy) for period in chosen]
        rows = [row for period in chosen for row in due_devices(session, period, policy)]
        subject = f"Device replacement {today:%d %b %Y}: " + ", ".join(
            f"{t.count} {t.label.split(' (')[0]}" for t in totals
        )
        text, html = render_parts(
            "device_replacement",
            {
                "subject": subject,
                "title": self.title,
                "report": self.name,
                "council_day": f"{today:%A %d %B %Y}",
                "totals": totals,
                "count": len(rows),
                "as_at": f"{today:%d %b %Y}",
                "public_url": settings.web.public_url,
                "page": "/devices",
            },
        )
        data = xlsx_bytes("Devices due", today, COLUMNS, rows)
        attachment = Attachment(f"devices-due-{today:%Y-%m-%d}.xlsx", XLSX, data)
        return Email(subject, text, html, (attachment,))


def due_devices(session: Session, period: Period, policy: ReplacementSettings) -> list[list[Any]]:
    """The devices due in a period, by due date, one value per column of COLUMNS: never
    `assigned_to` (personal data)."""
    filters = DeviceFilter(due_from=period.start, due_to=period.end)
    query = (
        select(Device, col(Site.name))
        .outerjoin(Site, col(Site.id) == col(Device.site_id))
        .where(col(Device.replacement_due_on).is_not(None), *device_filter_clauses(filters))
        .order_by(col(Device.replacement_due_on), col(Device.id))
    )
    return [
        [
            period.label,
            device.replacement_due_on,
            device.asset_tag,
            device.hostname,
            device.serial,
            str(device.device_type) if device.device_type else None,
            device.manufacturer,
            device.model,
            " ".join(filter(None, [device.os_name, device.os_version])) or None,
            device.department,
            site,
            device.purchased_on,
            device.purchase_cost,
            _replacement_cost(device, policy),
            "; ".join(str(r.get("rule")) for r in device.replacement_reasons or []),
        ]
        for device, site in session.execute(query).all()
    ]


def _replacement_cost(device: Device, policy: ReplacementSettings) -> float | None:
    unit = policy.unit_costs.get(device.device_type) if device.device_type else None
    return unit if unit is not None else device.purchase_cost


def _total(session: Session, period: Period, policy: ReplacementSettings) -> PeriodTotal:
    filters = DeviceFilter(due_from=period.start, due_to=period.end)
    result = forecast(session, filters, policy, from_buckets=False)
    return PeriodTotal(period.label, result.count, result.cost, result.uncosted)
