"""The outbox against a real SMTP server: STARTTLS or implicit TLS with AUTH, retries with
backoff, permanent refusals kept, nothing lost and nothing sent twice."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from estate.config import Settings
from estate.models import OutboxMessage
from estate.models.base import utcnow
from estate.models.outbox import MessageStatus
from estate.outbox.mail import Attachment, Email, backoff, deliver_due, enqueue
from tests.scheduling.conftest import PASSWORD_ENV, mail_config
from tests.scheduling.smtp_peer import SmtpPeer, running
from tests.tls import TlsFiles

EMAIL = Email(
    subject="Scan health: £0 and résumé",
    text="Plain part\n",
    html="<p>HTML part</p>\n",
    attachments=(Attachment("list.csv", "text/csv", b"a,b\r\n1,2\r\n"),),
)
TO = ["ops@northbridge.example"]


def queue(engine: Engine, settings: Settings, key: str | None = None) -> int | None:
    with Session(engine) as session:
        message_id = enqueue(session, settings, EMAIL, TO, kind="test", dedupe_key=key)
        session.commit()
    return message_id


def lines(text: str) -> str:
    return text.replace("\r\n", "\n")


def stored(engine: Engine, message_id: int | None) -> OutboxMessage:
    with Session(engine) as session:
        message = session.get(OutboxMessage, message_id)
        assert message is not None
        return message


def test_a_message_goes_over_starttls_with_auth_with_every_part(
    engine: Engine, mail_settings: Settings, smtp: SmtpPeer
) -> None:
    message_id = queue(engine, mail_settings)

    delivery = deliver_due(engine, mail_settings)

    assert (delivery.sent, delivery.deferred, delivery.failed) == (1, 0, 0)
    assert smtp.handler.logins == ["estate"]
    [received] = smtp.received
    assert received.recipients == TO
    message = received.message()
    assert message["Subject"] == EMAIL.subject
    assert message["Message-ID"] == stored(engine, message_id).message_id
    body = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert body is not None and lines(body.get_content()) == "Plain part\n"
    assert html is not None and lines(html.get_content()) == "<p>HTML part</p>\n"
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == "list.csv"
    assert attachment.get_payload(decode=True) == b"a,b\r\n1,2\r\n"
    row = stored(engine, message_id)
    assert (row.status, row.attempts, row.last_error) == (MessageStatus.SENT, 1, None)


@pytest.mark.usefixtures("smtp_password")
# aiosmtpd warns that AUTH does not require (STARTTLS) TLS: here the whole connection is TLS.
@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_implicit_tls(engine: Engine, settings: Settings, tls_files: TlsFiles) -> None:
    with running(SmtpPeer(tls_files, implicit_tls=True)) as peer:
        settings.mail = mail_config(peer.port, tls_files.ca, security="tls")
        queue(engine, settings)
        assert deliver_due(engine, settings).sent == 1
        assert len(peer.received) == 1


@pytest.mark.usefixtures("smtp_password")
def test_server_down_keeps_the_message_and_delivers_it_once_when_it_is_up(
    engine: Engine, settings: Settings, tls_files: TlsFiles
) -> None:
    peer = SmtpPeer(tls_files)  # its port is chosen, nothing listens yet
    settings.mail = mail_config(peer.port, tls_files.ca)
    message_id = queue(engine, settings)
    now = utcnow()

    down = deliver_due(engine, settings, now=now)
    row = stored(engine, message_id)
    assert (down.sent, down.deferred) == (0, 1)
    assert row.status == MessageStatus.PENDING and row.attempts == 1
    assert "ConnectionRefusedError" in (row.last_error or "")
    assert row.next_attempt_at == now + timedelta(seconds=60)

    with running(peer):
        early = deliver_due(engine, settings, now=now + timedelta(seconds=30))
        later = deliver_due(engine, settings, now=now + timedelta(seconds=61))
        again = deliver_due(engine, settings, now=now + timedelta(days=1))
        received = list(peer.received)

    assert (early.sent, later.sent, again.sent) == (0, 1, 0)
    assert len(received) == 1
    row = stored(engine, message_id)
    assert (row.status, row.attempts, row.last_error) == (MessageStatus.SENT, 2, None)


def test_a_4xx_answer_is_retried_with_backoff(
    engine: Engine, mail_settings: Settings, smtp: SmtpPeer
) -> None:
    smtp.handler.answers = ["451 4.3.0 mailbox busy, try later"]
    message_id = queue(engine, mail_settings)
    now = utcnow()

    first = deliver_due(engine, mail_settings, now=now)
    row = stored(engine, message_id)
    assert (first.deferred, row.status) == (1, MessageStatus.PENDING)
    assert row.last_error == "451 4.3.0 mailbox busy, try later"
    assert row.next_attempt_at == now + timedelta(seconds=60)

    second = deliver_due(engine, mail_settings, now=now + timedelta(seconds=60))
    assert second.sent == 1
    assert len(smtp.received) == 1


def test_a_permanent_550_is_kept_failed_with_its_error(
    engine: Engine, mail_settings: Settings, smtp: SmtpPeer
) -> None:
    smtp.handler.answers = ["550 5.1.1 no such mailbox"]
    message_id = queue(engine, mail_settings)

    delivery = deliver_due(engine, mail_settings)
    later = deliver_due(engine, mail_settings, now=utcnow() + timedelta(days=1))

    assert (delivery.failed, later.sent, later.failed) == (1, 0, 0)
    row = stored(engine, message_id)
    assert (row.status, row.last_error) == (MessageStatus.FAILED, "550 5.1.1 no such mailbox")
    assert smtp.received == []


def test_a_wrong_password_is_a_server_problem_and_the_message_waits(
    engine: Engine, mail_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(PASSWORD_ENV, "wrong")
    message_id = queue(engine, mail_settings)

    delivery = deliver_due(engine, mail_settings)

    row = stored(engine, message_id)
    assert (delivery.deferred, row.status) == (1, MessageStatus.PENDING)
    assert (row.last_error or "").startswith("login refused: 535")


def test_the_same_dedupe_key_is_stored_once(engine: Engine, mail_settings: Settings) -> None:
    first = queue(engine, mail_settings, key="report:scan-health:slot-1")
    second = queue(engine, mail_settings, key="report:scan-health:slot-1")

    assert first is not None and second is None


def test_two_senders_at_once_send_each_message_once(
    engine: Engine, mail_settings: Settings, smtp: SmtpPeer
) -> None:
    ids = [queue(engine, mail_settings) for _ in range(6)]
    barrier = threading.Barrier(3)

    def drain() -> None:
        barrier.wait()
        deliver_due(engine, mail_settings)

    threads = [threading.Thread(target=drain) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    ids_received = sorted(r.message()["Message-ID"] for r in smtp.received)
    assert ids_received == sorted(stored(engine, i).message_id for i in ids)
    assert {stored(engine, i).status for i in ids} == {MessageStatus.SENT}


def test_backoff_walks_the_list_then_repeats_its_last_value() -> None:
    waits = [backoff(attempt, [60, 300, 900]).total_seconds() for attempt in range(1, 6)]

    assert waits == [60, 300, 900, 900, 900]
