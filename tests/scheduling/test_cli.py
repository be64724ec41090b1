"""`estate report send`, `estate outbox` and the service settings, through the real command."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from estate.config.loading import load_settings
from tests.e2e.conftest import Cli
from tests.scheduling.conftest import PASSWORD_ENV
from tests.scheduling.smtp_peer import USER, SmtpPeer
from tests.tls import TlsFiles


def add_mail(config: Path, port: int, ca: Path) -> None:
    with config.open("a") as f:
        f.write(
            f'\n[mail]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "starttls"\n'
            f'user = "{USER}"\npassword_env = "{PASSWORD_ENV}"\n'
            f'from_address = "estate@northbridge.example"\nca_file = "{ca}"\n'
            '\n[reports.scan-health]\nrecipients = ["ops@northbridge.example"]\n'
            "options = { stale_days = 3 }\n"
        )


@pytest.mark.usefixtures("smtp_password", "engine")
def test_report_send_delivers_now_and_the_outbox_lists_it(
    cli: Cli, config: Path, smtp: SmtpPeer, tls_files: TlsFiles
) -> None:
    add_mail(config, smtp.port, tls_files.ca)

    sent = cli("report", "send", "scan-health")
    listed = cli("outbox")

    assert "message 1: sent" in sent.stdout
    [received] = smtp.received
    assert received.recipients == ["ops@northbridge.example"]
    assert received.message()["Subject"].startswith("Scan health ")
    assert "sent" in listed.stdout and "report:scan-health" in listed.stdout


@pytest.mark.usefixtures("smtp_password")
def test_report_send_with_the_server_down_keeps_it_and_exits_1(
    cli: Cli, config: Path, tls_files: TlsFiles, engine: Engine
) -> None:
    peer = SmtpPeer(tls_files)  # not started
    add_mail(config, peer.port, tls_files.ca)

    done = cli("report", "send", "scan-health", check_exit=1)
    pending = cli("outbox", "--status", "pending")

    assert "message 1: pending" in done.stdout
    assert "ConnectionRefusedError" in done.stderr
    assert "report:scan-health" in pending.stdout


def test_service_settings_from_the_file_and_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "estate.toml"
    path.write_text(
        '[scheduler]\ntimezone = "Europe/London"\n\n[alerts]\nfailures_in_a_row = 2\n'
        'recipients = ["ops@northbridge.example"]\n\n'
        '[reports.migration-progress]\nschedule = "0 7 * * 1"\nrecipients = ["cio@x.example"]\n'
    )
    monkeypatch.setenv("ESTATE_MAIL_HOST", "mail")
    monkeypatch.setenv("ESTATE_MAIL_PORT", "1025")
    monkeypatch.setenv("ESTATE_LOGGING_FORMAT", "json")
    monkeypatch.setenv("ESTATE_SCHEDULER_MISFIRE_GRACE_SECONDS", "120")

    settings = load_settings(path)

    assert (settings.mail.host, settings.mail.port) == ("mail", 1025)
    assert settings.logging.format == "json"
    assert settings.scheduler.misfire_grace_seconds == 120
    assert settings.alerts.failures_in_a_row == 2
    assert settings.reports["migration-progress"].schedule == "0 7 * * 1"
