from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from estate.config import MailSettings, Settings
from estate.db import make_engine
from tests.scheduling.smtp_peer import PASSWORD, USER, SmtpPeer, running
from tests.tls import TlsFiles, make_tls_files

PASSWORD_ENV = "ESTATE_TEST_SMTP_PASSWORD"


@pytest.fixture(scope="session")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> TlsFiles:
    return make_tls_files(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def smtp(tls_files: TlsFiles) -> Iterator[SmtpPeer]:
    """A STARTTLS + AUTH server, running."""
    with running(SmtpPeer(tls_files)) as peer:
        yield peer


@pytest.fixture
def writer_engine(engine: Engine) -> Iterator[Engine]:
    """The test database as the `estate` command opens it for the scheduler: on SQLite each
    transaction takes the write lock at BEGIN, so a report that reads then writes queues behind
    a scan instead of being refused (SQLITE_BUSY_SNAPSHOT). Emptied after the test as `engine`."""
    writer = make_engine(engine.url.render_as_string(hide_password=False), sqlite_writer=True)
    yield writer
    writer.dispose()


@pytest.fixture
def smtp_password(monkeypatch: pytest.MonkeyPatch) -> str:
    """The SMTP password in the environment, as a deployment has it."""
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    return PASSWORD


@pytest.fixture
def mail_settings(
    settings: Settings, smtp: SmtpPeer, tls_files: TlsFiles, smtp_password: str
) -> Settings:
    """The test settings pointed at the STARTTLS server, trusting its CA."""
    settings.mail = mail_config(smtp.port, tls_files.ca)
    return settings


def mail_config(port: int, ca: Path, security: str = "starttls") -> MailSettings:
    return MailSettings(
        host="127.0.0.1",
        port=port,
        security=security,  # type: ignore[arg-type]
        user=USER,
        password_env=PASSWORD_ENV,
        from_address="estate@northbridge.example",
        ca_file=str(ca),
        timeout_seconds=10,
        retry_seconds=[60, 300],
    )


# The end-to-end fixtures: the real `estate` command against the test database.
from tests.api.conftest import client, make_client  # noqa: E402, F401
from tests.e2e.conftest import cli, config  # noqa: E402, F401
