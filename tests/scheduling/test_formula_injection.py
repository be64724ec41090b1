"""Every file estate writes opens as text in a spreadsheet, never as a formula: API exports,
the dashboard's downloads, email attachments and report previews, each read back as Excel
and a CSV reader see it."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine
from sqlmodel import Session

from estate.config import Settings
from estate.models import Decommission
from estate.models.base import utcnow
from estate.outbox.reports import report_for
from estate.status import DecommissionDecision, MigrationStatus, Role
from tests.api.conftest import MakeClient
from tests.e2e.conftest import Cli
from tests.scheduling.seed import add_device, add_server
from tests.web.conftest import SignIn, browser, make_client, signed_in

__all__ = ["browser", "make_client", "signed_in"]

RISKY = ("=", "+", "-", "@", "\t", "\r")
HOSTILE = {
    "hostname": '=HYPERLINK("http://attacker.example","open")',
    "serial": "+cmd|' /C calc'!A0",
    "asset_tag": "-2+3",
    "note": "@SUM(1,1)",
    "model": "\tSneaky",
    "department": "\rReturn",
}


@pytest.fixture
def hostile(engine: Engine) -> None:
    """A decommission candidate reviewed with a hostile note, and a device due this quarter,
    every text field of theirs a formula."""
    with Session(engine) as session:
        server = add_server(
            session,
            HOSTILE["hostname"],
            serial=HOSTILE["serial"],
            asset_tag=HOSTILE["asset_tag"],
            migration_status=MigrationStatus.DECOMMISSION_APPROVED,
            migration_evidence=[HOSTILE["model"]],
        )
        session.add(
            Decommission(
                server_id=server.id,
                decision=DecommissionDecision.APPROVE,
                note=HOSTILE["note"],
                reviewer=HOSTILE["department"],
                reviewed_at=utcnow(),
            )
        )
        add_device(
            session,
            HOSTILE["asset_tag"],
            date.today() + timedelta(days=1),
            hostname=HOSTILE["hostname"],
            serial=HOSTILE["serial"],
            model=HOSTILE["model"],
            department=HOSTILE["department"],
        )
        session.commit()


def cells(name: str, data: bytes) -> Iterator[object]:
    """Every cell of a CSV or XLSX file; a formula cell comes back as its formula."""
    if name.endswith(".csv"):
        for row in csv.reader(io.StringIO(data.decode("utf-8-sig"))):
            yield from row
        return
    workbook = load_workbook(io.BytesIO(data))
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{name} {cell.coordinate} is a formula"
                yield cell.value


def assert_inert(name: str, data: bytes) -> None:
    found = [c for c in cells(name, data) if isinstance(c, str)]
    risky = [c for c in found if c.startswith(RISKY)]
    assert risky == [], f"{name} holds cells a spreadsheet would run: {risky}"
    assert f"'{HOSTILE['hostname']}" in found, f"{name} lost the hostile value, not neutralised"


@pytest.mark.usefixtures("hostile")
@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/devices?format=csv",
        "/api/v1/devices?format=xlsx",
        "/api/v1/decommission/candidates?format=csv",
        "/api/v1/decommission/candidates?format=xlsx",
    ],
)
def test_api_exports_are_inert(make_client: MakeClient, path: str) -> None:
    client = make_client(Role.ADMIN)

    answer = client.get(path)

    assert answer.status_code == 200
    assert_inert(f"export.{path.rsplit('=', 1)[1]}", answer.content)


@pytest.mark.usefixtures("hostile")
@pytest.mark.parametrize("name", ["export.csv", "export.xlsx"])
def test_dashboard_downloads_are_inert(signed_in: SignIn, name: str) -> None:
    answer = signed_in(Role.VIEWER).get(f"/decommission/{name}")

    assert answer.status_code == 200
    assert_inert(name, answer.content)


@pytest.mark.usefixtures("hostile")
@pytest.mark.parametrize("name", ["decommission-list", "device-replacement"])
def test_email_attachments_are_inert(engine: Engine, settings: Settings, name: str) -> None:
    with Session(engine) as session:
        email = report_for(name).render(session, settings, date.today())

    assert email.attachments
    for attachment in email.attachments:
        assert_inert(attachment.filename, attachment.data)


@pytest.mark.usefixtures("hostile")
@pytest.mark.parametrize("name", ["decommission-list", "device-replacement"])
def test_report_previews_write_inert_attachments(
    cli: Cli, tmp_path: Path, config: Path, name: str
) -> None:
    settings_text = config.read_text()
    config.write_text(settings_text + f'\n[reports.{name}]\nrecipients = ["x@x.example"]\n')
    out = tmp_path / "preview" / f"{name}.html"
    out.parent.mkdir()

    cli("report", "preview", name, "--out", str(out))

    written = sorted(p for p in out.parent.iterdir() if p.suffix in (".csv", ".xlsx"))
    assert written
    for path in written:
        assert_inert(path.name, path.read_bytes())


def test_the_shared_check_catches_a_live_formula() -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    assert workbook.active is not None
    workbook.active.append([HOSTILE["hostname"]])
    data = io.BytesIO()
    workbook.save(data)

    with pytest.raises(AssertionError, match="is a formula"):
        assert_inert("live.xlsx", data.getvalue())
