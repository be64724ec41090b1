"""What a `kind = "ldap"` source's `options` may say, checked when the config is loaded."""

from __future__ import annotations

from pydantic import Field, model_validator

from scanners.base import ScannerOptions


class LdapOptions(ScannerOptions):
    url: str = Field(pattern=r"^ldaps?://[^/]+/?$")
    base_dn: str = Field(min_length=1)
    bind_dn: str | None = None
    password_env: str | None = None
    filter: str = "(objectClass=computer)"
    page_size: int = Field(default=500, ge=1, le=1000)
    start_tls: bool = False
    verify_tls: bool = True
    ca_bundle: str | None = None
    timeout_seconds: float = Field(default=30.0, gt=0)
    departments: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _password_with_bind_dn(self) -> LdapOptions:
        if self.bind_dn and not self.password_env:
            raise ValueError("bind_dn needs password_env, the variable holding its password")
        return self

    @property
    def scope(self) -> str:
        """One scope per server and base DN."""
        return f"{self.url.rstrip('/')}/{self.base_dn}"
