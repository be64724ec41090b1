"""Dashboard fixtures: a browser-like client (HTTPS, so the Secure cookie is sent back) that
signs in through the sign-in form with a fresh token of a role."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from api.app import create_app
from estate.access.tokens import create_token
from estate.config import Settings
from estate.status import Role
from tests.api.conftest import client, make_client

__all__ = ["client", "make_client"]

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
SignIn = Callable[..., TestClient]


def csrf_of(html: str, action: str | None = None) -> str:
    """The CSRF token of the form posting to `action` (else of the page's first form)."""
    start = 0
    if action is not None:
        start = html.find(f'<form method="post" action="{action}"')
        assert start >= 0, f"the page has no form posting to {action}"
    found = CSRF.search(html, start)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


def new_token(engine: Engine, name: str, role: Role) -> str:
    with Session(engine) as session:
        token = create_token(session, name, role)
        session.commit()
    return token


@pytest.fixture
def browser(engine: Engine, settings: Settings) -> Callable[[], TestClient]:
    app = create_app(settings)
    app.state.engine = engine
    return lambda: TestClient(app, base_url="https://testserver", follow_redirects=False)


@pytest.fixture
def signed_in(engine: Engine, browser: Callable[[], TestClient]) -> SignIn:
    made: list[str] = []

    def sign_in(role: Role = Role.ADMIN) -> TestClient:
        client = browser()
        name = f"{role}-{len(made)}"
        made.append(name)
        token = new_token(engine, name, role)
        form = client.get("/signin")
        done = client.post("/signin", data={"token": token, "csrf_token": csrf_of(form.text)})
        assert done.status_code == 303, done.text
        return client

    return sign_in
