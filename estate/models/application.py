from __future__ import annotations

from datetime import date

from sqlmodel import Field, SQLModel

from estate.models.base import enum_type
from estate.status import Strategy


class ApplicationBase(SQLModel):
    name: str = Field(max_length=200, unique=True)
    owner: str | None = Field(default=None, max_length=200)
    criticality: str | None = Field(default=None, max_length=40)
    strategy: Strategy | None = Field(default=None, sa_type=enum_type(Strategy), index=True)
    wave_id: int | None = Field(default=None, foreign_key="waves.id", index=True)
    target_date: date | None = None


class Application(ApplicationBase, table=True):
    __tablename__ = "applications"

    id: int | None = Field(default=None, primary_key=True)


class ServerApplication(SQLModel, table=True):
    """A server belongs to an application; `origin` keeps scanned links apart from user ones."""

    __tablename__ = "server_applications"

    server_id: int = Field(foreign_key="servers.id", primary_key=True)
    application_id: int = Field(foreign_key="applications.id", primary_key=True, index=True)
    origin: str = Field(default="scan", max_length=10)


class ApplicationPublic(ApplicationBase):
    id: int
    server_count: int = 0
    # The wave's name, and how many of its servers are migrated (or further on).
    wave: str | None = None
    servers_migrated: int = 0
