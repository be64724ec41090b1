from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from api.app import create_app
from estate.settings import Settings


@pytest.fixture
def client(engine: Engine, settings: Settings) -> TestClient:
    app = create_app(settings)
    app.state.engine = engine
    return TestClient(app)
