"""Signing in through a real OpenID Connect provider on loopback (oidc-provider-mock): the
person's groups give their role, a person in no mapped group is refused, and a forged,
replayed or tampered callback is refused; each outcome is one access event."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, update
from sqlmodel import Session

from api.app import create_app
from estate.config import ConfigError, Settings
from estate.models import AccessEvent, OidcLogin, WebSession
from tests.migration.test_decommission import load
from tests.oidc_peer import (
    CLIENT_ID,
    SECRET_ENV,
    auth_settings,
    authorize,
    callback_path,
    provider,
    set_claims,
)
from tests.web.conftest import csrf_of

Browser = Callable[[], TestClient]


@pytest.fixture(scope="module")
def issuer() -> Iterator[str]:
    with provider() as url:
        yield url


@pytest.fixture
def oidc_settings(settings: Settings, issuer: str, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv(SECRET_ENV, "a-test-secret")
    settings.auth = auth_settings(issuer)
    return settings


@pytest.fixture
def person_browser(engine: Engine, oidc_settings: Settings) -> Browser:
    app = create_app(oidc_settings)
    app.state.engine = engine
    return lambda: TestClient(app, base_url="https://testserver", follow_redirects=False)


def begin(browser: TestClient, next_path: str = "/migration") -> str:
    """Press "Sign in with your council account": the provider's authorize URL."""
    started = browser.get("/signin/oidc", params={"next": next_path})
    assert started.status_code == 303, started.text
    return started.headers["location"]


def sign_in(browser: TestClient, sub: str, next_path: str = "/migration") -> TestClient:
    done = browser.get(callback_path(authorize(begin(browser, next_path), sub)))
    assert done.status_code == 303, done.text
    assert done.headers["location"] == next_path
    return browser


def events(engine: Engine) -> list[tuple[str, str, str | None, str | None]]:
    with Session(engine) as session:
        found = session.execute(select(AccessEvent).order_by(AccessEvent.id)).scalars()  # type: ignore[arg-type]
        return [(e.kind, e.actor, e.role, e.detail) for e in found]


def test_the_sign_in_page_offers_the_provider_and_the_request_uses_pkce(
    person_browser: Browser,
) -> None:
    browser = person_browser()

    page = browser.get("/signin")
    location = begin(browser)

    assert 'action="/signin/oidc"' in page.text
    assert 'action="/signin"' in page.text  # token sign-in stays on by default
    assert f"client_id={CLIENT_ID}" in location
    assert "code_challenge_method=S256" in location
    assert "nonce=" in location
    assert "redirect_uri=https%3A%2F%2Ftestserver%2Fsignin%2Foidc%2Fcallback" in location
    cookie = browser.cookies.get("estate_oidc", path="/signin/oidc/callback")
    assert cookie is not None and f"state={cookie}" in location


def test_an_assets_person_sees_the_forms_and_approves_a_candidate(
    client: TestClient, engine: Engine, oidc_settings: Settings, person_browser: Browser
) -> None:
    load(client, engine, oidc_settings)
    asha = sign_in(person_browser(), "asha", "/decommission")

    page = asha.get("/decommission")
    done = asha.post(
        "/decommission/1/review",
        data={"csrf_token": csrf_of(page.text, "/decommission/1/review"), "decision": "approve"},
    )

    assert 'id="decision-1"' in page.text
    assert "asha.patel@council.example" in page.text
    assert done.status_code == 303
    candidate = client.get("/api/v1/decommission/candidates").json()["items"][0]
    assert (candidate["decision"], candidate["reviewer"]) == (
        "approve",
        "asha.patel@council.example",
    )
    assert events(engine) == [("sign-in", "asha.patel@council.example", "assets", "oidc")]
    with Session(engine) as session:
        assert session.execute(select(OidcLogin)).first() is None  # taken once


def test_a_viewer_sees_no_forms(
    client: TestClient, engine: Engine, oidc_settings: Settings, person_browser: Browser
) -> None:
    load(client, engine, oidc_settings)
    viktor = sign_in(person_browser(), "viktor", "/decommission")

    page = viktor.get("/decommission")
    posted = viktor.post(
        "/decommission/1/review", data={"csrf_token": csrf_of(page.text), "decision": "approve"}
    )

    assert page.status_code == 200
    assert "srv1" in page.text
    assert "Record decision" not in page.text
    assert posted.status_code == 403
    assert "Your role (viewer) may not decommission." in posted.text


def test_a_person_in_no_mapped_group_gets_the_refusal_page(
    engine: Engine, person_browser: Browser
) -> None:
    browser = person_browser()

    refused = browser.get(callback_path(authorize(begin(browser), "nadia")))
    after = browser.get("/migration")

    assert refused.status_code == 403
    assert "<h1>You cannot sign in</h1>" in refused.text
    assert (
        "You are signed in as nadia.ali@council.example, but none of your groups is given a "
        "role in estate." in refused.text
    )
    assert after.status_code == 303 and after.headers["location"] == "/signin?next=%2Fmigration"
    assert [e[:2] for e in events(engine)] == [("sign-in-refused", "nadia.ali@council.example")]
    with Session(engine) as session:
        assert session.execute(select(WebSession)).first() is None


