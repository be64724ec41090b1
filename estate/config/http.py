"""`[http]`: what the HTTP API accepts."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class HttpSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # A request body over this is a 413, refused before it is read whole: the largest body the
    # API takes is a bulk assignment's CSV, a few hundred bytes a server.
    max_body_bytes: int = Field(default=10_000_000, ge=1_000, le=1_000_000_000)
