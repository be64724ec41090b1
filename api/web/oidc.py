"""The OpenID Connect client: Authlib's, for the authorization-code flow with PKCE (S256), its
state and nonce, and the ID token's signature (the provider's JWKS, found by discovery), issuer,
audience, expiry and nonce checked by Authlib's CodeIDToken. One per app, made on first use.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.base_client import BaseApp, OAuthError
from authlib.integrations.base_client.sync_app import OAuth2Mixin
from authlib.integrations.base_client.sync_openid import OpenIDMixin
from authlib.integrations.requests_client import OAuth2Session
from joserfc.errors import JoseError

from estate.config import ConfigError, OidcSettings, Settings, is_loopback

# Secrets nobody should run with: the example file's and the usual stand-ins.
PLACEHOLDER_SECRETS = frozenset(
    {"", "change-me", "changeme", "secret", "client-secret", "placeholder", "xxx", "todo"}
)


class SignInFailed(Exception):
    """The provider's answer could not be used (refused, forged, replayed or unreachable)."""


class _Provider(OAuth2Mixin, OpenIDMixin, BaseApp):
    client_cls = OAuth2Session


@dataclass(frozen=True)
class Authorization:
    """Where to send the browser, and what the callback must find again."""

    url: str
    state: str
    nonce: str
    code_verifier: str


class OidcClient:
    def __init__(self, oidc: OidcSettings, client_secret: str) -> None:
        self.oidc = oidc
        self._app = _Provider(
            framework=None,
            client_id=oidc.client_id,
            client_secret=client_secret,
            server_metadata_url=f"{oidc.issuer}/.well-known/openid-configuration",
            client_kwargs={
                "scope": " ".join(oidc.scopes),
                "code_challenge_method": "S256",
                "default_timeout": oidc.timeout_seconds,
            },
        )

    def begin(self, redirect_uri: str) -> Authorization:
        try:
            made = self._app.create_authorization_url(redirect_uri)
        except (requests.RequestException, ValueError, AuthlibBaseError) as exc:
            raise SignInFailed(f"the sign-in provider could not be reached: {exc}") from None
        return Authorization(made["url"], made["state"], made["nonce"], made["code_verifier"])

    def finish(self, code: str, code_verifier: str, redirect_uri: str, nonce: str) -> Any:
        """The ID token's claims once every check passed."""
        try:
            token = self._app.fetch_access_token(
                redirect_uri=redirect_uri, code=code, code_verifier=code_verifier
            )
            # The issuer configured, not merely the one discovery named; this app as audience.
            expected = {
                "iss": {"essential": True, "value": self.oidc.issuer},
                "aud": {"essential": True, "value": self.oidc.client_id},
            }
            claims = self._app.parse_id_token(
                token, nonce, claims_options=expected, leeway=self.oidc.leeway_seconds
            )
        except (
            requests.RequestException,
            OAuthError,
            AuthlibBaseError,
            JoseError,
            ValueError,
        ) as exc:
            raise SignInFailed(f"the provider's answer was refused: {exc}") from None
        if claims is None:
            raise SignInFailed("the provider sent no ID token")
        return claims


def client_secret(oidc: OidcSettings, settings: Settings) -> str:
    """The secret from the variable or file named; a placeholder is refused unless the
    provider is on loopback (a developer's or a test's)."""
    if oidc.client_secret_file:
        path = settings.config_dir / Path(oidc.client_secret_file)
        try:
            secret = path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(f"auth.oidc.client_secret_file: cannot read {path}: {exc}") from None
    else:
        secret = os.environ.get(oidc.client_secret_env or "", "").strip()
        if not secret:
            name = oidc.client_secret_env
            raise ConfigError(f"auth.oidc: environment variable {name} is not set")
    if secret.casefold() in PLACEHOLDER_SECRETS and not is_loopback(oidc.issuer):
        raise ConfigError("auth.oidc: the client secret is a placeholder; set the real one")
    return secret
