"""Reading a BMC over Redfish: follow @odata.id links from the service root, with basic auth.

Every failure becomes a `RedfishError` whose message an operator can act on (wrong password,
untrusted certificate, no answer in time), so the scanner can fail just that BMC's scope.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx

from scanners.redfish.transform import SystemPayload

SERVICE_ROOT = "/redfish/v1/"
# A BMC collection can page; no real one has this many systems, so more means a loop.
MAX_PAGES = 100


class RedfishError(Exception):
    """A BMC could not be read; the message says why."""


class _NotFound(RedfishError):
    pass


@dataclass(frozen=True)
class Access:
    """How to reach and log in to one BMC."""

    username: str
    password: str = field(repr=False)
    # False, True (the system's CAs) or a context trusting a configured CA bundle.
    verify: bool | ssl.SSLContext = True
    timeout: float = 30.0
    retries: int = 1


def open_client(url: str, access: Access) -> httpx.Client:
    transport = httpx.HTTPTransport(verify=access.verify, retries=access.retries)
    return httpx.Client(
        base_url=url,
        auth=httpx.BasicAuth(access.username, access.password),
        timeout=access.timeout,
        transport=transport,
        headers={"Accept": "application/json", "OData-Version": "4.0"},
        # BMCs redirect http to https; httpx keeps the credentials only for that upgrade.
        follow_redirects=True,
    )


def fetch_systems(client: httpx.Client) -> Iterator[SystemPayload]:
    """Each system with its first chassis' power resources, one at a time as read."""
    root = get_json(client, SERVICE_ROOT)
    systems = link(root, "Systems", SERVICE_ROOT)
    if systems is None:
        raise RedfishError(f"{SERVICE_ROOT}: the service root has no Systems link")
    for path in members(client, systems):
        yield fetch_system(client, path)


def fetch_system(client: httpx.Client, path: str) -> SystemPayload:
    system = get_json(client, path)
    chassis_links = (system.get("Links") or {}).get("Chassis") or []
    if not chassis_links:
        return SystemPayload(system=system)
    chassis_path = chassis_links[0]["@odata.id"]
    chassis = get_json(client, chassis_path)
    power_path = link(chassis, "Power", chassis_path)
    environment_path = link(chassis, "EnvironmentMetrics", chassis_path)
    return SystemPayload(
        system=system,
        chassis=chassis,
        power=get_optional(client, power_path) if power_path else None,
        environment=get_optional(client, environment_path) if environment_path else None,
    )


def members(client: httpx.Client, path: str) -> Iterator[str]:
    """The member links of a collection, following Members@odata.nextLink pages."""
    next_path: str | None = path
    for _ in range(MAX_PAGES):
        if next_path is None:
            return
        page = get_json(client, next_path)
        for member in page.get("Members") or []:
            yield member["@odata.id"]
        next_path = page.get("Members@odata.nextLink")
    raise RedfishError(f"{path}: more than {MAX_PAGES} pages of members")


def link(resource: dict[str, Any], key: str, where: str) -> str | None:
    value = resource.get(key)
    if value is None:
        return None
    if not isinstance(value, dict) or not isinstance(value.get("@odata.id"), str):
        raise RedfishError(f"{where}: {key} is not a link")
    return str(value["@odata.id"])


def get_optional(client: httpx.Client, path: str) -> dict[str, Any] | None:
    """A resource some BMCs link but do not serve (power metering without a licence)."""
    try:
        return get_json(client, path)
    except _NotFound:
        return None


def get_json(client: httpx.Client, path: str) -> dict[str, Any]:
    try:
        response = client.get(path)
    except httpx.HTTPError as exc:
        raise RedfishError(describe_http_error(exc, client.timeout.read)) from exc
    if response.status_code in (401, 403):
        raise RedfishError(
            f"{path}: HTTP {response.status_code}: the BMC refused the username and password"
        )
    if response.status_code == 404:
        raise _NotFound(f"{path}: HTTP 404: not found")
    if response.is_error:
        raise RedfishError(f"{path}: HTTP {response.status_code} {response.reason_phrase}")
    try:
        payload = response.json()
    except ValueError:
        raise RedfishError(f"{path}: the answer is not JSON") from None
    if not isinstance(payload, dict):
        raise RedfishError(f"{path}: the answer is not a JSON object")
    return payload


def describe_http_error(exc: httpx.HTTPError, timeout: float | None) -> str:
    if isinstance(exc, httpx.TimeoutException):
        return f"no answer within {timeout:g}s ({type(exc).__name__})"
    cause = ssl_cause(exc)
    if isinstance(cause, ssl.SSLCertVerificationError):
        return f"TLS certificate not trusted: {cause.verify_message} (set ca_bundle to trust it)"
    if cause is not None:
        return f"TLS handshake failed: {cause.reason or cause}"
    if isinstance(exc, httpx.ConnectError):
        return f"cannot connect: {exc}"
    return f"the connection failed: {exc or type(exc).__name__}"


def ssl_cause(exc: BaseException) -> ssl.SSLError | None:
    """The TLS error under httpx's and httpcore's wrappers, if that is what went wrong."""
    seen: BaseException | None = exc
    for _ in range(10):
        if seen is None:
            return None
        if isinstance(seen, ssl.SSLError):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None
