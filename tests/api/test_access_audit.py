"""Expiring tokens (a 401 that says so) and the access audit: one `access_events` row per
event with the request id, personal-data reads with their record count, none for a role that
sees no personal data; the list for admins only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, update
from sqlmodel import Session

from api.app import create_app
from estate.access import events
from estate.access.tokens import TokenError, create_token, expiry_after
from estate.config import Settings
from estate.history.changelog import Actor
from estate.inventory.records import DeviceRecord
from estate.models import AccessEvent, ApiToken
from estate.status import AccessEventKind, Role
from tests.api.conftest import MakeClient
from tests.core.helpers import complete, scan

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


def rows(engine: Engine) -> list[tuple[str, str, str, int | None]]:
    with Session(engine) as session:
        found = session.execute(select(AccessEvent).order_by(AccessEvent.id)).scalars()  # type: ignore[arg-type]
        return [(e.kind, e.actor, e.request_id, e.records) for e in found]


def token_client(engine: Engine, settings: Settings, expires_at: datetime | None) -> TestClient:
    settings.access.token_cache_seconds = 0  # every request reads its token
    app = create_app(settings)
    app.state.engine = engine
    with Session(engine) as session:
        token = create_token(session, "short-lived", Role.VIEWER, expires_at)
        session.commit()
    return TestClient(app, headers={"Authorization": f"Bearer {token}"})


def test_a_token_stops_working_after_its_expiry_with_a_401_that_says_so(
    engine: Engine, settings: Settings
) -> None:
    expires_at = datetime.now(UTC) + timedelta(days=30)
    client = token_client(engine, settings, expires_at)
    before = client.get("/api/v1/servers")
    # The clock moves past the expiry: the row says it expired a minute ago.
    gone = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1)
    with Session(engine) as session:
        session.execute(update(ApiToken).values(expires_at=gone))
        session.commit()

    after = client.get("/api/v1/servers", headers={"X-Request-ID": "req-expired-1"})
    again = client.get("/api/v1/servers", headers={"X-Request-ID": "req-expired-2"})

    assert before.status_code == 200
    assert (after.status_code, again.status_code) == (401, 401)
    said = f"the token expired at {gone:%Y-%m-%d %H:%M} UTC"
    where = ["header", "Authorization"]
    assert after.json() == {"detail": [{"loc": where, "msg": said, "type": "unauthorized"}]}
    assert after.headers["WWW-Authenticate"] == "Bearer"
    # Recorded once, at the first refusal, with its request id.
    assert rows(engine) == [("token-expired", "short-lived", "req-expired-1", None)]


@pytest.mark.parametrize(
    ("given", "lifetime"),
    [("30d", timedelta(days=30)), ("12h", timedelta(hours=12)), (" 45m ", timedelta(minutes=45))],
)
def test_expires_in_reads_days_hours_and_minutes(given: str, lifetime: timedelta) -> None:
    assert expiry_after(given, 365, NOW) == NOW + lifetime


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("30", "expires-in '30': expected a number of days, hours or minutes (30d)"),
        ("0d", "expires-in '0d': between 1m and 90d (access.token_max_days)"),
        ("91d", "expires-in '91d': between 1m and 90d (access.token_max_days)"),
    ],
)
def test_expires_in_is_refused_by_name(given: str, message: str) -> None:
    with pytest.raises(TokenError) as refused:
        expiry_after(given, 90, NOW)
    assert str(refused.value) == message


def load_held_devices(engine: Engine, settings: Settings) -> None:
    held = [
        DeviceRecord(external_id=f"D{i}", scope="f", asset_tag=f"NBC-{i}", assigned_to=f"p{i}@x")
        for i in range(3)
    ]
    scan(engine, settings, "register", complete(held, "f"))


def test_an_export_with_personal_data_writes_one_row_with_its_record_count(
    make_client: MakeClient, engine: Engine, settings: Settings
) -> None:
    load_held_devices(engine, settings)
    admin = make_client(Role.ADMIN)  # admin-0: granted personal data by default

    exported = admin.get("/api/v1/devices?format=csv", headers={"X-Request-ID": "export-1"})
    listed = admin.get("/api/v1/devices?limit=2", headers={"X-Request-ID": "list-1"})
    one = admin.get("/api/v1/devices/1", headers={"X-Request-ID": "detail-1"})

    assert exported.status_code == listed.status_code == one.status_code == 200
    assert exported.text.count("@x") == 3
    assert rows(engine) == [
        ("personal-data", "admin-0", "export-1", 3),
        ("personal-data", "admin-0", "list-1", 2),
        ("personal-data", "admin-0", "detail-1", 1),
    ]


def test_a_viewers_export_writes_none(
    make_client: MakeClient, engine: Engine, settings: Settings
) -> None:
    load_held_devices(engine, settings)
    viewer = make_client(Role.VIEWER)

    exported = viewer.get("/api/v1/devices?format=xlsx")
    viewer.get("/api/v1/devices")
    viewer.get("/api/v1/changes")

    assert exported.status_code == 200
    assert rows(engine) == []


def test_admins_list_and_export_the_events_and_no_one_else_may(
    make_client: MakeClient, engine: Engine, settings: Settings
) -> None:
    load_held_devices(engine, settings)
    moved = DeviceRecord(external_id="D0", scope="f", asset_tag="NBC-0", assigned_to="q@x")
    scan(engine, settings, "register", iter([moved]))  # one change of who holds it
    admin, assets = make_client(Role.ADMIN), make_client(Role.ASSETS)
    admin.get("/api/v1/devices/2", headers={"X-Request-ID": "detail-2"})
    admin.get("/api/v1/changes?field=assigned_to", headers={"X-Request-ID": "changes-1"})

    listed = admin.get("/api/v1/access-events", params={"kind": "personal-data"})
    one = admin.get("/api/v1/access-events", params={"request_id": "detail-2"})
    csv = admin.get("/api/v1/access-events", params={"format": "csv"})
    bad = admin.get("/api/v1/access-events", params={"kind": "bribe"})
    unix = admin.get("/api/v1/access-events", params={"since": "0.5"})
    refused = assets.get("/api/v1/access-events")

    assert [(e["request_id"], e["records"], e["detail"]) for e in listed.json()["items"]] == [
        ("changes-1", 1, "changes list"),
        ("detail-2", 1, "device 2"),
    ]
    assert one.json()["total"] == 1
    assert csv.headers["content-type"] == "text/csv; charset=utf-8"
    assert csv.text.splitlines()[0] == "Id,At,Event,Who,Role,Request id,Records,Detail"
    assert len(csv.text.splitlines()) == 3
    assert bad.status_code == 422
    assert (unix.status_code, unix.json()["detail"][0]["loc"]) == (422, ["query", "since"])
    assert refused.status_code == 403
    said = "the assets role may not read-access-events"
    where = ["header", "Authorization"]
    assert refused.json() == {"detail": [{"loc": where, "msg": said, "type": "forbidden"}]}


def test_events_older_than_kept_are_forgotten(engine: Engine) -> None:
    now = datetime.now(UTC)
    who = Actor("jo@council.gov.uk", "r1")
    with Session(engine) as session:
        for days in (401, 399):
            events.record(session, AccessEventKind.SIGN_IN, who, role=Role.VIEWER)
            session.execute(
                update(AccessEvent)
                .where(AccessEvent.at > now - timedelta(minutes=5))  # type: ignore[arg-type]
                .values(at=now - timedelta(days=days))
            )
        gone = events.prune(session, 400, now)
        session.commit()

    assert gone == 1
    assert [(kind, actor) for kind, actor, _r, _n in rows(engine)] == [
        ("sign-in", "jo@council.gov.uk")
    ]
