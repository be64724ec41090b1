"""Recorded walks (snmpsim's .snmprec: OID|type tag|value) read as the {oid: value} a fetch
returns, so transforms are tested on the same data the simulator serves."""

from __future__ import annotations

from pathlib import Path

DATA = Path(__file__).parent / "data"
# SNMP type tags whose values are numbers: Integer, Counter32, Gauge32, TimeTicks, Counter64.
NUMERIC = {"2", "65", "66", "67", "70"}


def read_walk(name: str) -> dict[str, str | int]:
    values: dict[str, str | int] = {}
    for line in (DATA / f"{name}.snmprec").read_text().splitlines():
        oid, tag, value = line.split("|", 2)
        if tag.endswith("x"):
            values[oid] = bytes.fromhex(value).decode()
        elif tag in NUMERIC:
            values[oid] = int(value)
        else:
            values[oid] = value
    return values
