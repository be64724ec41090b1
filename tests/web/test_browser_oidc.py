"""People sign in through the council's identity provider in a real browser, keyboard only:
`estate serve` with `[auth.oidc]` pointing at oidc-provider-mock on loopback. An assets person
approves a candidate, a viewer sees no forms, a person in no mapped group is refused, and axe
stays clean on the new pages.

Screenshots go to tests/.output/browser/<database>/.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.oidc_peer import CLIENT_ID, ROLES, SECRET_ENV, provider
from tests.web.test_browser import Served, axe_problems, chromium, serve_demo

__all__ = ["chromium"]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """`estate serve` over the demo estate, its people signing in through the provider."""
    with provider() as issuer:
        oidc = {"issuer": issuer, "client_id": CLIENT_ID, "client_secret_env": SECRET_ENV}
        env = {
            "ESTATE_AUTH_OIDC": json.dumps(oidc),
            "ESTATE_AUTH_ROLES": json.dumps({group: str(role) for group, role in ROLES.items()}),
            SECRET_ENV: "a-test-secret",
        }
        with serve_demo(
            tmp_path_factory, ("viewer", "infra", "admin"), "serve-oidc", **env
        ) as result:
            yield result


@pytest.fixture
def page(chromium: Any, served: Served) -> Iterator[Any]:
    context = chromium.new_context(
        base_url=served.base, bypass_csp=True, viewport={"width": 1280, "height": 900}
    )
    yield context.new_page()
    context.close()


def press(page: Any, role: str, name: str) -> None:
    """Reach a control by keyboard focus and press Enter on it, as a keyboard user would."""
    page.get_by_role(role, name=name).focus()
    page.keyboard.press("Enter")


def sign_in_at_provider(page: Any, path: str, sub: str) -> list[str]:
    """From a page of the dashboard to the provider and back; axe's findings on the way."""
    page.goto(path)
    page.wait_for_url(re.compile(r".*/signin\?next=.*"))
    found = axe_problems(page, "signin-oidc")
    press(page, "button", "Sign in with your council account")
    page.wait_for_url(re.compile(r".*/oauth2/authorize\?.*"))
    press(page, "button", sub)
    page.wait_for_load_state()
    return found


def test_an_assets_person_signs_in_and_approves_a_candidate(page: Any, served: Served) -> None:
    serious = sign_in_at_provider(page, "/decommission", "asha")
    page.wait_for_url(re.compile(r".*/decommission$"))
    # The demo's capital assets team has decided most candidates: take a deferred one.
    page.goto("/decommission?decision=defer")
    first = served.api("/api/v1/decommission/candidates", decision="defer")["items"][0]
    name = first["hostname"]

    page.get_by_label(f"Decision for {name}").select_option("approve")
    press(page, "button", f"Record decision for {name}")
    page.wait_for_url(re.compile(r".*done=.*"))
    serious += axe_problems(page, "decommission-oidc")

    assert page.get_by_role("status").inner_text() == f"Recorded: approve for {name}."
    reviewed = served.api("/api/v1/decommission/candidates", decision="approve", limit=1000)
    assert [c["reviewer"] for c in reviewed["items"] if c["hostname"] == name] == [
        "asha.patel@council.example"
    ]
    audit = served.api("/api/v1/access-events", "admin", kind="sign-in")["items"]
    assert [(e["actor"], e["role"]) for e in audit][:1] == [
        ("asha.patel@council.example", "assets")
    ]
    assert serious == []


def test_a_viewer_sees_no_forms(page: Any, served: Served) -> None:
    sign_in_at_provider(page, "/decommission", "viktor")
    page.wait_for_url(re.compile(r".*/decommission$"))

    assert page.get_by_role("heading", level=1).count() == 1
    assert page.get_by_role("button", name=re.compile("^Record decision")).count() == 0
    assert page.get_by_role("button", name="Sign out").count() == 1


def test_a_person_in_no_mapped_group_gets_the_refusal_page(page: Any, served: Served) -> None:
    sign_in_at_provider(page, "/migration", "nadia")
    page.wait_for_url(re.compile(r".*/signin/oidc/callback\?.*"))

    assert page.get_by_role("heading", level=1).inner_text() == "You cannot sign in"
    assert "none of your groups is given a role in estate" in page.locator("main").inner_text()
    assert axe_problems(page, "refused") == []
    assert "estate_session" not in {c["name"] for c in page.context.cookies()}
