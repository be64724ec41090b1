"""Loading CMDB rows into Nautobot through its REST API in bulk, for bench/peer_nautobot.py.

A device needs, before it: a status (Nautobot's own "Active"), a location type that may hold
devices and racks, a location per site, a manufacturer, a device type per model, a role and a
rack. Each kind is created with one list POST (Nautobot's bulk create); devices in batches.
Nautobot has no upsert: a reload looks every object up by name and then either PATCHes every
device in bulk (a list of {"id", ...}) or compares on the client and writes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import httpx

Row = dict[str, str]
DEVICES = "/api/dcim/devices/"
# Nautobot's default MAX_PAGE_SIZE: the most one GET may return.
PAGE = 1000


class Loader:
    """Bulk requests against one Nautobot, each checked, counted."""

    def __init__(self, client: httpx.Client, batch: int) -> None:
        self.client = client
        self.batch = batch
        self.requests = 0

    def take_requests(self) -> int:
        taken, self.requests = self.requests, 0
        return taken

    def _send(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.client.request(method, path, **kwargs)
        self.requests += 1
        if response.status_code >= 300:
            raise RuntimeError(f"{method} {path}: {response.status_code} {response.text[:500]}")
        return response.json()

    def create(self, path: str, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Bulk create in batches; the created objects in order."""
        created: list[dict[str, Any]] = []
        for start in range(0, len(items), self.batch):
            created += self._send("POST", path, json=items[start : start + self.batch])
        return created

    def update(self, path: str, items: list[dict[str, Any]]) -> None:
        """Bulk PATCH in batches; each item carries its id."""
        for start in range(0, len(items), self.batch):
            self._send("PATCH", path, json=items[start : start + self.batch])

    def every(self, path: str, **params: Any) -> list[dict[str, Any]]:
        """Every object at `path` (paged, ids only for related objects: depth 0)."""
        found: list[dict[str, Any]] = []
        page = self._send("GET", path, params={"limit": PAGE, "depth": 0, **params})
        found += page["results"]
        while page["next"]:
            page = self._send("GET", page["next"])
            found += page["results"]
        return found

    def count(self, path: str) -> int:
        return int(self._send("GET", path, params={"limit": 1})["count"])


@dataclass(frozen=True)
class Refs:
    """Ids of what a device refers to, by the names the rows use."""

    status: str
    role: str
    locations: dict[str, str]
    device_types: dict[tuple[str, str], str]
    racks: dict[str, str]

    def device(self, row: Row) -> dict[str, Any]:
        return {
            "name": row["Server Name"],
            "serial": row["Serial Number"],
            "status": self.status,
            "role": self.role,
            "location": self.locations[row["Location"]],
            "rack": self.racks[row["Rack"]],
            "device_type": self.device_types[(row["Manufacturer"], row["Model"])],
        }


def distinct(rows: Iterable[Row], *columns: str) -> list[tuple[str, ...]]:
    return sorted({tuple(row[c] for c in columns) for row in rows})


def by_name(objects: Iterable[dict[str, Any]], field: str = "name") -> dict[str, str]:
    return {o[field]: o["id"] for o in objects}


def related_id(value: Any) -> str:
    """A related object as depth 0 gives it ({"id": ...}) or as we send it (the id)."""
    return str(value["id"] if isinstance(value, dict) else value)


def create_refs(loader: Loader, rows: list[Row]) -> Refs:
    status = by_name(loader.every("/api/extras/statuses/", name="Active"))["Active"]
    kinds = ["dcim.device", "dcim.rack"]
    site = loader.create("/api/dcim/location-types/", [{"name": "Site", "content_types": kinds}])
    sites = [
        {"name": name, "location_type": site[0]["id"], "status": status}
        for (name,) in distinct(rows, "Location")
    ]
    locations = by_name(loader.create("/api/dcim/locations/", sites))
    makers = [{"name": name} for (name,) in distinct(rows, "Manufacturer")]
    manufacturers = by_name(loader.create("/api/dcim/manufacturers/", makers))
    models = [
        {"manufacturer": manufacturers[maker], "model": model}
        for maker, model in distinct(rows, "Manufacturer", "Model")
    ]
    types = loader.create("/api/dcim/device-types/", models)
    role = {"name": "Server", "content_types": ["dcim.device"]}
    role_id = loader.create("/api/extras/roles/", [role])[0]["id"]
    racks = [
        {"name": rack, "location": locations[site_name], "status": status}
        for rack, site_name in distinct(rows, "Rack", "Location")
    ]
    return Refs(
        status=status,
        role=role_id,
        locations=locations,
        device_types=_device_types(types, manufacturers),
        racks=by_name(loader.create("/api/dcim/racks/", racks)),
    )


def _device_types(
    types: list[dict[str, Any]], makers: dict[str, str]
) -> dict[tuple[str, str], str]:
    maker_of = {maker_id: name for name, maker_id in makers.items()}
    return {(maker_of[related_id(t["manufacturer"])], t["model"]): t["id"] for t in types}


def look_up_refs(loader: Loader) -> Refs:
    """The same ids, found by name as a reload that holds no state must find them."""
    makers = by_name(loader.every("/api/dcim/manufacturers/"))
    return Refs(
        status=by_name(loader.every("/api/extras/statuses/", name="Active"))["Active"],
        role=by_name(loader.every("/api/extras/roles/", name="Server"))["Server"],
        locations=by_name(loader.every("/api/dcim/locations/")),
        device_types=_device_types(loader.every("/api/dcim/device-types/"), makers),
        racks=by_name(loader.every("/api/dcim/racks/")),
    )


def first_load(loader: Loader, rows: list[Row]) -> None:
    refs = create_refs(loader, rows)
    created = loader.create(DEVICES, [refs.device(row) for row in rows])
    assert len(created) == len(rows), (len(created), len(rows))


def wanted(
    loader: Loader, rows: list[Row]
) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
    """What each row says a device should be, and what Nautobot holds, by device name."""
    refs = look_up_refs(loader)
    held = {d["name"]: d for d in loader.every(DEVICES)}
    return [refs.device(row) for row in rows], held


def reload_patch(loader: Loader, rows: list[Row]) -> None:
    """Look everything up, then PATCH every device with the same fields and its id."""
    devices, held = wanted(loader, rows)
    loader.update(DEVICES, [{"id": held[d["name"]]["id"], **d} for d in devices])


def differs(device: dict[str, Any], held: dict[str, Any]) -> bool:
    return any(
        (related_id(held[k]) if isinstance(held[k], dict) else held[k]) != v
        for k, v in device.items()
    )


def reload_diff(loader: Loader, rows: list[Row]) -> int:
    """Look everything up and compare on the client; how many devices would need a write."""
    devices, held = wanted(loader, rows)
    return sum(differs(d, held[d["name"]]) for d in devices)
