from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from estate.config import Settings
from estate.inventory.records import NetworkDeviceRecord
from tests.core.helpers import complete, scan


def test_network_devices_list_filter_and_detail(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    scan(
        engine,
        settings,
        "snmp",
        complete(
            [
                NetworkDeviceRecord(
                    external_id="snmp:10.0.0.1",
                    scope="file",
                    name="cc-ap-01",
                    device_class="wireless-ap",
                    site="Civic Centre",
                ),
                NetworkDeviceRecord(
                    external_id="snmp:10.0.0.2",
                    scope="file",
                    name="cc-sw-01",
                    device_class="switch",
                    site="Civic Centre",
                    serial="FOC123",
                ),
            ]
        ),
        kind="snmp",
    )

    aps = client.get(
        "/api/v1/network-devices", params={"device_class": "wireless-ap", "site": "Civic Centre"}
    ).json()
    switch = client.get("/api/v1/network-devices", params={"q": "foc123"}).json()["items"][0]
    detail = client.get(f"/api/v1/network-devices/{switch['id']}").json()

    assert [(d["name"], d["site"]) for d in aps["items"]] == [("cc-ap-01", "Civic Centre")]
    assert detail["observations"][0]["source"] == "snmp"
    assert client.get("/api/v1/network-devices/999").status_code == 404
    assert (
        client.get("/api/v1/network-devices", params={"device_class": "toaster"}).status_code == 422
    )
