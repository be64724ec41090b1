"""The dashboard in a real browser: Debian's chromium driven by Playwright against
`estate serve` on loopback with the demo estate. Sign in, compare every headline number with
the API, approve a candidate, download the XLSX, and check each page with axe-core.

Screenshots go to tests/.output/browser/<database>/.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook

from tests.conftest import fresh_database
from tests.peers import free_port, missing_peer, wait_for_port

ROOT = Path(__file__).resolve().parents[2]
ESTATE = str(Path(sys.executable).with_name("estate"))
CONFIG = str(ROOT / "examples/estate.example.toml")
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
AXE = ROOT / "tests/.peers/axe/node_modules/axe-core/axe.min.js"
OUTPUT = ROOT / "tests/.output/browser" / os.environ.get("ESTATE_TEST_DB", "sqlite")
PAGES = ["/migration", "/outcomes", "/hosting", "/decommission", "/devices", "/scans", "/tokens"]
# WCAG 2.0, 2.1 and 2.2, levels A and AA.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


class Served:
    def __init__(self, base: str, tokens: dict[str, str]) -> None:
        self.base = base
        self.tokens = tokens

    def api(self, path: str, role: str = "viewer", **params: Any) -> Any:
        headers = {"Authorization": f"Bearer {self.tokens[role]}"}
        response = httpx.get(self.base + path, headers=headers, params=params, timeout=30)
        response.raise_for_status()
        return response.json()


def _estate(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [ESTATE, "--config", CONFIG, *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=1200,  # the demo replays eighteen months
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _candidates(served: Served) -> None:
    """Retire two powered-off servers through the API: they become decommission candidates."""
    servers = served.api("/api/v1/servers", limit=1000)["items"]
    off = [s["id"] for s in servers if s["power_state"] == "off"][:2]
    body = {"assignments": [{"server": i, "strategy": "retire"} for i in off]}
    headers = {"Authorization": f"Bearer {served.tokens['infra']}"}
    response = httpx.post(served.base + "/api/v1/assignments", json=body, headers=headers)
    response.raise_for_status()


@contextmanager
def serve_demo(
    tmp_path_factory: pytest.TempPathFactory,
    roles: tuple[str, ...],
    name: str = "serve",
    **extra_env: str,
) -> Iterator[Served]:
    """`estate serve` over its own database, loaded with the demo by `estate demo`, with a
    token for each role (`ROLE-user`) and two decommission candidates."""
    with fresh_database(tmp_path_factory) as url:
        # The demo config's baseline_date is where the demo's replayed months start.
        env = {**os.environ, "ESTATE_DATABASE_URL": url, **extra_env}
        _estate(env, "db", "upgrade")
        _estate(env, "demo")
        tokens = {
            role: _estate(env, "token", "create", "--name", f"{role}-user", "--role", role).split()[
                0
            ]
            for role in roles
        }
        port = free_port()
        OUTPUT.mkdir(parents=True, exist_ok=True)
        log = (OUTPUT / f"{name}.log").open("w")
        server = subprocess.Popen(
            [ESTATE, "--config", CONFIG, "serve", "--port", str(port), "--no-scheduler"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_for_port(port, timeout=60)
            result = Served(f"http://127.0.0.1:{port}", tokens)
            _candidates(result)
            yield result
        finally:
            server.terminate()
            server.wait(timeout=30)
            log.close()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with serve_demo(tmp_path_factory, ("viewer", "infra", "assets")) as result:
        yield result


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing_peer("playwright (pip)")
    if not Path(CHROMIUM).exists():
        missing_peer("chromium (Debian package)")
    if not AXE.exists():
        missing_peer("axe-core (npm, .ci/peers/browser.sh)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium: Any, served: Served) -> Iterator[Any]:
    # The pages forbid scripts; axe is injected by the test, so the test context bypasses CSP.
    context = chromium.new_context(
        base_url=served.base,
        accept_downloads=True,
        bypass_csp=True,
        viewport={"width": 1280, "height": 900},
    )
    yield context.new_page()
    context.close()


def sign_in(page: Any, served: Served, role: str) -> None:
    page.goto("/migration")
    page.get_by_label("API token").fill(served.tokens[role])
    page.get_by_label("API token").press("Enter")
    page.wait_for_url(re.compile(r".*/migration$"))


def number(text: str) -> float:
    """'1,234' -> 1234; '12.5%' -> 12.5; '£3,052,450' -> 3052450."""
    return float(re.sub(r"[^0-9.\-]", "", text))


def numbers(page: Any, selector: str) -> dict[str, float]:
    found = page.locator(f"{selector} [data-field]")
    return {
        found.nth(i).get_attribute("data-field"): number(found.nth(i).inner_text())
        for i in range(found.count())
    }


def axe_problems(page: Any, name: str) -> list[str]:
    """Screenshot the page, then run axe-core on it: its serious and critical violations."""
    OUTPUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=OUTPUT / f"{name}.png", full_page=True)
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_sign_in_then_each_page_passes_axe(page: Any, served: Served) -> None:
    page.goto("/signin")
    serious = {"/signin": axe_problems(page, "signin")}
    sign_in(page, served, "assets")
    cookie = {c["name"]: c for c in page.context.cookies()}["estate_session"]
    assert (cookie["httpOnly"], cookie["secure"], cookie["sameSite"]) == (True, True, "Lax")

    for path in PAGES:
        page.goto(path)
        serious[path] = axe_problems(page, path.strip("/"))
    page.goto("/devices?device_type=spaceship")
    serious["/devices (with an error)"] = axe_problems(page, "devices-error")

    (OUTPUT / "axe.json").write_text(json.dumps(serious, indent=2))
    assert {path: found for path, found in serious.items() if found} == {}


def test_every_headline_number_equals_the_apis(page: Any, served: Served) -> None:
    sign_in(page, served, "viewer")

    page.goto("/migration")
    progress = served.api("/api/v1/progress")
    total = progress["total"]
    assert numbers(page, "#headlines") == {
        key: round(total[key], 1)
        for key in (
            "percent_migrated",
            "migrated",
            "servers",
            "remaining",
            "percent_applications_migrated",
            "applications_migrated",
            "applications",
        )
    }
    for group in progress["by_strategy"]:
        key = group["key"] if group["key"] is not None else "none"
        row = numbers(page, f'#by-strategy tr[data-key="{key}"]')
        assert row["servers"] == group["servers"] and row["migrated"] == group["migrated"]

    page.goto("/hosting")
    site = served.api("/api/v1/sites", q="Civic Centre")["items"][0]
    hosting = served.api(f"/api/v1/sites/{site['id']}/hosting")
    for field in ("servers", "physical_servers", "virtual_servers", "racks", "rack_units"):
        cell = page.locator(f'#on-site tr[data-field="{field}"] td[data-of="now"]')
        assert number(cell.inner_text()) == hosting["now"][field], field
    kw = page.locator('#on-site tr[data-field="watts"] td[data-of="now"]').inner_text()
    assert number(kw) == round(hosting["now"]["watts"] / 1000, 1)

    page.goto("/devices")
    forecast = served.api("/api/v1/devices/replacement-forecast")
    due = served.api("/api/v1/devices", due="true", sort="replacement_due_on", limit=12)
    overdue = forecast["split"]["overdue"]
    assert numbers(page, "#headlines") == {
        "due": due["total"],
        "cost": round(overdue["cost"]),
        "uncosted": overdue["uncosted"],
        "undated": forecast["undated"],
    }
    for key, line in forecast["split"].items():
        row = numbers(page, f'#split tr[data-key="{key}"]')
        assert row == {
            "count": line["count"],
            "cost": round(line["cost"]),
            "uncosted": line["uncosted"],
        }
    shown = page.locator("#due tbody tr")
    assert [int(shown.nth(i).get_attribute("data-id")) for i in range(shown.count())] == [
        d["id"] for d in due["items"]
    ]
    page.locator("#by-year summary").click()
    for year in forecast["years"]:
        row = numbers(page, f'#years tr[data-key="{year["financial_year"]}"]')
        assert row == {
            "count": year["count"],
            "cost": round(year["cost"]),
            "uncosted": year["uncosted"],
        }

    page.goto("/decommission")
    listed = served.api("/api/v1/decommission/candidates")
    assert number(page.locator('[data-field="total"]').inner_text()) == listed["total"] == 174

    page.goto("/scans")
    runs = served.api("/api/v1/scans", sort="-id", limit=1000)["items"]
    latest = {}
    for run in runs:
        latest.setdefault(run["source"], run)
    for source, run in latest.items():
        row = numbers(page, f'#sources tr[data-key="{source}"]')
        assert (row["added"], row["changed"], row["unchanged"], row["missing"]) == (
            run["added"],
            run["changed"],
            run["unchanged"],
            run["missing"],
        )


def test_the_devices_page_is_at_most_three_screens_tall(page: Any, served: Served) -> None:
    """The capital assets team's page: the split and a page of devices due, the long year
    tables folded away (the demo's page was 6,900 px before)."""
    sign_in(page, served, "viewer")

    page.goto("/devices")
    height = page.evaluate("document.documentElement.scrollHeight")

    assert height <= 2700, height


def test_approve_a_candidate_then_download_the_xlsx(page: Any, served: Served) -> None:
    sign_in(page, served, "assets")
    # The demo's capital assets team has decided most candidates: take a deferred one.
    page.goto("/decommission?decision=defer")
    first = served.api("/api/v1/decommission/candidates", decision="defer")["items"][0]
    name = first["hostname"]

    page.get_by_label(f"Decision for {name}").select_option("approve")
    page.get_by_label(f"Note for {name} (optional)").fill("Cleared by the asset board")
    page.get_by_role("button", name=f"Record decision for {name}").click()
    page.wait_for_url(re.compile(r".*done=.*"))
    notice = page.get_by_role("status").inner_text()
    # With an approved server the page also shows the removal form: checked as well.
    assert axe_problems(page, "decommission-approved") == []
    page.goto("/decommission")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download XLSX of the decommission list").click()
    saved = OUTPUT / "decommission-candidates.xlsx"
    OUTPUT.mkdir(parents=True, exist_ok=True)
    download_info.value.save_as(saved)

    assert notice == f"Recorded: approve for {name}."
    reviewed = served.api("/api/v1/decommission/candidates", decision="approve", limit=1000)
    assert [(c["reviewer"], c["note"]) for c in reviewed["items"] if c["hostname"] == name] == [
        ("assets-user", "Cleared by the asset board")
    ]
    sheet = load_workbook(io.BytesIO(saved.read_bytes())).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    by_host = {r[0]: dict(zip(header, r, strict=True)) for r in rows[1:]}
    assert by_host[name]["Decision"] == "approve"
    assert by_host[name]["Reviewer"] == "assets-user"
    assert len(by_host) == served.api("/api/v1/decommission/candidates")["total"]


def test_keyboard_reaches_the_skip_link_and_the_sign_out(page: Any, served: Served) -> None:
    sign_in(page, served, "viewer")
    page.goto("/migration")

    page.keyboard.press("Tab")
    skip = page.evaluate("document.activeElement.textContent")
    page.keyboard.press("Enter")
    focused = page.evaluate("document.activeElement.id")

    assert skip == "Skip to main content"
    assert focused == "main"
    page.get_by_role("button", name="Sign out").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/signin$"))
