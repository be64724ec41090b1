"""`[http]`: what the HTTP API accepts; `[web]`: the dashboard's sessions and the address
readers reach it at."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field


def _public_url(value: str | None) -> str | None:
    if value is None:
        return None
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ValueError(
            "public_url must be an http(s) address such as https://estate.example.gov.uk"
        )
    return value.strip().rstrip("/")


PublicUrl = Annotated[str | None, AfterValidator(_public_url)]


class HttpSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # A request body over this is a 413, refused before it is read whole: the largest body the
    # API takes is a bulk assignment's CSV, a few hundred bytes a server.
    max_body_bytes: int = Field(default=10_000_000, ge=1_000, le=1_000_000_000)


class WebSettings(BaseModel):
    """The dashboard's sign-in: a session lasts this long, then the token is asked for again."""

    model_config = ConfigDict(extra="forbid")

    session_hours: int = Field(default=8, ge=1, le=168)
    # Where readers reach estate (https://estate.council.gov.uk): the emailed reports link to
    # its pages and to the list behind each headline figure. None: the reports carry no links.
    public_url: PublicUrl = None