def test_a_forged_state_is_refused(engine: Engine, person_browser: Browser) -> None:
    browser = person_browser()
    location = authorize(begin(browser), "asha")
    path = callback_path(location)
    state = browser.cookies.get("estate_oidc", path="/signin/oidc/callback")
    assert state is not None

    forged = browser.get(path.replace(f"state={state}", "state=forged-by-someone"))

    assert forged.status_code == 400
    assert "This sign-in was not started here, was already used or has expired." in forged.text
    assert [e[:2] for e in events(engine)] == [("sign-in-refused", "unknown")]


def test_a_callback_from_another_browser_is_refused(
    engine: Engine, person_browser: Browser
) -> None:
    """Login CSRF: a callback begun in the attacker's browser, opened in the victim's."""
    attacker, victim = person_browser(), person_browser()
    path = callback_path(authorize(begin(attacker), "nadia"))
    begin(victim)  # the victim has a sign-in of their own in flight: another state

    refused = victim.get(path)

    assert refused.status_code == 400
    assert victim.cookies.get("estate_session") is None


def test_a_replayed_callback_is_refused(engine: Engine, person_browser: Browser) -> None:
    browser = person_browser()
    location = authorize(begin(browser), "asha")
    state = browser.cookies.get("estate_oidc", path="/signin/oidc/callback")
    assert state is not None
    first = browser.get(callback_path(location))

    # The same callback again, even with the state cookie put back.
    browser.cookies.set("estate_oidc", state, domain="testserver", path="/signin/oidc/callback")
    replayed = browser.get(callback_path(location))

    assert first.status_code == 303
    assert replayed.status_code == 400
    assert [e[0] for e in events(engine)] == ["sign-in", "sign-in-refused"]


def test_an_id_token_with_another_nonce_is_refused(engine: Engine, person_browser: Browser) -> None:
    """An ID token minted for another sign-in (token injection): its nonce is not the one
    this sign-in sent."""
    browser = person_browser()
    location = authorize(begin(browser), "asha")
    with Session(engine) as session:
        session.execute(update(OidcLogin).values(nonce="the-nonce-of-another-sign-in"))
        session.commit()

    refused = browser.get(callback_path(location))

    assert refused.status_code == 400
    assert "The sign-in was refused: the provider" in refused.text
    assert "nonce" in refused.text
    assert browser.cookies.get("estate_session") is None
    assert [e[:2] for e in events(engine)] == [("sign-in-refused", "unknown")]


def test_a_role_changed_by_the_groups_is_recorded_and_sign_out_too(
    engine: Engine, issuer: str, person_browser: Browser
) -> None:
    sign_in(person_browser(), "viktor")
    set_claims(
        issuer,
        "viktor",
        {"email": "viktor.nowak@council.example", "groups": ["estate-readers", "estate-admins"]},
    )
    try:
        admin = sign_in(person_browser(), "viktor")
        page = admin.get("/migration")
        out = admin.post("/signout", data={"csrf_token": csrf_of(page.text, "/signout")})
    finally:
        set_claims(issuer, "viktor", {"email": "viktor.nowak@council.example", "groups": []})

    who = "viktor.nowak@council.example"
    assert out.status_code == 303
    assert events(engine) == [
        ("sign-in", who, "viewer", "oidc"),
        ("role-changed", who, "admin", "viewer -> admin (group mapping)"),
        ("sign-in", who, "admin", "oidc"),
        ("sign-out", who, "admin", None),
    ]


def test_token_sign_in_can_be_turned_off_for_the_dashboard(
    engine: Engine, oidc_settings: Settings, issuer: str
) -> None:
    oidc_settings.auth = auth_settings(issuer, token_signin=False)
    app = create_app(oidc_settings)
    app.state.engine = engine
    browser = TestClient(app, base_url="https://testserver", follow_redirects=False)

    page = browser.get("/signin")
    posted = browser.post("/signin", data={"token": "estate_x", "csrf_token": "x"})

    assert 'action="/signin/oidc"' in page.text
    assert 'action="/signin"' not in page.text
    assert posted.status_code == 403


def test_a_placeholder_secret_is_refused_for_a_real_provider(
    oidc_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    oidc_settings.auth = auth_settings("https://login.microsoftonline.com/tenant-id/v2.0")
    monkeypatch.setenv(SECRET_ENV, "changeme")

    with pytest.raises(ConfigError) as refused:
        create_app(oidc_settings)

    assert str(refused.value) == "auth.oidc: the client secret is a placeholder; set the real one"


def test_without_oidc_the_provider_routes_are_not_there(browser: Browser) -> None:
    page = browser().get("/signin")
    started = browser().get("/signin/oidc")

    assert 'action="/signin/oidc"' not in page.text
    assert started.status_code == 404
