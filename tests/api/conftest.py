from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from api.app import create_app
from estate.access.tokens import create_token
from estate.config import Settings
from estate.status import Role

MakeClient = Callable[..., TestClient]


@pytest.fixture
def make_client(engine: Engine, settings: Settings) -> MakeClient:
    """A client carrying a fresh token of the given role (none: no Authorization header)."""
    app = create_app(settings)
    app.state.engine = engine
    made: set[str] = set()

    def make(role: Role | None = Role.ADMIN) -> TestClient:
        client = TestClient(app)
        if role is not None:
            name = f"{role}-{len(made)}"
            made.add(name)
            with Session(engine) as session:
                token = create_token(session, name, role)
                session.commit()
            client.headers["Authorization"] = f"Bearer {token}"
        return client

    return make


@pytest.fixture
def client(make_client: MakeClient) -> TestClient:
    return make_client(Role.ADMIN)
