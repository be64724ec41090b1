"""Personal API tokens from the dashboard: made with an expiry and a role no higher than one's
own, shown once, listed only to their owner, working on the API until revoked; each made or
revoked token is an access event."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlmodel import Session, col

from estate.models import AccessEvent, ApiToken
from estate.models.base import utcnow
from estate.status import AccessEventKind, Role
from tests.web.conftest import SignIn, csrf_of

TOKEN_EVENTS = (AccessEventKind.TOKEN_CREATED, AccessEventKind.TOKEN_REVOKED)
MADE = re.compile(r'id="made" class="wide" value="(estate_[^"]+)"')


def make(browser: TestClient, **fields: str) -> tuple[int, str]:
    page = browser.get("/tokens")
    data = {"name": "laptop", "role": "viewer", "days": "90", **fields}
    done = browser.post("/tokens", data={"csrf_token": csrf_of(page.text, "/tokens"), **data})
    return done.status_code, done.text


def events(engine: Engine) -> list[tuple[str, str, str | None, str | None]]:
    with Session(engine) as session:
        found = session.execute(
            select(AccessEvent)
            .where(col(AccessEvent.kind).in_(TOKEN_EVENTS))
            .order_by(col(AccessEvent.id))
        ).scalars()
        return [(e.kind, e.actor, e.role, e.detail) for e in found]


def test_a_token_is_made_with_an_expiry_shown_once_and_works_until_revoked(
    client: TestClient, engine: Engine, signed_in: SignIn
) -> None:
    infra = signed_in(Role.INFRA)
    status, html = make(infra, name="report script", role="infra", days="30")
    found = MADE.search(html)
    assert (status, found is not None) == (200, True)
    assert found is not None
    token = found.group(1)
    api = {"Authorization": f"Bearer {token}"}
    with Session(engine) as session:
        made = session.execute(
            select(ApiToken).where(col(ApiToken.owner) == "infra-0")
        ).scalar_one()
        made_id = made.id
        assert (made.name, made.role) == ("infra-0/report script", Role.INFRA)
        assert made.expires_at is not None
        assert timedelta(days=30) - (made.expires_at - utcnow()) < timedelta(minutes=1)

    listed = infra.get("/tokens")
    used = client.get("/api/v1/servers", headers=api)
    page = infra.get("/tokens")
    revoke = infra.post(f"/tokens/{made_id}/revoke", data={"csrf_token": csrf_of(page.text)})
    refused = client.get("/api/v1/servers", headers=api)

    assert token not in listed.text  # shown once, never listed
    assert '<th scope="row">infra-0/report script</th>' in listed.text
    assert used.status_code == 200
    assert (revoke.status_code, revoke.headers["location"]) == (303, "/tokens?revoked=1")
    assert refused.status_code == 401
    assert "Revoked" in infra.get("/tokens?revoked=1").text
    assert events(engine) == [
        ("token-created", "infra-0", "infra", "infra-0/report script: expires in 30 days"),
        ("token-revoked", "infra-0", None, "infra-0/report script"),
    ]


def test_a_higher_role_a_long_expiry_or_no_name_is_refused_naming_the_field(
    engine: Engine, signed_in: SignIn
) -> None:
    assets = signed_in(Role.ASSETS)

    higher = make(assets, role="admin")
    sideways = make(assets, role="infra")
    too_long = make(assets, days="366")
    unnamed = make(assets, name=" ")
    not_a_number = make(assets, days="soon")

    assert higher[0] == 400
    assert '<a href="#role">A role no higher than your own (assets).</a>' in higher[1]
    assert 'aria-invalid="true"' in higher[1]
    assert '<a href="#role">' in sideways[1]
    assert '<a href="#days">Between 1 and 365 days.</a>' in too_long[1]
    assert '<a href="#name">' in unnamed[1]
    assert '<a href="#days">Enter the token' in not_a_number[1]
    assert '<option value="admin"' not in higher[1]
    with Session(engine) as session:
        assert (
            session.execute(select(ApiToken).where(col(ApiToken.owner).is_not(None))).first()
            is None
        )
    assert events(engine) == []


def test_someone_elses_tokens_are_neither_listed_nor_revocable(
    engine: Engine, signed_in: SignIn
) -> None:
    alice, bob = signed_in(Role.ADMIN), signed_in(Role.VIEWER)
    assert make(alice, name="laptop")[0] == 200
    with Session(engine) as session:
        alices = session.execute(
            select(ApiToken.id).where(col(ApiToken.owner) == "admin-0")
        ).scalar_one()

    page = bob.get("/tokens")
    tried = bob.post(f"/tokens/{alices}/revoke", data={"csrf_token": csrf_of(page.text)})

    assert "admin-0/laptop" not in page.text
    assert "You have made no tokens." in page.text
    assert tried.status_code == 400
    assert "You have no such token." in tried.text
    with Session(engine) as session:
        assert session.get(ApiToken, alices).revoked_at is None  # type: ignore[union-attr]


def test_the_forms_need_the_sessions_csrf_token(engine: Engine, signed_in: SignIn) -> None:
    viewer = signed_in(Role.VIEWER)
    made = viewer.post(
        "/tokens", data={"csrf_token": "forged", "name": "x", "role": "viewer", "days": "1"}
    )
    assert made.status_code == 403
    with Session(engine) as session:
        assert (
            session.execute(select(ApiToken).where(col(ApiToken.owner).is_not(None))).first()
            is None
        )
