"""Email: every message is stored in the outbox first, then sent by whoever claims it.

A message goes pending -> sending (one sender's claim, by a guarded UPDATE, so two schedulers
never both send it) -> sent. A server that is down or answers 4xx leaves it pending with the
next attempt pushed back by `mail.retry_seconds`; a permanent 5xx leaves it failed with the
server's answer. A sender that dies holding a claim releases it when the lease lapses, and the
message is sent again with the same Message-ID: the one window (accepted by the server, then
a crash before the row says so) where a message can go twice, so that receivers can tell.
"""

from __future__ import annotations

import email.policy
import logging
import os
import smtplib
import socket
import ssl
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

from sqlalchemy import Engine, select, update
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, col

from estate.config import ConfigError, MailSettings, Settings
from estate.config.loading import secret_from_env
from estate.db.bulk import dialect_insert
from estate.models import OutboxMessage
from estate.models.base import table_of, utcnow
from estate.models.outbox import MessageStatus

log = logging.getLogger(__name__)
OUTBOX = table_of(OutboxMessage)
_SMTP_POLICY = email.policy.SMTP


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class Email:
    subject: str
    text: str
    html: str
    attachments: tuple[Attachment, ...] = ()


def compose(mail: Email, sender: str, recipients: Sequence[str]) -> EmailMessage:
    """text/plain and text/html as alternatives, then the attachments; 7-bit clean."""
    message = EmailMessage()
    message["Subject"] = mail.subject
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Date"] = formatdate(localtime=False)
    domain = sender.rpartition("@")[2] or "estate.local"
    message["Message-ID"] = make_msgid(domain=domain)
    message.set_content(mail.text, cte="quoted-printable")
    message.add_alternative(mail.html, subtype="html", cte="quoted-printable")
    for attachment in mail.attachments:
        maintype, _, subtype = attachment.content_type.partition("/")
        message.add_attachment(
            attachment.data, maintype=maintype, subtype=subtype, filename=attachment.filename
        )
    return message


def enqueue(
    session: Session,
    settings: Settings,
    mail: Email,
    recipients: Sequence[str],
    *,
    kind: str,
    dedupe_key: str | None = None,
) -> int | None:
    """Store a message to send; returns its id, or None if `dedupe_key` was already stored."""
    if not recipients:
        raise ConfigError(f"{kind}: no recipients configured")
    message = compose(mail, settings.mail.from_address, recipients)
    statement: Any = dialect_insert(session, OUTBOX).values(
        kind=kind,
        subject=mail.subject,
        recipients=list(recipients),
        message_id=message["Message-ID"],
        message=message.as_string(policy=_SMTP_POLICY),
        status=MessageStatus.PENDING,
        attempts=0,
        created_at=utcnow(),
        next_attempt_at=utcnow(),
        dedupe_key=dedupe_key,
    )
    if dedupe_key is not None:
        statement = statement.on_conflict_do_nothing(index_elements=["dedupe_key"])
    return session.execute(statement.returning(OUTBOX.c.id)).scalar()


@dataclass
class Delivery:
    sent: int = 0
    deferred: int = 0
    failed: int = 0


@dataclass(frozen=True)
class Outcome:
    sent: bool
    permanent: bool = False
    # The server cannot take anything now (down, refusing us, TLS or login failing).
    server_down: bool = False
    error: str | None = None


def deliver_due(
    engine: Engine, settings: Settings, *, now: datetime | None = None, limit: int | None = None
) -> Delivery:
    """Send what is due: each message claimed first; stops early if the server is down."""
    now = now or utcnow()
    delivery = Delivery()
    if settings.mail.host is None:
        log.debug("mail.host is not set: messages wait in the outbox")
        return delivery
    release_lapsed(engine, now)
    # One identity per drain: threads of one process must not record each other's claims.
    sender = f"{worker_identity()}:{uuid.uuid4().hex[:8]}"
    with SmtpSender(settings) as smtp:
        for message_id in _due_ids(engine, now, limit or settings.mail.batch_size):
            message = claim(engine, message_id, sender, now, settings.mail.lease_seconds)
            if message is None:
                continue  # another sender took it
            outcome = smtp.send(message)
            _record(engine, message, outcome, sender, now, settings.mail.retry_seconds)
            if outcome.sent:
                delivery.sent += 1
            elif outcome.permanent:
                delivery.failed += 1
            else:
                delivery.deferred += 1
            if outcome.server_down:
                break
    return delivery


