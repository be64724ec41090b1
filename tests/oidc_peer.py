"""A real OpenID Connect provider on loopback: oidc-provider-mock (PyPI) in a thread, with the
council's people and their groups, for the sign-in tests (TestClient and browser alike)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import parse_qs, urlsplit

import httpx

from estate.config import AuthSettings, OidcSettings
from estate.status import Role
from tests.peers import missing_peer

CLIENT_ID = "estate-dashboard"
SECRET_ENV = "ESTATE_TEST_OIDC_SECRET"
# Entra ID sends group object ids; names read better in a test and map the same way.
ROLES = {"estate-assets": Role.ASSETS, "estate-readers": Role.VIEWER, "estate-admins": Role.ADMIN}
PEOPLE = {
    "asha": {"email": "asha.patel@council.example", "groups": ["estate-assets", "staff"]},
    "viktor": {"email": "viktor.nowak@council.example", "groups": ["estate-readers"]},
    "nadia": {"email": "nadia.ali@council.example", "groups": ["finance"]},
}


@contextmanager
def provider() -> Iterator[str]:
    """The issuer URL of a running provider that requires a nonce, as a real one does."""
    try:
        from oidc_provider_mock import User, run_server_in_thread
    except ImportError:
        missing_peer("oidc-provider-mock (pip)")
    users = [User(sub=sub, claims=claims) for sub, claims in PEOPLE.items()]
    with run_server_in_thread(port=0, require_nonce=True, user_claims=users) as server:
        yield f"http://localhost:{server.server_port}"


def auth_settings(issuer: str, **overrides: object) -> AuthSettings:
    oidc = OidcSettings(issuer=issuer, client_id=CLIENT_ID, client_secret_env=SECRET_ENV)
    return AuthSettings(oidc=oidc, roles=dict(ROLES), **overrides)  # type: ignore[arg-type]


def set_claims(issuer: str, sub: str, claims: dict[str, object]) -> None:
    """Change what the provider says of a person (their groups moved) from now on."""
    httpx.put(f"{issuer}/users/{sub}", json=claims, timeout=10).raise_for_status()


def authorize(url: str, sub: str) -> str:
    """The person signs in at the provider: the callback URL it sends the browser back to."""
    answer = httpx.post(url, data={"sub": sub}, timeout=10)
    assert answer.status_code == 302, answer.text
    return answer.headers["Location"]


def callback_path(location: str) -> str:
    parts = urlsplit(location)
    assert parse_qs(parts.query).keys() >= {"code", "state"}, location
    return f"{parts.path}?{parts.query}"
