from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from api.app import create_app
from estate.access import revoke_token
from estate.models.status import Role
from estate.records import DeviceRecord
from estate.settings import Settings
from tests.api.conftest import MakeClient
from tests.core.helpers import complete, scan


def api_get_paths(settings: Settings) -> list[str]:
    paths = create_app(settings).openapi()["paths"]
    return [p for p, methods in paths.items() if p.startswith("/api/v1") and "get" in methods]


def concrete(path: str) -> str:
    return re.sub(r"\{[a-z_]+\}", "1", path)


def test_every_api_endpoint_needs_a_token_and_health_does_not(
    make_client: MakeClient, settings: Settings
) -> None:
    anonymous = make_client(None)
    paths = [concrete(p) for p in api_get_paths(settings)]

    answers = {p: anonymous.get(p) for p in paths}

    assert paths, "no API routes found"
    assert {p: r.status_code for p, r in answers.items()} == dict.fromkeys(paths, 401)
    assert all(r.headers["WWW-Authenticate"] == "Bearer" for r in answers.values())
    assert anonymous.get("/health").status_code == 200


def test_a_wrong_or_revoked_token_is_401(make_client: MakeClient, engine: Engine) -> None:
    viewer = make_client(Role.VIEWER)
    wrong = make_client(None)
    wrong.headers["Authorization"] = "Bearer estate_not-a-real-token"

    assert viewer.get("/api/v1/servers").status_code == 200
    assert wrong.get("/api/v1/servers").status_code == 401
    with Session(engine) as session:
        revoke_token(session, "viewer-0")
        session.commit()
    assert viewer.get("/api/v1/servers").status_code == 401


@pytest.mark.parametrize("role", [Role.VIEWER, Role.INFRA, Role.ASSETS])
def test_only_roles_granted_personal_data_see_who_holds_a_device(
    make_client: MakeClient, engine: Engine, settings: Settings, role: Role
) -> None:
    device = DeviceRecord(
        external_id="A1", scope="f", asset_tag="NBC-1", assigned_to="jo.bloggs@example.gov.uk"
    )
    scan(engine, settings, "register", complete([device], "f"))
    reader, admin = make_client(role), make_client(Role.ADMIN)

    seen = [reader.get(p).text for p in ("/api/v1/devices", "/api/v1/devices/1", "/api/v1/changes")]
    granted = admin.get("/api/v1/devices").json()["items"][0]

    assert all("assigned_to" not in text and "jo.bloggs" not in text for text in seen)
    assert granted["assigned_to"] == "jo.bloggs@example.gov.uk"


def test_responses_carry_a_request_id(client: TestClient) -> None:
    given = client.get("/api/v1/servers", headers={"X-Request-ID": "abc-123"})
    made = client.get("/api/v1/servers")
    hostile = client.get("/api/v1/servers", headers={"X-Request-ID": "x" * 500})

    assert given.headers["X-Request-ID"] == "abc-123"
    assert len(made.headers["X-Request-ID"]) == 32
    assert len(hostile.headers["X-Request-ID"]) == 32
