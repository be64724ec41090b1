"""A tiny CMDB export to scan."""

from __future__ import annotations

from pathlib import Path

from estate.config import SourceConfig

SERVERS_CSV = (
    "CI ID,Hostname,Serial Number,Type,Site,Power State\n"
    "CI1,nbc-app01,SV001,Physical,Civic Centre,poweredOn\n"
    "CI2,nbc-old01,SV002,Physical,Civic Centre,poweredOff\n"
)


def servers_source(
    folder: Path, name: str = "servers", schedule: str | None = None
) -> SourceConfig:
    path = folder / f"{name}.csv"
    path.write_text(SERVERS_CSV)
    return SourceConfig(
        name=name,
        kind="cmdb",
        schedule=schedule,
        options={"path": str(path), "entity": "server", "key": "CI ID"},
    )


def servers_toml(folder: Path, name: str = "servers", schedule: str = "* * * * *") -> str:
    path = folder / f"{name}.csv"
    path.write_text(SERVERS_CSV)
    return (
        f'\n[[sources]]\nname = "{name}"\nkind = "cmdb"\nschedule = "{schedule}"\n'
        f'[sources.options]\npath = "{path}"\nentity = "server"\nkey = "CI ID"\n'
    )
