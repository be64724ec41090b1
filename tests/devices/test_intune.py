"""kind = "intune": the pure transform on Graph payloads, then fetches against a Graph peer."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from estate.config import Settings, SourceConfig
from estate.inventory.records import DeviceRecord, Problem, ScopeEnd
from scanners.base import build_scanner
from scanners.intune import GraphClient, GraphError, IntuneScanner, transform_managed_device
from scanners.intune.graph import _retry_after
from tests.devices.graph_peer import CLIENT_ID, DEVICES, SECRET, TENANT, GraphPeer

SECRET_ENV = "ESTATE_TEST_GRAPH_SECRET"


def test_transform_maps_a_windows_device() -> None:
    record = transform_managed_device(DEVICES[0], TENANT)

    assert record == DeviceRecord(
        external_id="intune:705c034c-034c-705c-4c03-5c704c035c70",
        scope=TENANT,
        hostname="PC-0001",
        serial="5CG1234ABC",
        manufacturer="HP",
        model="HP EliteDesk 800 G6 Desktop Mini PC",
        os_name="Windows",
        os_version="10.0.22631.4460",
        assigned_to="a.khan@council.example",
        last_seen_at=datetime(2026, 11, 24, 8, 12, 45, 123456, tzinfo=UTC),
        enrolled_at=datetime(2023, 10, 2, 9, 30, tzinfo=UTC),
        compliance_state="compliant",
        memory_gb=None,
        storage_gb=255.1,
        extra={
            "azure_ad_device_id": "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
            "owner_type": "company",
        },
    )


def test_transform_blank_user_is_no_user_and_memory_converts_in_binary_gigabytes() -> None:
    second, third = (transform_managed_device(raw, TENANT) for raw in DEVICES[1:3])

    assert (second.assigned_to, second.compliance_state) == (None, "noncompliant")
    assert (third.memory_gb, third.storage_gb) == (16.0, 511.1)


def test_transform_types_apple_mobiles() -> None:
    iphone = transform_managed_device(DEVICES[3], TENANT)
    ipad = transform_managed_device({**DEVICES[3], "operatingSystem": "iPadOS"}, TENANT)

    assert (iphone.device_type, ipad.device_type) == ("phone", "tablet")
    assert transform_managed_device(DEVICES[0], TENANT).device_type is None


@pytest.mark.parametrize("serial", ["0", "Unknown", "", "   ", None, "Default string"])
def test_transform_placeholder_serials_are_none(serial: str | None) -> None:
    record = transform_managed_device({**DEVICES[0], "serialNumber": serial}, TENANT)

    assert record.serial is None


def test_transform_graphs_minimum_date_is_no_date() -> None:
    record = transform_managed_device(DEVICES[4], TENANT)

    assert (record.enrolled_at, record.serial, record.storage_gb) == (None, None, None)


def test_transform_needs_an_id() -> None:
    raw = {k: v for k, v in DEVICES[0].items() if k != "id"}

    with pytest.raises(KeyError):
        transform_managed_device(raw, TENANT)


@pytest.mark.parametrize(
    ("header", "seconds"), [("7", 7.0), ("0", 0.0), (None, None), ("soon", None)]
)
def test_retry_after(header: str | None, seconds: float | None) -> None:
    assert _retry_after(header) == seconds


def test_retry_after_as_an_http_date_in_the_past_is_no_wait() -> None:
    assert _retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0


def scanner(graph: GraphPeer, settings: Settings) -> IntuneScanner:
    source = SourceConfig(
        name="intune",
        kind="intune",
        options={
            "tenant_id": TENANT,
            "client_id": CLIENT_ID,
            "client_secret_env": SECRET_ENV,
            "graph_url": graph.base_url,
            "authority_url": graph.base_url,
        },
    )
    built = build_scanner({"intune": IntuneScanner}, source, settings)
    assert isinstance(built, IntuneScanner)
    return built


def client(graph: GraphPeer, slept: list[float]) -> GraphClient:
    return GraphClient(
        graph_url=graph.base_url,
        token_url=f"{graph.base_url}/{TENANT}/oauth2/v2.0/token",
        client_id=CLIENT_ID,
        client_secret=SECRET,
        scope="https://graph.microsoft.com/.default",
        sleep=slept.append,
    )


def test_collect_reads_every_page_through_throttling_and_token_expiry(
    graph: GraphPeer, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SECRET_ENV, SECRET)
    graph.throttle_pages = {1}
    graph.expire_tokens_at_page = 2

    events = list(scanner(graph, settings).collect())

    records = [e for e in events if isinstance(e, DeviceRecord)]
    assert [r.hostname for r in records] == [
        "PC-0001",
        "PC-0002",
        "LT-0003",
        "iPhone",
        "CPC-dpatel-7Q2X",
    ]
    assert events[-1] == ScopeEnd(scope=TENANT, complete=True)
    assert graph.log == [
        ("POST", "token", None),
        ("GET", "page 0", "token-1"),
        ("GET", "page 1", "token-1"),
        ("GET", "page 1", "token-1"),
        ("GET", "page 2", "token-1"),
        ("POST", "token", None),
        ("GET", "page 2", "token-2"),
    ]


def test_client_waits_as_long_as_retry_after_says(graph: GraphPeer) -> None:
    graph.throttle_pages = {0}
    graph.unavailable_pages = {1}
    slept: list[float] = []

    with client(graph, slept) as graph_client:
        pages = list(graph_client.pages("/v1.0/deviceManagement/managedDevices", {"$select": "id"}))

    assert slept == [1.0, 1.0]
    assert [len(page) for page in pages] == [2, 2, 1]
    assert pages[0][0] == {"@odata.type": "#microsoft.graph.managedDevice", "id": DEVICES[0]["id"]}


def test_client_gives_up_after_max_retries(graph: GraphPeer) -> None:
    graph.throttle_pages = {0}
    slept: list[float] = []
    graph_client = client(graph, slept)
    graph_client.max_retries = 0

    with graph_client, pytest.raises(GraphError, match="HTTP 429 TooManyRequests"):
        list(graph_client.pages("/v1.0/deviceManagement/managedDevices", {"$select": "id"}))


def test_a_refused_secret_fails_the_scope_and_names_the_token_url(
    graph: GraphPeer, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SECRET_ENV, "wrong")

    events = list(scanner(graph, settings).collect())

    assert events == [
        Problem(
            scope=TENANT,
            reason="token request refused: HTTP 401 invalid_client: "
            "AADSTS7000215: Invalid client secret provided.",
            target=f"{graph.base_url}/{TENANT}/oauth2/v2.0/token",
        ),
        ScopeEnd(scope=TENANT, complete=False),
    ]


def test_missing_permission_fails_the_scope(
    graph: GraphPeer, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SECRET_ENV, SECRET)
    graph.forbidden = True

    events = list(scanner(graph, settings).collect())

    assert isinstance(events[0], Problem)
    assert events[0].reason.startswith("HTTP 403 Forbidden: Application is not authorized")
    assert events[-1] == ScopeEnd(scope=TENANT, complete=False)


def test_a_next_link_to_another_host_is_refused(graph: GraphPeer) -> None:
    graph_client = client(graph, [])
    graph.base_url = "http://127.0.0.2:9"  # the peer's nextLinks now point elsewhere

    with graph_client, pytest.raises(GraphError, match="nextLink leaves the Graph base URL"):
        list(graph_client.pages("/v1.0/deviceManagement/managedDevices", {"$select": "id"}))
    assert [entry[1] for entry in graph.log] == ["token", "page 0"]
