"""The dashboard over HTTP: sign-in and its cookie, CSRF on every form, roles, the review and
"scan now" forms, exports, and bad values named on the page instead of a 500 or a bare 422."""

from __future__ import annotations

import io
from collections.abc import Callable

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import Engine, func, select
from sqlmodel import Session

from api.web.templating import NAV
from estate.access.tokens import revoke_token
from estate.config import Settings, SourceConfig
from estate.models import Change, ScanRequest, WebSession
from estate.status import Role
from tests.migration.test_decommission import load
from tests.web.conftest import SignIn, csrf_of, new_token

PAGES = [path for path, _label in NAV]


def test_pages_send_the_browser_to_sign_in_and_back(
    engine: Engine, browser: Callable[[], TestClient]
) -> None:
    client = browser()
    token = new_token(engine, "alice", Role.VIEWER)

    away = client.get("/devices?department=Finance")
    form = client.get(away.headers["location"])
    done = client.post(
        "/signin",
        data={
            "token": token,
            "csrf_token": csrf_of(form.text),
            "next": "/devices?department=Finance",
        },
    )

    assert away.status_code == 303
    assert away.headers["location"] == "/signin?next=%2Fdevices%3Fdepartment%3DFinance"
    assert done.status_code == 303
    assert done.headers["location"] == "/devices?department=Finance"
    cookie = done.headers["set-cookie"]
    assert cookie.startswith("estate_session=")
    for flag in ("HttpOnly", "Path=/", "SameSite=lax", "Secure", "Max-Age=28800"):
        assert flag in cookie
    assert client.get("/devices?department=Finance").status_code == 200


def test_sign_in_refuses_a_bad_token_a_missing_csrf_and_a_foreign_next(
    engine: Engine, browser: Callable[[], TestClient]
) -> None:
    client = browser()
    token = new_token(engine, "alice", Role.VIEWER)
    csrf = csrf_of(client.get("/signin").text)

    # Each form shown carries a new CSRF token (cookie and field), so each post uses the last.
    wrong = client.post("/signin", data={"token": "estate_nope", "csrf_token": csrf})
    forged = browser().post("/signin", data={"token": token, "csrf_token": csrf})
    empty = client.post("/signin", data={"token": " ", "csrf_token": csrf_of(wrong.text)})
    away = client.post(
        "/signin",
        data={"token": token, "csrf_token": csrf_of(empty.text), "next": "//evil.example/x"},
    )

    assert wrong.status_code == 401
    assert "That token is unknown or has been revoked." in wrong.text
    assert 'aria-invalid="true"' in wrong.text
    assert "set-cookie" not in wrong.headers or "estate_session" not in wrong.headers["set-cookie"]
    assert forged.status_code == 401
    assert "The form had expired" in forged.text
    assert "Enter your API token." in empty.text
    assert away.headers["location"] == "/"


def test_every_page_renders_for_a_viewer_without_forms_it_may_not_use(
    client: TestClient, engine: Engine, settings: Settings, signed_in: SignIn
) -> None:
    load(client, engine, settings)
    settings.sources = [SourceConfig(name="cmdb-servers", kind="cmdb")]
    viewer = signed_in(Role.VIEWER)

    pages = {path: viewer.get(path) for path in PAGES}

    for path, page in pages.items():
        assert page.status_code == 200, path
        assert page.headers["content-type"].startswith("text/html")
        assert page.headers["server-timing"].startswith("app;dur=")
        assert "script-src 'none'" in page.headers["content-security-policy"]
        assert page.headers["cache-control"] == "no-store"
        assert f'href="{path}" aria-current="page"' in page.text
    assert "srv1" in pages["/decommission"].text
    assert "Record decision" not in pages["/decommission"].text
    assert "Scan now" not in pages["/scans"].text


def test_assets_approves_a_candidate_and_the_api_shows_it(
    client: TestClient, engine: Engine, settings: Settings, signed_in: SignIn
) -> None:
    load(client, engine, settings)
    assets = signed_in(Role.ASSETS)
    page = assets.get("/decommission")

    done = assets.post(
        "/decommission/1/review",
        data={
            "csrf_token": csrf_of(page.text, "/decommission/1/review"),
            "decision": "approve",
            "note": "Cleared by CAB",
        },
    )
    after = assets.get(done.headers["location"])

    assert 'id="decision-1"' in page.text
    assert done.status_code == 303
    assert done.headers["location"] == "/decommission?done=1#server-1"
    assert "Recorded: approve for srv1." in after.text
    candidate = client.get("/api/v1/decommission/candidates").json()["items"][0]
    assert (candidate["decision"], candidate["note"], candidate["reviewer"]) == (
        "approve",
        "Cleared by CAB",
        "assets-0",
    )
    assert candidate["migration_status"] == "decommission-approved"
    changes = client.get("/api/v1/changes", params={"actor": "assets-0"}).json()["items"]
    assert {c["field"] for c in changes} >= {"decommission_decision", "decommission_note"}


