"""What a `kind = "redfish"` source's `options` may say, checked when the config is loaded.

Credentials and TLS settings given at the top level are the defaults of every BMC; a BMC's own
value wins. Passwords are never in the file: `password_env` names the environment variable.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from pydantic import Field, field_validator, model_validator

from scanners.base import ScannerOptions


class BmcOptions(ScannerOptions):
    """One baseboard management controller (iDRAC, iLO, XClarity, ...)."""

    # The scope of its records; default the address's host[:port].
    name: str | None = Field(default=None, min_length=1)
    address: str
    # Names an entry of `groups`, which says the site.
    group: str | None = None
    username: str | None = None
    password_env: str | None = None
    verify_tls: bool | None = None
    # A PEM file of CAs to trust instead of the system store (a BMC's own self-signed CA).
    ca_bundle: str | None = None

    @field_validator("address")
    @classmethod
    def _url(cls, value: str) -> str:
        """A bare host means HTTPS, as every BMC serves; a trailing slash is dropped."""
        url = value if "://" in value else f"https://{value}"
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("expected an http(s) URL or a host name such as 'idrac-01.example'")
        if parts.path.strip("/") or parts.query:
            raise ValueError("expected the BMC's base URL without a path ('/redfish/v1' is added)")
        return f"{parts.scheme}://{parts.netloc}"

    @property
    def host(self) -> str:
        """host[:port] as configured: the stable part of the address (a scheme change keeps it)."""
        return urlsplit(self.address).netloc

    @property
    def scope(self) -> str:
        return self.name or self.host


class RedfishOptions(ScannerOptions):
    """BMCs to read over DMTF Redfish, each one scope."""

    bmcs: list[BmcOptions] = Field(min_length=1)
    username: str | None = None
    password_env: str | None = None
    verify_tls: bool = True
    ca_bundle: str | None = None
    timeout_seconds: float = Field(default=30.0, gt=0, le=600)
    # Retries of a connection that could not be made (not of answered requests).
    retries: int = Field(default=1, ge=0, le=5)
    # Group -> site name.
    groups: dict[str, str] = Field(default_factory=dict)
    max_workers: int = Field(default=8, ge=1, le=64)

    @model_validator(mode="after")
    def _complete(self) -> RedfishOptions:
        scopes: set[str] = set()
        for index, bmc in enumerate(self.bmcs):
            where = f"bmcs[{index}]({bmc.scope})"
            for key in ("username", "password_env"):
                if not (getattr(bmc, key) or getattr(self, key)):
                    raise ValueError(f"{where}: no {key} (set it on the BMC or at the top level)")
            if bmc.group is not None and bmc.group not in self.groups:
                known = ", ".join(sorted(self.groups)) or "none configured"
                raise ValueError(f"{where}: group {bmc.group!r} is not in groups (known: {known})")
            if bmc.scope in scopes:
                raise ValueError(f"{where}: a second BMC with the scope {bmc.scope!r}")
            scopes.add(bmc.scope)
        return self
