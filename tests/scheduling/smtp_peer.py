"""A real SMTP server for the tests: aiosmtpd on a free loopback port, with STARTTLS (or
implicit TLS) on a certificate made at test time, and AUTH."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.peers import free_port
from tests.tls import TlsFiles

USER = "estate"
PASSWORD = "correct horse battery staple"


@dataclass
class Received:
    sender: str
    recipients: list[str]
    content: bytes

    def message(self) -> EmailMessage:
        parsed: EmailMessage = message_from_bytes(self.content, policy=policy.default)  # type: ignore[assignment]
        return parsed


@dataclass
class Handler:
    """Keeps what it accepts; `answers` are replies to give DATA first (e.g. "451 later")."""

    received: list[Received] = field(default_factory=list)
    answers: list[str] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.answers:
            return self.answers.pop(0)
        self.received.append(
            Received(envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.content))
        )
        return "250 OK"

    def authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login == USER.encode()
            and auth_data.password == PASSWORD.encode()
        )
        if ok:
            self.logins.append(USER)
        # handled=False: let aiosmtpd answer 535 itself.
        return AuthResult(success=ok, handled=False)


class SmtpPeer:
    """An SMTP server that can be started, stopped and started again on the same port."""

    def __init__(self, tls: TlsFiles, *, implicit_tls: bool = False):
        self.tls = tls
        self.implicit_tls = implicit_tls
        self.port = free_port()
        self.handler = Handler()
        self.controller: Controller | None = None

    def start(self) -> None:
        context = self.tls.server_context()
        tls_options: dict[str, Any] = (
            {"ssl_context": context}
            if self.implicit_tls
            else {"tls_context": context, "require_starttls": True}
        )
        self.controller = Controller(
            self.handler,
            hostname="127.0.0.1",
            port=self.port,
            authenticator=self.handler.authenticate,
            auth_required=True,
            # aiosmtpd counts only STARTTLS as TLS, so with implicit TLS it would hide AUTH.
            auth_require_tls=not self.implicit_tls,
            **tls_options,
        )
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def received(self) -> list[Received]:
        return self.handler.received


@contextmanager
def running(peer: SmtpPeer) -> Iterator[SmtpPeer]:
    peer.start()
    try:
        yield peer
    finally:
        peer.stop()
