"""The replacement forecast as at a past day: counted from the devices rebuilt from the change
log (their due dates then) exactly as the live forecast counts the devices table, with its
split as at that day."""

from __future__ import annotations

from datetime import date
from typing import Literal

from sqlmodel import Session

from estate.config import ReplacementSettings
from estate.devices.forecast import DeviceFilter, forecast
from estate.devices.split import SplitForecast, split
from estate.history.as_at import Moment
from estate.inventory.kinds_at import entities_at
from estate.models import Device
from estate.status import EntityKind


class ForecastAt(SplitForecast):
    """The forecast at the end of `as_at`: always from `history` (the buckets are today's)."""

    as_at: date
    source: Literal["snapshot", "history"] = "history"


def forecast_at(
    session: Session, filters: DeviceFilter, settings: ReplacementSettings, moment: Moment
) -> ForecastAt:
    devices = entities_at(session, Device, EntityKind.DEVICE, moment)
    found = forecast(session, filters, settings, from_buckets=False, devices=devices)
    then = split(session, filters, settings, moment.day, devices)
    return ForecastAt(as_at=moment.day, on=moment.day, split=then, **found.model_dump())
