"""`[auth]`: how people sign in to the dashboard. `[auth.oidc]` (absent: off) names an OpenID
Connect provider such as Microsoft Entra ID; `[auth.roles]` maps the provider's groups to estate
roles. The client secret is never in the file: `client_secret_env` names the variable holding
it, or `client_secret_file` a file (a container secret) relative to the config file."""

from __future__ import annotations

from ipaddress import ip_address
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from estate.status import Role

# Secrets nobody should run with: the example file's and the usual stand-ins.
PLACEHOLDER_SECRETS = frozenset(
    {"", "change-me", "changeme", "secret", "client-secret", "placeholder", "xxx", "todo"}
)


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


def is_loopback(url: str) -> bool:
    """The provider runs on this machine: a developer's or a test's, never a council's."""
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


class OidcSettings(_Section):
    """`[auth.oidc]`: the provider (found by discovery at `issuer`) and this app's client."""

    # Entra ID: https://login.microsoftonline.com/<tenant id>/v2.0
    issuer: str = Field(min_length=1)
    client_id: str = Field(min_length=1)
    client_secret_env: str | None = "ESTATE_OIDC_CLIENT_SECRET"
    client_secret_file: str | None = None
    scopes: list[str] = Field(default_factory=lambda: ["openid", "profile", "email"])
    # The ID token claim listing the person's groups (Entra ID: "groups", or "roles" for app
    # roles); its values are matched against `[auth.roles]`.
    groups_claim: str = "groups"
    # Only people whose email (or preferred_username) is in one of these domains; empty: any.
    allowed_domains: list[str] = Field(default_factory=list)
    # Where the provider sends the browser back; none: this site's /signin/oidc/callback as
    # the request reached it (set it behind a proxy that rewrites the host).
    redirect_uri: str | None = None
    # Clock skew allowed when checking the ID token's exp and iat.
    leeway_seconds: int = Field(default=60, ge=0, le=600)
    timeout_seconds: float = Field(default=10.0, gt=0)

    @field_validator("issuer")
    @classmethod
    def _https_issuer(cls, value: str) -> str:
        if not value.startswith("https://") and not is_loopback(value):
            raise ValueError("the issuer must be an https:// URL (http only on loopback)")
        return value.rstrip("/")

    @field_validator("scopes")
    @classmethod
    def _openid_scope(cls, value: list[str]) -> list[str]:
        if "openid" not in value:
            raise ValueError("the scopes must include 'openid'")
        return value

    @field_validator("allowed_domains")
    @classmethod
    def _lower_domains(cls, value: list[str]) -> list[str]:
        return [domain.strip().lstrip("@").casefold() for domain in value if domain.strip()]

    @model_validator(mode="after")
    def _one_secret_source(self) -> OidcSettings:
        if not self.client_secret_env and not self.client_secret_file:
            raise ValueError("name client_secret_env or client_secret_file")
        return self


class AuthSettings(_Section):
    oidc: OidcSettings | None = None
    # Group id or name -> role; a person in several mapped groups gets the highest role.
    roles: dict[str, Role] = Field(default_factory=dict)
    # The dashboard's "sign in with an API token" form; the API always takes tokens.
    token_signin: bool = True
