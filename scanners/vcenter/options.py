"""What a `kind = "vcenter"` source may say in its `options` table."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from scanners.base import ScannerOptions


class VcenterOptions(ScannerOptions):
    # The vCenter's host name or address: also the scope of every record read from it.
    host: str = Field(min_length=1)
    port: int = Field(default=443, ge=1, le=65535)
    # "http" only for simulators and labs: a real vCenter serves the API over HTTPS.
    protocol: Literal["https", "http"] = "https"
    user: str = Field(min_length=1)
    # The environment variable holding the password; the password never lives in the file.
    password_env: str = Field(min_length=1)
    verify_tls: bool = True
    # A PEM file of the CA (or the self-signed certificate) to trust; relative to estate.toml.
    ca_bundle: str | None = None
    # Datacenter name -> site name; records of datacenters not listed have no site.
    sites: dict[str, str] = Field(default_factory=dict)
    # Objects per PropertyCollector page (RetrievePropertiesEx maxObjects).
    page_size: int = Field(default=500, ge=1, le=10_000)
    # Per request: connecting, and waiting for each answer.
    timeout_seconds: float = Field(default=60.0, gt=0)

    @model_validator(mode="after")
    def _tls_options_fit(self) -> VcenterOptions:
        if self.protocol == "http" and self.ca_bundle is not None:
            raise ValueError("ca_bundle: only used with protocol = 'https'")
        if not self.verify_tls and self.ca_bundle is not None:
            raise ValueError("ca_bundle: not used when verify_tls = false; remove one of them")
        return self

    @property
    def target(self) -> str:
        """How problems name the endpoint: host:port."""
        return f"{self.host}:{self.port}"
