from __future__ import annotations

from sqlmodel import Field, SQLModel


class ApplicationBase(SQLModel):
    name: str = Field(max_length=200, unique=True)
    owner: str | None = Field(default=None, max_length=200)
    criticality: str | None = Field(default=None, max_length=40)


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