def worker_identity() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _due_ids(engine: Engine, now: datetime, limit: int) -> list[int]:
    query = (
        select(col(OutboxMessage.id))
        .where(
            col(OutboxMessage.status) == MessageStatus.PENDING,
            col(OutboxMessage.next_attempt_at) <= now,
        )
        .order_by(col(OutboxMessage.next_attempt_at), col(OutboxMessage.id))
        .limit(limit)
    )
    with Session(engine) as session:
        return [int(i) for i in session.execute(query).scalars()]


def claim(
    engine: Engine, message_id: int, sender: str, now: datetime, lease_seconds: int
) -> OutboxMessage | None:
    """pending -> sending for this sender, or None if another got there first."""
    with Session(engine, expire_on_commit=False) as session:
        result: Any = session.execute(
            update(OutboxMessage)
            .where(
                col(OutboxMessage.id) == message_id,
                col(OutboxMessage.status) == MessageStatus.PENDING,
                col(OutboxMessage.next_attempt_at) <= now,
            )
            .values(
                status=MessageStatus.SENDING,
                claimed_by=sender,
                claimed_until=now + timedelta(seconds=lease_seconds),
                attempts=col(OutboxMessage.attempts) + 1,
            )
        )
        if result.rowcount != 1:
            session.rollback()
            return None
        session.commit()
        return session.get(OutboxMessage, message_id)


def release_lapsed(engine: Engine, now: datetime) -> int:
    """Claims whose sender vanished go back to pending."""
    with Session(engine) as session:
        result: Any = session.execute(
            update(OutboxMessage)
            .where(
                col(OutboxMessage.status) == MessageStatus.SENDING,
                col(OutboxMessage.claimed_until) < now,
            )
            .values(status=MessageStatus.PENDING, claimed_by=None, claimed_until=None)
        )
        session.commit()
        if result.rowcount:
            log.warning("outbox: %d message(s) released by a sender that vanished", result.rowcount)
        return int(result.rowcount)


def backoff(attempts: int, retry_seconds: Sequence[int]) -> timedelta:
    """The wait after the given attempt: retry_seconds in turn, then its last value."""
    return timedelta(seconds=retry_seconds[min(max(attempts, 1), len(retry_seconds)) - 1])


def _record(
    engine: Engine,
    message: OutboxMessage,
    outcome: Outcome,
    sender: str,
    now: datetime,
    retry_seconds: Sequence[int],
) -> None:
    if outcome.sent:
        values: dict[str, Any] = {"status": MessageStatus.SENT, "sent_at": utcnow()}
    elif outcome.permanent:
        values = {"status": MessageStatus.FAILED}
        log.error("outbox: message %s refused for good: %s", message.id, outcome.error)
    else:
        values = {
            "status": MessageStatus.PENDING,
            "next_attempt_at": now + backoff(message.attempts, retry_seconds),
        }
        log.warning("outbox: message %s deferred: %s", message.id, outcome.error)
    values |= {"last_error": outcome.error, "claimed_by": None, "claimed_until": None}
    statement = (
        update(OutboxMessage)
        .where(col(OutboxMessage.id) == message.id, col(OutboxMessage.claimed_by) == sender)
        .values(**values)
    )
    # A sent message must be marked sent: wait out a busy database (SQLite's writer lock)
    # rather than leave the claim to lapse and the message to go again.
    for attempt in range(10):
        try:
            with Session(engine) as session:
                session.execute(statement)
                session.commit()
            return
        except OperationalError:
            if attempt == 9:
                raise
            log.warning("outbox: database busy recording message %s; retrying", message.id)
            time.sleep(1 + attempt)


