"""`estate token create --expires-in`, `token list` with expiry, and their access events; a
command the database is too busy to take."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select, text
from sqlmodel import Session

from estate.models import AccessEvent, ApiToken
from tests.e2e.conftest import Cli


def test_a_token_made_to_expire_lists_its_expiry_and_each_step_is_an_access_event(
    cli: Cli, engine: Engine
) -> None:
    made = cli(
        "token", "create", "--name", "payroll-sync", "--role", "viewer", "--expires-in", "30d"
    )
    forever = cli("token", "create", "--name", "cmdb-feed", "--role", "infra")
    too_long = cli(
        "token", "create", "--name", "x", "--role", "viewer", "--expires-in", "400d", check_exit=2
    )
    cli("token", "revoke", "payroll-sync")
    listed = cli("token", "list").stdout

    with Session(engine) as session:
        expiry = session.execute(
            select(ApiToken.expires_at).where(ApiToken.name == "payroll-sync")  # type: ignore[call-overload, arg-type]
        ).scalar_one()
        found = session.execute(select(AccessEvent).order_by(AccessEvent.id)).scalars()  # type: ignore[arg-type]
        audit = [
            (e.kind, e.role, e.detail, e.actor.startswith("cli:"), len(e.request_id)) for e in found
        ]
    assert made.stdout.startswith("estate_") and forever.stdout.startswith("estate_")
    assert "between 1m and 365d (access.token_max_days)" in too_long.stderr
    assert abs(expiry - (datetime.now(UTC) + timedelta(days=30))) < timedelta(minutes=5)
    payroll = next(line for line in listed.splitlines() if "payroll-sync" in line)
    feed = next(line for line in listed.splitlines() if "cmdb-feed" in line)
    assert f"{expiry:%Y-%m-%d %H:%M}" in payroll
    assert "never" in feed
    assert audit == [
        ("token-created", "viewer", f"payroll-sync: expires {expiry:%Y-%m-%d %H:%M} UTC", True, 32),
        ("token-created", "infra", "cmdb-feed: no expiry", True, 32),
        ("token-revoked", None, "payroll-sync", True, 32),
    ]


def test_a_database_kept_busy_by_another_writer_ends_the_command_in_one_line(
    cli: Cli, engine: Engine
) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite's one writer at a time; PostgreSQL queues on row locks")
    with engine.connect() as holder:
        holder.begin()
        holder.execute(text("INSERT INTO applications (name) VALUES ('Holder')"))
        done = cli("token", "create", "--name", "late", "--role", "viewer", check_exit=1)
        holder.rollback()

    assert "is busy with another writer while running `estate token create" in done.stderr
    assert "nothing was written" in done.stderr
    assert "Traceback" not in done.stderr
    assert "late" not in cli("token", "list").stdout
