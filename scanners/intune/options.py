"""What a `kind = "intune"` source's `options` may say, checked when the config is loaded.

The client secret is never in the file: `client_secret_env` names the environment variable.
"""

from __future__ import annotations

from pydantic import Field

from scanners.base import ScannerOptions


class IntuneOptions(ScannerOptions):
    tenant_id: str = Field(min_length=1)
    client_id: str = Field(min_length=1)
    client_secret_env: str = Field(min_length=1)
    graph_url: str = "https://graph.microsoft.com"
    authority_url: str = "https://login.microsoftonline.com"
    scope: str = "https://graph.microsoft.com/.default"
    # An OData $filter, e.g. "operatingSystem eq 'Windows'".
    filter: str | None = None
    page_size: int | None = Field(default=None, ge=1, le=1000)
    timeout_seconds: float = Field(default=30.0, gt=0)
    max_retries: int = Field(default=5, ge=0)
    max_retry_after_seconds: float = Field(default=300.0, ge=0)
    verify_tls: bool = True
    ca_bundle: str | None = None

    @property
    def token_url(self) -> str:
        return f"{self.authority_url.rstrip('/')}/{self.tenant_id}/oauth2/v2.0/token"