class SmtpSender:
    """One SMTP connection per drain, opened at the first message and reopened after errors."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.mail: MailSettings = settings.mail
        self.smtp: smtplib.SMTP | None = None

    def __enter__(self) -> SmtpSender:
        return self

    def __exit__(self, *_exc: object) -> None:
        self._drop()

    def send(self, message: OutboxMessage) -> Outcome:
        try:
            smtp = self._connection()
            refused = smtp.sendmail(
                self.mail.from_address, message.recipients, message.message.encode("ascii")
            )
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            return Outcome(False, permanent=all(c >= 500 for c in codes), error=_refusals(exc))
        except smtplib.SMTPAuthenticationError as exc:
            self._drop()
            return Outcome(False, server_down=True, error=f"login refused: {_answer(exc)}")
        except smtplib.SMTPResponseException as exc:
            return Outcome(False, permanent=exc.smtp_code >= 500, error=_answer(exc))
        except (smtplib.SMTPException, OSError, ConfigError) as exc:
            self._drop()
            return Outcome(False, server_down=True, error=f"{type(exc).__name__}: {exc}")
        note = f"refused for some recipients: {_describe(refused)}" if refused else None
        return Outcome(True, error=note)

    def _connection(self) -> smtplib.SMTP:
        if self.smtp is None:
            self.smtp = self._connect()
        return self.smtp

    def _connect(self) -> smtplib.SMTP:
        mail = self.mail
        assert mail.host is not None
        name = socket.gethostname()  # not getfqdn(): no DNS lookup on every connection
        smtp: smtplib.SMTP
        if mail.security == "tls":
            smtp = smtplib.SMTP_SSL(
                mail.host, mail.port, name, timeout=mail.timeout_seconds, context=self._tls()
            )
        else:
            smtp = smtplib.SMTP(mail.host, mail.port, name, timeout=mail.timeout_seconds)
            if mail.security == "starttls":
                smtp.starttls(context=self._tls())
        if mail.user:
            smtp.login(mail.user, secret_from_env(mail.password_env, "mail.password_env"))
        return smtp

    def _tls(self) -> ssl.SSLContext:
        if self.mail.ca_file is None:
            return ssl.create_default_context()
        return ssl.create_default_context(cafile=str(self.settings.config_dir / self.mail.ca_file))

    def _drop(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (smtplib.SMTPException, OSError):
                self.smtp.close()
            self.smtp = None


def _answer(exc: smtplib.SMTPResponseException) -> str:
    error = exc.smtp_error
    text = error.decode(errors="replace") if isinstance(error, bytes) else str(error)
    return f"{exc.smtp_code} {text}".strip()


def _describe(refused: dict[str, tuple[int, bytes]]) -> str:
    return "; ".join(
        f"{address}: {code} {answer.decode(errors='replace')}"
        for address, (code, answer) in refused.items()
    )


def _refusals(exc: smtplib.SMTPRecipientsRefused) -> str:
    return f"every recipient refused: {_describe(exc.recipients)}"


def list_outbox(
    session: Session, status: MessageStatus | None = None, limit: int = 50
) -> list[OutboxMessage]:
    query = select(OutboxMessage).order_by(col(OutboxMessage.id).desc()).limit(limit)
    if status is not None:
        query = query.where(col(OutboxMessage.status) == status)
    return list(session.execute(query).scalars())


def retry_failed(session: Session, message_id: int) -> bool:
    """A failed message back to pending (after fixing an address, say)."""
    result: Any = session.execute(
        update(OutboxMessage)
        .where(
            col(OutboxMessage.id) == message_id,
            col(OutboxMessage.status) == MessageStatus.FAILED,
        )
        .values(status=MessageStatus.PENDING, next_attempt_at=utcnow())
    )
    return bool(result.rowcount == 1)