def test_a_bad_review_is_named_on_the_page_and_records_nothing(
    client: TestClient, engine: Engine, settings: Settings, signed_in: SignIn
) -> None:
    load(client, engine, settings)
    assets = signed_in(Role.ASSETS)
    csrf = csrf_of(assets.get("/decommission").text)

    no_choice = assets.post("/decommission/1/review", data={"csrf_token": csrf, "note": "x"})
    not_listed = assets.post(
        "/decommission/3/review", data={"csrf_token": csrf, "decision": "approve"}
    )
    too_long = assets.post(
        "/decommission/1/review",
        data={"csrf_token": csrf, "decision": "defer", "note": "n" * 2001},
    )

    assert no_choice.status_code == 400
    assert (
        '<a href="#decision-1">Choose approve, reject or defer for server 1.</a>' in no_choice.text
    )
    assert not_listed.status_code == 400
    assert "server 3 is not a decommission candidate" in not_listed.text
    assert too_long.status_code == 400
    assert 'href="#note-1"' in too_long.text
    with Session(engine) as session:
        fields = session.execute(select(Change.field)).scalars().all()
    assert not [f for f in fields if f.startswith("decommission_")]


def test_assets_records_the_removal_of_an_approved_server(
    client: TestClient, engine: Engine, settings: Settings, signed_in: SignIn
) -> None:
    load(client, engine, settings)
    assets = signed_in(Role.ASSETS)
    csrf = csrf_of(assets.get("/decommission").text)
    assets.post("/decommission/1/review", data={"csrf_token": csrf, "decision": "approve"})
    form = assets.get("/decommission").text
    removal = {
        "csrf_token": csrf_of(form, "/decommission/1/complete"),
        "removed_on": "2026-11-20",
        "disposal_reference": "WEEE-2026-118",
        "data_sanitisation_reference": "DS-0042",
    }

    missing = assets.post("/decommission/1/complete", data={**removal, "disposal_reference": " "})
    future = assets.post("/decommission/1/complete", data={**removal, "removed_on": "2999-01-01"})
    done = assets.post("/decommission/1/complete", data=removal)
    after = assets.get(done.headers["location"])

    assert 'id="removed_on-1"' in form and 'id="removed_on-2"' not in form
    assert missing.status_code == 400
    assert '<a href="#disposal_reference-1">Enter the disposal reference for server 1.</a>' in (
        missing.text
    )
    assert future.status_code == 400
    assert '<a href="#removed_on-1">removed_on is in the future</a>' in future.text
    assert done.status_code == 303
    assert "Recorded: srv1 removed on 20 Nov 2026." in after.text
    assert 'id="removed_on-1"' not in after.text
    candidate = client.get("/api/v1/decommission/candidates").json()["items"][0]
    assert (candidate["migration_status"], candidate["disposal_reference"]) == (
        "decommissioned",
        "WEEE-2026-118",
    )
    assert candidate["completed_by"] == "assets-0"


def test_forms_need_this_sessions_csrf_token_and_the_role(
    client: TestClient, engine: Engine, settings: Settings, signed_in: SignIn
) -> None:
    load(client, engine, settings)
    assets, other, viewer = signed_in(Role.ASSETS), signed_in(Role.ASSETS), signed_in(Role.VIEWER)
    others_csrf = csrf_of(other.get("/decommission").text)

    missing = assets.post("/decommission/1/review", data={"decision": "approve"})
    foreign = assets.post(
        "/decommission/1/review", data={"decision": "approve", "csrf_token": others_csrf}
    )
    refused = viewer.post(
        "/decommission/1/review",
        data={"decision": "approve", "csrf_token": csrf_of(viewer.get("/decommission").text)},
    )

    assert (missing.status_code, foreign.status_code, refused.status_code) == (403, 403, 403)
    assert "did not come from this site" in missing.text
    assert "Your role (viewer) may not decommission." in refused.text
    candidate = client.get("/api/v1/decommission/candidates").json()["items"][0]
    assert candidate["decision"] is None


