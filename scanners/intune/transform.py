"""Graph managedDevice objects to device records: pure, tested on tests/devices/data pages."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from estate.inventory.records import DeviceRecord
from scanners.base import clean_serial, clean_text

# Graph's "no date": DateTimeOffset.MinValue.
NO_DATE_YEAR = 1
# Only where the OS says what the device is; Windows, macOS and Android devices could be either.
DEVICE_TYPES: dict[str, Literal["phone", "tablet"]] = {"ios": "phone", "ipados": "tablet"}


def transform_managed_device(raw: dict[str, Any], scope: str) -> DeviceRecord:
    """One managedDevice from Graph as a device record."""
    extra = {
        "azure_ad_device_id": clean_text(raw.get("azureADDeviceId")),
        "owner_type": clean_text(raw.get("managedDeviceOwnerType")),
    }
    return DeviceRecord(
        external_id=f"intune:{raw['id']}",
        scope=scope,
        hostname=clean_text(raw.get("deviceName")),
        serial=clean_serial(raw.get("serialNumber")),
        device_type=DEVICE_TYPES.get((raw.get("operatingSystem") or "").casefold()),
        manufacturer=clean_text(raw.get("manufacturer")),
        model=clean_text(raw.get("model")),
        os_name=clean_text(raw.get("operatingSystem")),
        os_version=clean_text(raw.get("osVersion")),
        assigned_to=clean_text(raw.get("userPrincipalName")),
        last_seen_at=_when(raw.get("lastSyncDateTime")),
        enrolled_at=_when(raw.get("enrolledDateTime")),
        compliance_state=clean_text(raw.get("complianceState")),
        # Memory is sold in binary gigabytes, disks in decimal ones: each reads as labelled.
        memory_gb=_size(raw.get("physicalMemoryInBytes"), 2**30),
        storage_gb=_size(raw.get("totalStorageSpaceInBytes"), 10**9),
        extra={key: value for key, value in extra.items() if value is not None},
    )


def describe_managed_device(raw: dict[str, Any]) -> tuple[str, str | None]:
    """What a Problem about a device that could not be recorded calls it, and its target."""
    return "managed device", str(raw.get("id"))


def _when(value: Any) -> datetime | None:
    if not value:
        return None
    when = datetime.fromisoformat(str(value))
    return None if when.year == NO_DATE_YEAR else when


def _size(value: Any, unit: int) -> float | None:
    # Graph lists physicalMemoryInBytes as 0 (the real value comes only from a single-device
    # GET), so 0 means "not reported", not "no memory".
    if not value:
        return None
    return round(int(value) / unit, 1)
