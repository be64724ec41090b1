"""Migration waves: a name and the planned window; applications and servers are put in one."""

from __future__ import annotations

from datetime import date

from sqlmodel import Field, SQLModel


class WaveBase(SQLModel):
    name: str = Field(min_length=1, max_length=200, unique=True)
    planned_start: date | None = None
    planned_end: date | None = None


class Wave(WaveBase, table=True):
    __tablename__ = "waves"

    id: int | None = Field(default=None, primary_key=True)


class WavePublic(WaveBase):
    id: int
    applications: int = 0
    servers: int = 0