def test_exports_are_the_apis(
    client: TestClient, engine: Engine, settings: Settings, signed_in: SignIn
) -> None:
    load(client, engine, settings)
    viewer = signed_in(Role.VIEWER)

    xlsx = viewer.get("/decommission/export.xlsx")
    csv_page = viewer.get("/decommission/export.csv?status=retired")
    api_csv = client.get("/api/v1/decommission/candidates?format=csv&status=retired")
    json = viewer.get("/decommission/export.json")

    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Hostname", "Serial", "Asset tag")
    assert [r[0] for r in rows[1:]] == ["srv1", "'" + '=HYPERLINK("http://x","y")']
    assert xlsx.headers["content-disposition"] == (
        'attachment; filename="decommission-candidates.xlsx"'
    )
    assert csv_page.content == api_csv.content
    assert json.status_code == 404


def test_infra_queues_a_scan_and_others_may_not(
    engine: Engine, settings: Settings, signed_in: SignIn
) -> None:
    settings.sources = [
        SourceConfig(name="cmdb-servers", kind="cmdb"),
        SourceConfig(name="old-cmdb", kind="cmdb", enabled=False),
    ]
    infra, assets = signed_in(Role.INFRA), signed_in(Role.ASSETS)
    page = infra.get("/scans")
    csrf = csrf_of(page.text)

    queued = infra.post(
        "/scans/cmdb-servers", data={"csrf_token": csrf_of(page.text, "/scans/cmdb-servers")}
    )
    after = infra.get(queued.headers["location"])
    disabled = infra.post("/scans/old-cmdb", data={"csrf_token": csrf})
    refused = assets.post(
        "/scans/cmdb-servers", data={"csrf_token": csrf_of(assets.get("/scans").text)}
    )

    assert page.text.count("Scan now") == 1
    assert queued.status_code == 303
    assert "A scan of cmdb-servers is queued" in after.text
    assert disabled.status_code == 400
    assert "source &#39;old-cmdb&#39; is disabled" in disabled.text
    assert refused.status_code == 403
    with Session(engine) as session:
        requests = session.execute(select(ScanRequest)).scalars().all()
    assert [(r.source, r.requested_by) for r in requests] == [("cmdb-servers", "infra-0")]


def test_bad_values_are_named_and_the_page_still_shows(signed_in: SignIn) -> None:
    viewer = signed_in(Role.VIEWER)

    devices = viewer.get("/devices?device_type=spaceship")
    apps = viewer.get("/migration?apps_offset=lots")
    site = viewer.get("/hosting?site=Atlantis")
    listed = viewer.get("/decommission?decision=maybe&offset=-1")

    assert devices.status_code == 400
    assert "device_type must be one of laptop, desktop" in devices.text
    assert "Devices due for replacement" in devices.text
    assert apps.status_code == 400 and "apps_offset must be a whole number" in apps.text
    assert site.status_code == 400 and "There is no site &#39;Atlantis&#39;" in site.text
    assert listed.status_code == 400
    assert "decision must be one of approve, reject, defer" in listed.text
    assert "offset must be a whole number" in listed.text


def test_signing_out_or_revoking_the_token_ends_the_session(
    engine: Engine, browser: Callable[[], TestClient]
) -> None:
    tokens = {name: new_token(engine, name, Role.VIEWER) for name in ("alice", "bob")}
    clients = {}
    for name, token in tokens.items():
        clients[name] = browser()
        csrf = csrf_of(clients[name].get("/signin").text)
        clients[name].post("/signin", data={"token": token, "csrf_token": csrf})

    page = clients["alice"].get("/migration")
    out = clients["alice"].post("/signout", data={"csrf_token": csrf_of(page.text)})
    with Session(engine) as session:
        revoke_token(session, "bob")
        session.commit()

    assert out.status_code == 303 and out.headers["location"] == "/signin"
    assert 'estate_session=""' in out.headers["set-cookie"]
    assert clients["alice"].get("/migration").status_code == 303
    assert clients["bob"].get("/migration").headers["location"] == "/signin?next=%2Fmigration"
    with Session(engine) as session:
        assert session.execute(select(func.count()).select_from(WebSession)).scalar_one() == 1
