from __future__ import annotations

from sqlmodel import Field, SQLModel

from estate.models.base import enum_type
from estate.status import SiteKind


class SiteBase(SQLModel):
    name: str = Field(max_length=200, unique=True)
    kind: SiteKind = Field(default=SiteKind.OFFICE, sa_type=enum_type(SiteKind))
    address: str | None = None


class Site(SiteBase, table=True):
    __tablename__ = "sites"

    id: int | None = Field(default=None, primary_key=True)


class SitePublic(SiteBase):
    id: int
