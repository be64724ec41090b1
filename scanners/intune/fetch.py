"""Reading Intune's managed devices through Microsoft Graph v1.0, page by page.

The app registration needs the application permission DeviceManagementManagedDevices.Read.All.
Retries, throttling and token renewal are the Graph client's (`graph.py`).
"""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from typing import Any

from scanners.intune.graph import GraphClient
from scanners.intune.options import IntuneOptions

MANAGED_DEVICES = "/v1.0/deviceManagement/managedDevices"
# Only these properties are asked for; each is read in transform.py.
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


def open_client(options: IntuneOptions, secret: str, verify: bool | ssl.SSLContext) -> GraphClient:
    return GraphClient(
        graph_url=options.graph_url,
        token_url=options.token_url,
        client_id=options.client_id,
        client_secret=secret,
        scope=options.scope,
        timeout_seconds=options.timeout_seconds,
        max_retries=options.max_retries,
        max_retry_after_seconds=options.max_retry_after_seconds,
        verify=verify,
    )


def fetch_managed_devices(client: GraphClient, options: IntuneOptions) -> Iterator[dict[str, Any]]:
    params = {"$select": ",".join(SELECT)}
    if options.filter:
        params["$filter"] = options.filter
    if options.page_size:
        params["$top"] = str(options.page_size)
    for page in client.pages(MANAGED_DEVICES, params):
        yield from page
