"""The SMTP server down, then up again, under the schedulers of this pass's database: every
report waits in the outbox while it is down and goes exactly once when it is back.

Two schedulers share PostgreSQL; SQLite, one machine's database, has one. (Two on one SQLite
file can trip over each other's read-then-write transactions, SQLITE_BUSY_SNAPSHOT, when one
renders a report while the other writes: a matter of its own, not of the mail server.)"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

from sqlalchemy import Engine, select
from sqlmodel import Session, col

from estate.config.loading import load_settings
from estate.models import OutboxMessage, ScheduleClaim
from estate.models.outbox import MessageStatus
from estate.outbox.mail import deliver_due
from tests.faults.estate_runs import write_config
from tests.faults.held_graph import HeldGraph
from tests.scheduling.conftest import PASSWORD_ENV
from tests.scheduling.processes import running_schedulers
from tests.scheduling.smtp_peer import USER, SmtpPeer
from tests.tls import TlsFiles


def outbox(engine: Engine) -> list[OutboxMessage]:
    with Session(engine) as session:
        query = select(OutboxMessage).order_by(col(OutboxMessage.id))
        return list(session.execute(query).scalars())


def test_reports_wait_while_the_mail_server_is_down_and_go_once_when_it_is_up(
    engine: Engine,
    database_url: str,
    graph: HeldGraph,
    tmp_path: Path,
    tls_files: TlsFiles,
    smtp_password: str,
) -> None:
    peer = SmtpPeer(tls_files)  # its port is chosen; nothing listens yet
    config = write_config(
        tmp_path,
        database_url,
        graph,
        more=(
            '\n[scheduler]\ncron_seconds = "*/2"\nmisfire_grace_seconds = 1\n'
            "outbox_poll_seconds = 1\nrequest_poll_seconds = 60\n"
            '\n[reports.scan-health]\nschedule = "* * * * *"\n'
            'recipients = ["ops@northbridge.example"]\n'
            f'\n[mail]\nhost = "127.0.0.1"\nport = {peer.port}\nuser = "{USER}"\n'
            f'password_env = "{PASSWORD_ENV}"\nca_file = "{tls_files.ca}"\n'
            'from_address = "estate@northbridge.example"\nretry_seconds = [1]\n'
        ),
    )
    logs = [tmp_path / "a.log", tmp_path / "b.log"][: 1 if engine.dialect.name == "sqlite" else 2]
    try:
        with running_schedulers(config, logs) as schedulers:
            deadline = time.monotonic() + 60
            while not any(m.attempts >= 2 for m in outbox(engine)):  # retried while down
                assert time.monotonic() < deadline, [log.read_text() for log in logs]
                time.sleep(0.2)
            waiting = outbox(engine)
            assert {m.status for m in waiting} <= {MessageStatus.PENDING, MessageStatus.SENDING}
            peer.start()
            while not {m.id for m in waiting} <= {m.id for m in outbox(engine) if m.sent_at}:
                assert time.monotonic() < deadline, [log.read_text() for log in logs]
                time.sleep(0.2)
        deliver_due(engine, load_settings(config))  # what the last slots enqueued
        received = Counter(r.message()["Message-ID"] for r in peer.received)
    finally:
        peer.stop()

    output = "".join(log.read_text() for log in logs)
    assert "Traceback" not in output, output
    assert "deferred: ConnectionRefusedError" in output
    stored = outbox(engine)
    assert {m.status for m in stored} == {MessageStatus.SENT}
    assert received == Counter(m.message_id for m in stored)  # each message exactly once
    assert set(received.values()) == {1}
    with Session(engine) as session:
        slots = session.execute(
            select(col(ScheduleClaim.slot_at)).where(col(ScheduleClaim.job) == "report:scan-health")
        ).scalars()
        assert sorted(m.dedupe_key or "" for m in stored) == sorted(
            f"report:scan-health:{slot.isoformat()}" for slot in slots
        )
    assert {s.returncode for s in schedulers} == {0}
