"""kind = "intune": Intune managed devices through Microsoft Graph v1.0.

One scope per tenant. The app registration needs the application permission
DeviceManagementManagedDevices.Read.All; its secret comes from the environment variable that
`client_secret_env` names.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import Field, ValidationError

import scanners.base
from estate.records import DeviceRecord, Event, Problem, ScopeEnd
from estate.settings import Settings, SourceConfig, secret_from_env
from scanners.intune.graph import GraphClient, GraphError

MANAGED_DEVICES = "/v1.0/deviceManagement/managedDevices"
SELECT = (
    "id",
    "deviceName",
    "serialNumber",
    "manufacturer",
    "model",
    "operatingSystem",
    "osVersion",
    "enrolledDateTime",
    "lastSyncDateTime",
    "userPrincipalName",
    "complianceState",
    "totalStorageSpaceInBytes",
    "physicalMemoryInBytes",
    "azureADDeviceId",
    "managedDeviceOwnerType",
)
# What firmware and Intune put where there is no serial number.
PLACEHOLDER_SERIALS = {
    "",
    "0",
    "unknown",
    "none",
    "default string",
    "system serial number",
    "to be filled by o.e.m.",
}
# Graph's "no date": DateTimeOffset.MinValue.
NO_DATE_YEAR = 1
# Only where the OS says what the device is; Windows, macOS and Android devices could be either.
DEVICE_TYPES: dict[str, Literal["phone", "tablet"]] = {"ios": "phone", "ipados": "tablet"}


class IntuneOptions(scanners.base.ScannerOptions):
    tenant_id: str = Field(min_length=1)
    client_id: str = Field(min_length=1)
    client_secret_env: str = Field(min_length=1)
    graph_url: str = "https://graph.microsoft.com"
    authority_url: str = "https://login.microsoftonline.com"
    scope: str = "https://graph.microsoft.com/.default"
    # An OData $filter, e.g. "operatingSystem eq 'Windows'".
    filter: str | None = None
    page_size: int | None = Field(default=None, ge=1, le=1000)
    timeout_seconds: float = Field(default=30.0, gt=0)
    max_retries: int = Field(default=5, ge=0)
    max_retry_after_seconds: float = Field(default=300.0, ge=0)
    verify_tls: bool = True
    ca_bundle: str | None = None


def transform_managed_device(raw: dict[str, Any], scope: str) -> DeviceRecord:
    """One managedDevice from Graph as a device record."""
    extra = {
        "azure_ad_device_id": _text(raw.get("azureADDeviceId")),
        "owner_type": _text(raw.get("managedDeviceOwnerType")),
    }
    return DeviceRecord(
        external_id=f"intune:{raw['id']}",
        scope=scope,
        hostname=_text(raw.get("deviceName")),
        serial=_serial(raw.get("serialNumber")),
        device_type=DEVICE_TYPES.get((raw.get("operatingSystem") or "").casefold()),
        manufacturer=_text(raw.get("manufacturer")),
        model=_text(raw.get("model")),
        os_name=_text(raw.get("operatingSystem")),
        os_version=_text(raw.get("osVersion")),
        assigned_to=_text(raw.get("userPrincipalName")),
        last_seen_at=_when(raw.get("lastSyncDateTime")),
        enrolled_at=_when(raw.get("enrolledDateTime")),
        compliance_state=_text(raw.get("complianceState")),
        # Memory is sold in binary gigabytes, disks in decimal ones: each reads as labelled.
        memory_gb=_size(raw.get("physicalMemoryInBytes"), 2**30),
        storage_gb=_size(raw.get("totalStorageSpaceInBytes"), 10**9),
        extra={key: value for key, value in extra.items() if value is not None},
    )


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _serial(value: Any) -> str | None:
    text = _text(value)
    return None if text is None or text.casefold() in PLACEHOLDER_SERIALS else text


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


def fetch_managed_devices(client: GraphClient, options: IntuneOptions) -> Iterator[dict[str, Any]]:
    params = {"$select": ",".join(SELECT)}
    if options.filter:
        params["$filter"] = options.filter
    if options.page_size:
        params["$top"] = str(options.page_size)
    for page in client.pages(MANAGED_DEVICES, params):
        yield from page


class IntuneScanner:
    kind: ClassVar[str] = "intune"
    Options: ClassVar[type[scanners.base.ScannerOptions]] = IntuneOptions

    def __init__(self, source: SourceConfig, options: IntuneOptions, settings: Settings) -> None:
        self.source = source
        self.options = options
        self.settings = settings

    def client(self) -> GraphClient:
        options = self.options
        secret = secret_from_env(
            options.client_secret_env, f"sources({self.source.name}).options.client_secret_env"
        )
        return GraphClient(
            graph_url=options.graph_url,
            token_url=f"{options.authority_url.rstrip('/')}/{options.tenant_id}/oauth2/v2.0/token",
            client_id=options.client_id,
            client_secret=secret,
            scope=options.scope,
            timeout_seconds=options.timeout_seconds,
            max_retries=options.max_retries,
            max_retry_after_seconds=options.max_retry_after_seconds,
            verify=self._verify(),
        )

    def _verify(self) -> bool | ssl.SSLContext:
        if self.options.ca_bundle:
            path = Path(self.options.ca_bundle)
            return ssl.create_default_context(cafile=self.settings.config_dir / path)
        return self.options.verify_tls

    def collect(self) -> Iterator[Event]:
        scope = self.options.tenant_id
        complete = True
        try:
            with self.client() as client:
                for raw in fetch_managed_devices(client, self.options):
                    try:
                        yield transform_managed_device(raw, scope)
                    except (KeyError, ValueError, ValidationError) as exc:
                        # Its earlier observation must not be marked missing for a bad payload.
                        complete = False
                        reason = f"managed device not recorded: {type(exc).__name__}: {exc}"
                        yield Problem(scope=scope, reason=reason, target=str(raw.get("id")))
        except GraphError as exc:
            yield Problem(scope=scope, reason=str(exc), target=exc.target)
            complete = False
        yield ScopeEnd(scope=scope, complete=complete)
