"""The replacement forecast as at a past day: counted from the devices rebuilt from the change
log (their due dates then) exactly as the live forecast counts the devices table."""

from __future__ import annotations

from datetime import date
from typing import Literal

from sqlmodel import Session

from estate.config import ReplacementSettings
from estate.devices.forecast import DeviceFilter, Forecast, forecast
from estate.history.as_at import Moment
from estate.inventory.kinds_at import entities_at
from estate.models import Device
from estate.status import EntityKind


class ForecastAt(Forecast):
    """The forecast at the end of `as_at`: always from `history` (the buckets are today's)."""

    as_at: date
    source: Literal["snapshot", "history"] = "history"


def forecast_at(
    session: Session, filters: DeviceFilter, settings: ReplacementSettings, moment: Moment
) -> ForecastAt:
    devices = entities_at(session, Device, EntityKind.DEVICE, moment)
    found = forecast(session, filters, settings, from_buckets=False, devices=devices)
    return ForecastAt(as_at=moment.day, **found.model_dump())
