"""A write the database is too busy to take (another writer holds SQLite's lock past the busy
timeout) answers 503 with Retry-After and the errors body, never a 500, and nothing of it is
written; once the lock is let go the same request succeeds."""

from __future__ import annotations

import sqlite3

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from api.app import create_app
from estate.access.tokens import create_token
from estate.config import Settings
from estate.db import make_engine
from estate.status import Role


def test_a_write_while_another_writer_holds_the_lock_is_a_503(
    engine: Engine, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite's file lock; PostgreSQL queues writers on row locks instead")
    app = create_app(settings)
    url = engine.url.render_as_string(hide_password=False)
    app.state.engine = make_engine(url, busy_timeout_seconds=0.2)
    with Session(engine) as session:
        token = create_token(session, "busy", Role.ADMIN)
        session.commit()
    client = TestClient(app, headers={"Authorization": f"Bearer {token}"})
    holder = sqlite3.connect(str(engine.url.database), timeout=0)
    holder.execute("BEGIN IMMEDIATE")
    try:
        answer = client.post("/api/v1/applications", json={"name": "Payroll"})
    finally:
        holder.rollback()
        holder.close()

    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == "5"
    assert "busy" in answer.json()["detail"][0]["msg"]
    assert "Payroll" not in caplog.text  # the statement's parameters are not logged
    assert client.get("/api/v1/applications").json()["total"] == 0
    assert client.post("/api/v1/applications", json={"name": "Payroll"}).status_code == 201
    app.state.engine.dispose()
