from __future__ import annotations

import asyncio
import re

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlmodel import Session

from api.app import create_app
from estate.access.tokens import create_token, revoke_token
from estate.config import Settings
from estate.inventory.records import DeviceRecord
from estate.status import Role
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

    assert viewer.get("/api/v1/servers").status_code == 200  # and now remembered
    assert wrong.get("/api/v1/servers").status_code == 401
    with Session(engine) as session:
        revoke_token(session, "viewer-0")
        session.commit()
    # Revoked in this process: forgotten at the commit, refused at once.
    assert viewer.get("/api/v1/servers").status_code == 401


def revoke_elsewhere(engine: Engine, name: str) -> None:
    """A revocation committed by another process (`estate token revoke`, another worker)."""
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE api_tokens SET revoked_at = CURRENT_TIMESTAMP WHERE name = :name"),
            {"name": name},
        )


@pytest.mark.parametrize(("seconds", "after"), [(0, 401), (300, 200)])
def test_a_token_revoked_elsewhere_is_refused_once_its_remembered_entry_lapses(
    engine: Engine, settings: Settings, seconds: float, after: int
) -> None:
    settings.access.token_cache_seconds = seconds
    app = create_app(settings)
    app.state.engine = engine
    with Session(engine) as session:
        token = create_token(session, "elsewhere", Role.VIEWER)
        session.commit()
    client = TestClient(app, headers={"Authorization": f"Bearer {token}"})

    before = client.get("/api/v1/servers").status_code
    revoke_elsewhere(engine, "elsewhere")

    # 0: read on every request, so refused at once; else accepted until the entry lapses.
    assert (before, client.get("/api/v1/servers").status_code) == (200, after)


def test_requests_that_bring_one_token_at_once_all_get_through(
    engine: Engine, settings: Settings
) -> None:
    app = create_app(settings)
    app.state.engine = engine
    with Session(engine) as session:
        token = create_token(session, "together", Role.VIEWER)
        session.commit()

    async def together() -> list[int]:
        transport = httpx.ASGITransport(app=app)
        headers = {"Authorization": f"Bearer {token}"}
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            answers = await asyncio.gather(
                *(client.get("/api/v1/servers", headers=headers) for _ in range(8))
            )
        return [answer.status_code for answer in answers]

    assert asyncio.run(together()) == [200] * 8


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


def test_error_responses_carry_the_request_id_too(engine: Engine, settings: Settings) -> None:
    app = create_app(settings)
    app.state.engine = engine

    @app.get("/broken")
    def broken() -> None:
        raise RuntimeError("a bug")

    client = TestClient(app, raise_server_exceptions=False)
    headers = {"X-Request-ID": "err-1"}

    unauthorised = client.get("/api/v1/servers", headers=headers)
    unmatched = client.get("/no/such/path", headers=headers)
    failed = client.get("/broken", headers=headers)

    assert [r.status_code for r in (unauthorised, unmatched, failed)] == [401, 404, 500]
    assert {r.headers["X-Request-ID"] for r in (unauthorised, unmatched, failed)} == {"err-1"}
